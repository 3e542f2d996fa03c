package dev.setrec.data;

import java.util.Locale;

/** The three parts of a global-time split; names are the ones used in interactions.tsv. */
public enum Split {
    TRAIN, VALID, TEST;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a split name as written in the data (train, valid, test). */
    public static Split parse(String text) {
        for (Split s : values()) {
            if (s.label().equals(text)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown split '" + text + "' (expected train, valid or test)");
    }
}
