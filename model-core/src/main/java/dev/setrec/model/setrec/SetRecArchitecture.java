package dev.setrec.model.setrec;

import dev.setrec.util.OptionChecks;

/**
 * What shapes a SETRec network: persisted as "config" in model.json (with the score mix and the parameter count),
 * and all a model dir needs to be loaded. How the network is trained is {@link SetRecTraining}. Each component is
 * named after its command-line option.
 *
 * @param dim transformer width (--dim)
 * @param heads attention heads (--heads)
 * @param blocks transformer blocks (--blocks)
 * @param ffnDim feed-forward width (--ffn)
 * @param maxLen history length in items (--history)
 * @param semTokens n_sem, the semantic tokens per item (--n-sem; 0 = CF token only, the CF-only ablation)
 * @param sparseMask true: a token sees earlier items and itself only; false (--full-attention, the ablation): full
 *                   attention over the history (queries still see the history and themselves only)
 */
public record SetRecArchitecture(int dim, int heads, int blocks, int ffnDim, int maxLen, int semTokens,
                                 boolean sparseMask) {
    public static final SetRecArchitecture DEFAULT = builder().build();

    public SetRecArchitecture {
        OptionChecks.transformer(dim, heads, blocks, ffnDim, maxLen);
        OptionChecks.notNegative("--n-sem", semTokens);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Queries per user: one grounded on CF tokens plus one per semantic token. */
    public int queries() {
        return 1 + semTokens;
    }

    /** Tokens per item in the history: the CF token plus the semantic tokens. */
    public int tokensPerItem() {
        return 1 + semTokens;
    }

    /** Starts from the defaults (see README "Models" for how they were chosen). */
    public static final class Builder {
        private int dim = 64;
        private int heads = 2;
        private int blocks = 2;
        private int ffnDim = 256;
        private int maxLen = 50;
        private int semTokens = 4;
        private boolean sparseMask = true;

        private Builder() {
        }

        public Builder dim(int value) {
            dim = value;
            return this;
        }

        public Builder heads(int value) {
            heads = value;
            return this;
        }

        public Builder blocks(int value) {
            blocks = value;
            return this;
        }

        public Builder ffnDim(int value) {
            ffnDim = value;
            return this;
        }

        public Builder maxLen(int value) {
            maxLen = value;
            return this;
        }

        public Builder semTokens(int value) {
            semTokens = value;
            return this;
        }

        public Builder sparseMask(boolean value) {
            sparseMask = value;
            return this;
        }

        public SetRecArchitecture build() {
            return new SetRecArchitecture(dim, heads, blocks, ffnDim, maxLen, semTokens, sparseMask);
        }
    }
}
