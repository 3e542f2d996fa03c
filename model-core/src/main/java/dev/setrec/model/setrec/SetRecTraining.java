package dev.setrec.model.setrec;

import dev.setrec.util.OptionChecks;

/**
 * How a SETRec network is trained (its shape is {@link SetRecArchitecture}); each component is named after its
 * command-line option. Not needed to load a model; the training record in model.json keeps them.
 *
 * @param dropout dropout rate in training passes (--dropout)
 * @param alpha weight of the tokenizer's reconstruction MSE in the loss (--alpha)
 * @param learningRate peak learning rate of AdamW (--lr)
 * @param weightDecay decoupled weight decay (--weight-decay)
 * @param warmupSteps linear learning-rate warm-up (--warmup)
 * @param batchTokens training positions per batch (--batch-tokens); at least the history length
 * @param reconSample items whose text the tokenizer reconstructs per step (a random sample keeps steps cheap)
 * @param maxEpochs upper bound on epochs with early stopping (--max-epochs)
 * @param patience epochs without a better valid Recall@10 before stopping (--patience)
 * @param fixedEpochs when > 0: exactly this many epochs, no validation (--epochs; a refit)
 * @param timeBudgetMinutes when > 0: stop after the epoch that crosses it, counted from the start of the fit (the CF
 *                          tokens' SASRec and the text embeddings included), keeping the best epoch (--time-budget;
 *                          default 55: a SETRec training within an hour on 2 cores, see docs/model.md)
 * @param fixedMix the parts of the score mix fixed instead of chosen on valid (--beta, --beta-cold, --cold-shift;
 *                 e.g. beta 1 = semantic-only; a refit fixes all)
 * @param cfDropout per training step, the share of items whose CF input is replaced by its prediction from text
 *                  (what cold items have), so that the model learns to rank items that have only their text
 *                  (--cf-dropout)
 * @param weightAverage when > 0: validate and keep a moving average of the weights with this decay per step
 *                      (--weight-average)
 * @param negatives when > 0 and below the catalogue size: each step scores every position against its own target and
 *                  this many items drawn uniformly for the whole batch (a sampled softmax with the log-Q correction)
 *                  instead of against the whole catalogue (--negatives; 0 = the whole catalogue, the default)
 * @param seed draws the initial weights, the batches and the samples (--seed)
 */
public record SetRecTraining(float dropout, float alpha, float learningRate, float weightDecay, int warmupSteps,
                             int batchTokens, int reconSample, int maxEpochs, int patience, int fixedEpochs,
                             double timeBudgetMinutes, ScoreMix.Fixed fixedMix, float cfDropout, float weightAverage,
                             int negatives, long seed) {
    public static final SetRecTraining DEFAULT = builder().build();

    public SetRecTraining {
        OptionChecks.share("--dropout", dropout);
        OptionChecks.notNegative("--alpha", alpha);
        OptionChecks.positive("--lr", learningRate);
        OptionChecks.notNegative("--weight-decay", weightDecay);
        OptionChecks.notNegative("--warmup", warmupSteps);
        OptionChecks.positive("--batch-tokens", batchTokens);
        OptionChecks.positive("the reconstruction sample", reconSample);
        OptionChecks.positive("--max-epochs", maxEpochs);
        OptionChecks.notNegative("--patience", patience);
        OptionChecks.notNegative("--epochs", fixedEpochs);
        OptionChecks.notNegative("--time-budget", timeBudgetMinutes);
        OptionChecks.share("--cf-dropout", cfDropout);
        OptionChecks.share("--weight-average", weightAverage);
        OptionChecks.notNegative("--negatives", negatives);
        if (fixedMix == null) {
            throw new IllegalArgumentException("the fixed score mix must be given (ScoreMix.Fixed.NONE: none fixed)");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these settings, to change some. */
    public Builder toBuilder() {
        return new Builder().dropout(dropout).alpha(alpha).learningRate(learningRate).weightDecay(weightDecay)
                .warmupSteps(warmupSteps).batchTokens(batchTokens).reconSample(reconSample).maxEpochs(maxEpochs)
                .patience(patience).fixedEpochs(fixedEpochs).timeBudgetMinutes(timeBudgetMinutes).fixedMix(fixedMix)
                .cfDropout(cfDropout).weightAverage(weightAverage).negatives(negatives).seed(seed);
    }

    /**
     * The same training for exactly {@code epochs} epochs at a fixed score mix (a refit): no time budget cuts the
     * count short.
     */
    public SetRecTraining forRefit(int epochs, ScoreMix mix) {
        return toBuilder().fixedEpochs(epochs).timeBudgetMinutes(0).fixedMix(ScoreMix.Fixed.all(mix)).build();
    }

    /** The same training with another epoch limit and time budget (early stopping stays on). */
    public SetRecTraining withBudget(int epochLimit, double minutes) {
        return toBuilder().maxEpochs(epochLimit).timeBudgetMinutes(minutes).build();
    }

    /** Starts from the defaults (see README "Models" for how they were chosen). */
    public static final class Builder {
        private float dropout = 0.3f;
        private float alpha = 0.7f;
        private float learningRate = 1e-3f;
        private float weightDecay = 0.01f;
        private int warmupSteps = 100;
        private int batchTokens = 2048;
        private int reconSample = 2048;
        private int maxEpochs = 40;
        private int patience = 10;
        private int fixedEpochs;
        private double timeBudgetMinutes = 55;
        private ScoreMix.Fixed fixedMix = ScoreMix.Fixed.NONE;
        private float cfDropout;
        private float weightAverage = 0.995f;
        private int negatives;
        private long seed = 42;

        private Builder() {
        }

        public Builder dropout(float value) {
            dropout = value;
            return this;
        }

        public Builder alpha(float value) {
            alpha = value;
            return this;
        }

        public Builder learningRate(float value) {
            learningRate = value;
            return this;
        }

        public Builder weightDecay(float value) {
            weightDecay = value;
            return this;
        }

        public Builder warmupSteps(int value) {
            warmupSteps = value;
            return this;
        }

        public Builder batchTokens(int value) {
            batchTokens = value;
            return this;
        }

        public Builder reconSample(int value) {
            reconSample = value;
            return this;
        }

        public Builder maxEpochs(int value) {
            maxEpochs = value;
            return this;
        }

        public Builder patience(int value) {
            patience = value;
            return this;
        }

        public Builder fixedEpochs(int value) {
            fixedEpochs = value;
            return this;
        }

        public Builder timeBudgetMinutes(double value) {
            timeBudgetMinutes = value;
            return this;
        }

        public Builder fixedMix(ScoreMix.Fixed value) {
            fixedMix = value;
            return this;
        }

        public Builder cfDropout(float value) {
            cfDropout = value;
            return this;
        }

        public Builder weightAverage(float value) {
            weightAverage = value;
            return this;
        }

        public Builder negatives(int value) {
            negatives = value;
            return this;
        }

        public Builder seed(long value) {
            seed = value;
            return this;
        }

        public SetRecTraining build() {
            return new SetRecTraining(dropout, alpha, learningRate, weightDecay, warmupSteps, batchTokens, reconSample,
                    maxEpochs, patience, fixedEpochs, timeBudgetMinutes, fixedMix, cfDropout, weightAverage, negatives,
                    seed);
        }
    }
}
