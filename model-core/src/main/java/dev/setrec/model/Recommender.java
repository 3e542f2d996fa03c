package dev.setrec.model;

import com.google.gson.JsonObject;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A trained next-item recommender over a fixed catalogue of {@link #numItems()} items (rows 0..n-1).
 * Scoring is batched: one call scores many histories against the whole catalogue.
 */
public interface Recommender extends AutoCloseable {
    /** Short model type name as used by the CLI: mostpop, transitions, sasrec, setrec. */
    String type();

    int numItems();

    /**
     * Scores every item for each history. {@code out} is row-major, at least histories.size() * numItems() long;
     * row b holds the scores of history b. Higher is better. Histories are oldest item first and non-empty.
     */
    void score(List<int[]> histories, float[] out);

    /** How many histories one {@link #score} call should carry for good throughput. */
    default int preferredBatchSize() {
        return 256;
    }

    /** The model's configuration, stored as "config" in model.json. */
    JsonObject describe();

    /** Writes the model's own files (weights, tables) into an existing {@code dir}; {@link ModelIO} adds model.json. */
    void save(Path dir) throws IOException;

    @Override
    default void close() {
    }
}
