package dev.setrec.api;

import java.util.List;

/** The answer of POST /v1/items: each item's row, in order. */
public record ItemsResponse(@Required String modelVersion, @Required List<Row> items) {
    /** {@code added} for a new id, {@code updated} for a known id whose text changed; neither for the same text. */
    public record Row(@Required String itemId, int row, boolean added, boolean updated) {
    }
}
