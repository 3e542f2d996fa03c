package dev.setrec.util;

/** Range checks of settings whose errors name the command-line option and the value given. */
public final class OptionChecks {
    private OptionChecks() {
    }

    /** The transformer's shape, as both sequence models take it: --dim, --heads, --blocks, --ffn, --history. */
    public static void transformer(int dim, int heads, int blocks, int ffnDim, int maxLen) {
        positive("--dim", dim);
        positive("--heads", heads);
        positive("--blocks", blocks);
        positive("--ffn", ffnDim);
        positive("--history", maxLen);
        if (dim % heads != 0) {
            throw new IllegalArgumentException("--dim " + dim + " must be divisible by --heads " + heads);
        }
    }

    public static void positive(String option, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(option + " must be positive, got " + value);
        }
    }

    public static void notNegative(String option, int value) {
        if (value < 0) {
            throw new IllegalArgumentException(option + " must be 0 or more, got " + value);
        }
    }

    public static void positive(String option, double value) {
        if (!(value > 0)) {
            throw new IllegalArgumentException(option + " must be positive, got " + value);
        }
    }

    public static void notNegative(String option, double value) {
        if (!(value >= 0)) {
            throw new IllegalArgumentException(option + " must be 0 or more, got " + value);
        }
    }

    /** A share that may be 0 but never all: [0, 1). */
    public static void share(String option, double value) {
        if (!(value >= 0 && value < 1)) {
            throw new IllegalArgumentException(option + " must be in [0, 1), got " + value);
        }
    }
}
