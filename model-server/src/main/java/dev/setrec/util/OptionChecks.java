package dev.setrec.util;

/** Range checks of settings whose errors name the command-line option and the value given. */
public final class OptionChecks {
    private OptionChecks() {
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
