package dev.setrec.eval;

import java.util.Locale;

/** The paper's three evaluation settings: which items are ranked and count as ground truth. */
public enum Setting {
    /** The whole catalogue; every target item is ground truth. */
    ALL,
    /** Only warm items (with a train interaction) are ranked and count as ground truth. */
    WARM,
    /** Only cold items (no train interaction) are ranked and count as ground truth. */
    COLD;

    /** The name used in the topk file and the JSON report: all, warm, cold. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether an item with the given cold flag takes part in this setting. */
    public boolean includes(boolean coldItem) {
        return switch (this) {
            case ALL -> true;
            case WARM -> !coldItem;
            case COLD -> coldItem;
        };
    }
}
