package dev.setrec.jobs.scoring;

import dev.setrec.jobs.records.Ranking;
import dev.setrec.schemas.ItemEvent;

import java.io.Serializable;
import java.util.List;

/**
 * What the Flink job needs from SETRec: rank a batch of histories in one call, know and onboard items, name the
 * model version. Implementations: in-process DJL (the embedded default) and the remote model server.
 * Implementations are thread-safe: the parallel subtasks of one task manager share one instance.
 */
public interface SetRecOperator extends AutoCloseable {
    /** The model version of a recommendation made before the model was reached (remote scoring at start). */
    String UNKNOWN_VERSION = "unknown";

    /**
     * The top {@code ranking.k()} for each history (oldest item first), over the whole catalogue; items already in a
     * history are left out when {@code ranking.excludeSeen()}; {@code ranking.newItemSlots()} places are kept for new
     * items. A history with no item the model knows cannot be ranked: its result is {@link Ranking#UNRANKED}.
     */
    List<Ranking> recommend(List<String[]> histories, RankingOptions ranking) throws Exception;

    boolean knows(String itemId);

    /**
     * Whether {@link #knows} can be trusted to say no: false while the catalogue is not read yet (a model server
     * that did not answer so far), when interactions on items it does not know must be passed on, not refused.
     */
    default boolean catalogueLoaded() {
        return true;
    }

    /**
     * Tokenizes the items' texts and makes them rankable at once, in one model update: a new id is added, a known
     * id with the same text is left as it is (events may be delivered twice), a known id with new text is ranked by
     * its new text from then on. Throws where an item is refused (the caller dead-letters it); an operator that
     * cannot reach its model keeps the items and onboards them when it can.
     */
    void addItems(List<ItemEvent> items) throws Exception;

    /** The version of the model that ranks, {@link #UNKNOWN_VERSION} before it was reached. */
    String modelVersion();

    /**
     * Whether the model answers now, asked while its calls keep failing before traffic is sent to it again: a
     * cheap check that gives up quickly (a remote server's readiness). In-process, the model is always there.
     */
    default boolean available() {
        return true;
    }

    /** Serializable recipe for an operator, shipped with the job graph and opened on each task manager. */
    interface Factory extends Serializable {
        /** Identifies what {@link #create()} builds, so that one task manager shares one instance per key. */
        String key();

        SetRecOperator create() throws Exception;
    }
}
