package dev.setrec.model.setrec;

/**
 * SETRec architecture and training settings (see README "Models" for how the defaults were chosen).
 *
 * @param semTokens n_sem, the semantic tokens per item (0 = CF token only, the CF-only ablation)
 * @param alpha weight of the tokenizer's reconstruction MSE in the loss
 * @param sparseMask true: a token sees earlier items and itself only; false: full attention over the history
 *                   (the ablation; queries still see the history and themselves only)
 * @param reconSample items whose text the tokenizer reconstructs per step (a random sample keeps steps cheap)
 * @param warmupSteps linear learning-rate warm-up
 * @param fixedMix the parts of the score mix fixed instead of chosen on valid (e.g. beta 1 = semantic-only; a
 *                 refit fixes all); null = {@link ScoreMix.Fixed#NONE}
 * @param cfDropout per training step, the share of items whose CF input is replaced by its prediction from text
 *                  (what cold items have), so that the model learns to rank items that have only their text
 * @param cfDropoutTargetsOnly CF dropout only in the table the queries are grounded on (the items ranked); the
 *                             history's items keep their own CF inputs
 * @param plateauLrCut share of the learning rate cut after every 2 epochs without a better valid score
 * @param lrScales a refit's learning-rate scale per epoch (replaying the run it refits); null otherwise
 * @param weightAverage when > 0: validate and keep a moving average of the weights with this decay per step
 */
public record SetRecConfig(int dim, int heads, int blocks, int ffnDim, float dropout, int maxLen, int semTokens,
                           float alpha, boolean sparseMask, float learningRate, float weightDecay, int warmupSteps,
                           int batchTokens, int reconSample, int maxEpochs, int patience, int fixedEpochs,
                           double timeBudgetMinutes, ScoreMix.Fixed fixedMix, float cfDropout,
                           boolean cfDropoutTargetsOnly, float plateauLrCut,
                           double[] lrScales, float weightAverage, long seed) {

    public static SetRecConfig defaults() {
        return new SetRecConfig(64, 2, 2, 256, 0.3f, 50, 4, 0.7f, true, 1e-3f, 0.01f, 100, 2048, 2048, 40, 10, 0, 0,
                ScoreMix.Fixed.NONE, 0f, false, 0f, null, 0.995f, 42);
    }

    public SetRecConfig {
        if (dim <= 0 || heads <= 0 || blocks <= 0 || ffnDim <= 0 || maxLen <= 0 || semTokens < 0
                || batchTokens < maxLen) {
            throw new IllegalArgumentException("sizes must be positive (n_sem >= 0) and batch tokens >= history length");
        }
        if (fixedMix == null) {
            fixedMix = ScoreMix.Fixed.NONE; // model.json of a model saved before the score mix
        }
        if (dim % heads != 0) {
            throw new IllegalArgumentException("width " + dim + " must be divisible by heads " + heads);
        }
        if (dropout < 0 || dropout >= 1 || alpha < 0) {
            throw new IllegalArgumentException("dropout must be in [0, 1) and alpha >= 0");
        }
        if (cfDropout < 0 || cfDropout >= 1) {
            throw new IllegalArgumentException("CF dropout must be in [0, 1)");
        }
        if (plateauLrCut < 0 || plateauLrCut >= 1) {
            throw new IllegalArgumentException("the plateau learning-rate cut must be in [0, 1)");
        }
        if (weightAverage < 0 || weightAverage >= 1) {
            throw new IllegalArgumentException("the weight-average decay must be in [0, 1)");
        }
    }

    /**
     * The same configuration trained for exactly {@code epochs} epochs at a fixed score mix (a refit), with the
     * learning-rate scale of each epoch of the run it refits ({@code scales}; null = 1).
     */
    public SetRecConfig forRefit(int epochs, ScoreMix mix, double[] scales) {
        return new SetRecConfig(dim, heads, blocks, ffnDim, dropout, maxLen, semTokens, alpha, sparseMask, learningRate,
                weightDecay, warmupSteps, batchTokens, reconSample, maxEpochs, patience, epochs, timeBudgetMinutes,
                ScoreMix.Fixed.all(mix), cfDropout, cfDropoutTargetsOnly, plateauLrCut, scales, weightAverage, seed);
    }

    /** The same configuration with another epoch limit and time budget (early stopping stays on). */
    public SetRecConfig withBudget(int maxEpochs, double timeBudgetMinutes) {
        return new SetRecConfig(dim, heads, blocks, ffnDim, dropout, maxLen, semTokens, alpha, sparseMask, learningRate,
                weightDecay, warmupSteps, batchTokens, reconSample, maxEpochs, patience, fixedEpochs, timeBudgetMinutes,
                fixedMix, cfDropout, cfDropoutTargetsOnly, plateauLrCut, lrScales, weightAverage, seed);
    }

    /** This configuration with other batches and warm-up: a small data set needs more, smaller steps per epoch. */
    public SetRecConfig withSteps(int batchTokens, int warmupSteps) {
        return new SetRecConfig(dim, heads, blocks, ffnDim, dropout, maxLen, semTokens, alpha, sparseMask, learningRate,
                weightDecay, warmupSteps, batchTokens, reconSample, maxEpochs, patience, fixedEpochs, timeBudgetMinutes,
                fixedMix, cfDropout, cfDropoutTargetsOnly, plateauLrCut, lrScales, weightAverage, seed);
    }

    /** Queries per user: one grounded on CF tokens plus one per semantic token. */
    public int queries() {
        return 1 + semTokens;
    }

    /** Tokens per item in the history: the CF token plus the semantic tokens. */
    public int tokensPerItem() {
        return 1 + semTokens;
    }
}
