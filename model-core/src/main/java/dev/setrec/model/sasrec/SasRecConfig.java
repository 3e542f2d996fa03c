package dev.setrec.model.sasrec;

import dev.setrec.util.OptionChecks;

/**
 * SASRec architecture and training settings. Defaults: width 64, 2 blocks, 2 heads, pre-LN, Adam 1e-3, history 50
 * (what the prototype used on toys) and dropout 0.5, chosen on toys' valid split (valid Recall@10 .0341 against
 * .0309 at 0.3); see docs/model.md.
 *
 * @param batchTokens positions per training batch: users are packed by length up to this many positions
 * @param patience epochs without a better valid Recall@10 before training stops
 * @param fixedEpochs when > 0, train exactly this many epochs with no early stopping (refit on train + valid)
 * @param timeBudgetMinutes when > 0, stop after the epoch that crosses this budget, keeping the best epoch
 */
public record SasRecConfig(int dim, int heads, int blocks, int ffnDim, float dropout, int maxLen,
                           float learningRate, float weightDecay, int batchTokens, int maxEpochs, int patience,
                           int fixedEpochs, double timeBudgetMinutes, long seed) {

    public static SasRecConfig defaults() {
        return new SasRecConfig(64, 2, 2, 256, 0.5f, 50, 1e-3f, 0f, 1024, 80, 6, 0, 0, 42);
    }

    public SasRecConfig {
        OptionChecks.transformer(dim, heads, blocks, ffnDim, maxLen);
        if (batchTokens < maxLen) {
            throw new IllegalArgumentException("--batch-tokens " + batchTokens + " must be at least --history "
                    + maxLen);
        }
        OptionChecks.share("--dropout", dropout);
    }

    /** The same settings stopping early on valid within {@code maxEpochs} and {@code minutes} (0: no time limit). */
    public SasRecConfig withBudget(int maxEpochs, double minutes) {
        return new SasRecConfig(dim, heads, blocks, ffnDim, dropout, maxLen, learningRate, weightDecay, batchTokens,
                maxEpochs, patience, 0, minutes, seed);
    }

    /** The same settings with another seed. */
    public SasRecConfig withSeed(long otherSeed) {
        return new SasRecConfig(dim, heads, blocks, ffnDim, dropout, maxLen, learningRate, weightDecay, batchTokens,
                maxEpochs, patience, fixedEpochs, timeBudgetMinutes, otherSeed);
    }

    /** The same settings for exactly {@code epochs} epochs (a refit): no time budget cuts the count short. */
    public SasRecConfig forRefit(int epochs) {
        return new SasRecConfig(dim, heads, blocks, ffnDim, dropout, maxLen, learningRate, weightDecay, batchTokens,
                maxEpochs, patience, epochs, 0, seed);
    }
}
