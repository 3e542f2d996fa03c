package dev.setrec.model.setrec;

/**
 * How SETRec turns an item's token scores into one score: score = (1 - beta) * s_cf + beta * s_sem for an item with
 * its own CF embedding (warm), (1 - betaCold) * s_cf + betaCold * s_sem + coldShift for an item whose CF input is
 * only predicted from its text (cold). The Warm setting ranks warm items by the first, the Cold setting cold items
 * by the second, and the All setting merges the two (coldShift calibrates the cold scores against the warm ones:
 * the model never saw a cold item as a target, so their raw scores sit low). All three are chosen on valid
 * ({@link ScoreMixSweep}).
 */
public record ScoreMix(float beta, float betaCold, float coldShift) {
    public ScoreMix {
        checkBeta(beta);
        checkBeta(betaCold);
        checkShift(coldShift);
    }

    private static void checkBeta(float beta) {
        if (!(beta >= 0 && beta <= 1)) {
            throw new IllegalArgumentException("beta must be in [0, 1], got " + beta);
        }
    }

    private static void checkShift(float shift) {
        if (!Float.isFinite(shift)) {
            throw new IllegalArgumentException("the cold shift must be a finite number, got " + shift);
        }
    }

    /** One beta for every item, no shift. */
    public static ScoreMix uniform(float beta) {
        return new ScoreMix(beta, beta, 0f);
    }

    /** The weight of the CF score of an item of that kind. */
    float cfWeight(boolean cold) {
        return 1 - semWeight(cold);
    }

    /** The weight of the semantic score of an item of that kind. */
    float semWeight(boolean cold) {
        return cold ? betaCold : beta;
    }

    float shift(boolean cold) {
        return cold ? coldShift : 0f;
    }

    /**
     * Which parts of a mix are fixed instead of chosen on valid (null: chosen), e.g. beta 1 for the semantic-only
     * ablation, or all three for a refit, which has no valid split to choose on.
     */
    public record Fixed(Float beta, Float betaCold, Float coldShift) {
        public static final Fixed NONE = new Fixed(null, null, null);

        public Fixed {
            if (beta != null) {
                checkBeta(beta);
            }
            if (betaCold != null) {
                checkBeta(betaCold);
            }
            if (coldShift != null) {
                checkShift(coldShift);
            }
        }

        public static Fixed all(ScoreMix mix) {
            return new Fixed(mix.beta(), mix.betaCold(), mix.coldShift());
        }

        /** {@code base} with the fixed parts replaced; the cold items' beta follows a fixed beta unless fixed too. */
        public ScoreMix over(ScoreMix base) {
            float warm = beta != null ? beta : base.beta();
            return new ScoreMix(warm, betaCold != null ? betaCold : beta != null ? beta : base.betaCold(),
                    coldShift != null ? coldShift : base.coldShift());
        }

        public boolean any() {
            return beta != null || betaCold != null || coldShift != null;
        }

        public boolean complete() {
            return beta != null && betaCold != null && coldShift != null;
        }
    }
}
