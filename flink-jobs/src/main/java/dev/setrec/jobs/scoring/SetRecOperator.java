package dev.setrec.jobs.scoring;

import dev.setrec.jobs.records.Ranking;
import dev.setrec.schemas.ItemEvent;

import java.io.Serializable;
import java.util.List;

/**
 * What the Flink job needs from SETRec: rank a batch of histories in one call, know and onboard items, name the
 * model version. Implementations: in-process DJL (the embedded default) and, later, the remote model server.
 * Implementations are thread-safe: the parallel subtasks of one task manager share one instance.
 */
public interface SetRecOperator extends AutoCloseable {
    /**
     * The top {@code ranking.k()} for each history (oldest item first), over the whole catalogue; items already in a
     * history are left out when {@code ranking.excludeSeen()}; {@code ranking.newItemSlots()} places are kept for new
     * items. A history with no known item gets an empty, non-fallback ranking.
     */
    List<Ranking> recommend(List<String[]> histories, RankingOptions ranking) throws Exception;

    boolean knows(String itemId);

    /** Tokenizes the item's text and makes it rankable at once; an item already known is left as it is. */
    void addItem(ItemEvent item) throws Exception;

    String modelVersion();

    /** Serializable recipe for an operator, shipped with the job graph and opened on each task manager. */
    interface Factory extends Serializable {
        /** Identifies what {@link #create()} builds, so that one task manager shares one instance per key. */
        String key();

        SetRecOperator create() throws Exception;
    }
}
