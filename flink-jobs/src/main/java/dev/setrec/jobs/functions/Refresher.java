package dev.setrec.jobs.functions;

import dev.setrec.jobs.records.RefreshResult;
import dev.setrec.jobs.records.WindowEvent;
import dev.setrec.schemas.ItemEvent;

import java.io.Serializable;
import java.util.List;

/**
 * One model refresh on a copy of the refresh job's window: fine-tunes the serving model of the models folder on the
 * interactions, gives the items their CF tokens, and writes a new version into the folder where it beats the serving
 * one. It runs on a thread of its own ({@link RefreshWindow}), one refresh at a time, and ships with the job graph.
 */
@FunctionalInterface
public interface Refresher extends Serializable {
    /**
     * @param window the window's interactions, oldest first
     * @param items  the items seen on the items topic (their latest text)
     * @return the outcome; a refresh that cannot run throws, which the job reports as a refused version
     */
    RefreshResult refresh(List<WindowEvent> window, List<ItemEvent> items) throws Exception;

    /** Releases what the refreshes hold (a text encoder, say); called once no refresh runs any more. */
    default void close() throws Exception {
    }
}
