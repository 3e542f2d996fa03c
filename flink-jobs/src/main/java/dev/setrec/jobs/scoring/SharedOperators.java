package dev.setrec.jobs.scoring;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * One operator per task-manager JVM and factory key, shared by every slot: a model is loaded by the first subtask
 * that opens and released when the last one closes. Native libraries are loaded once per JVM by DJL itself.
 */
public final class SharedOperators {
    private static final Map<String, Entry> OPEN = new HashMap<>();

    private static final class Entry {
        final SetRecOperator operator;
        int users;
        AutoCloseable attachment;

        Entry(SetRecOperator operator) {
            this.operator = operator;
        }
    }

    private SharedOperators() {
    }

    public static synchronized SetRecOperator acquire(SetRecOperator.Factory factory) throws Exception {
        Entry entry = OPEN.get(factory.key());
        if (entry == null) {
            entry = new Entry(factory.create());
            OPEN.put(factory.key(), entry);
        }
        entry.users++;
        return entry.operator;
    }

    public static synchronized void release(SetRecOperator.Factory factory) throws Exception {
        Entry entry = OPEN.get(factory.key());
        if (entry != null && --entry.users == 0) {
            OPEN.remove(factory.key());
            try (SetRecOperator operator = entry.operator) {
                if (entry.attachment != null) {
                    entry.attachment.close();
                }
            }
        }
    }

    /**
     * One object built on the shared operator and shared like it (the scoring subtasks' micro-batcher, so that
     * requests of every slot of this task manager merge into one forward pass); closed before the operator.
     * The factory's operator must have been acquired.
     */
    @SuppressWarnings("unchecked")
    public static synchronized <T extends AutoCloseable> T attachment(SetRecOperator.Factory factory,
                                                                      Function<SetRecOperator, T> create) {
        Entry entry = OPEN.get(factory.key());
        if (entry == null) {
            throw new IllegalStateException("operator " + factory.key() + " is not acquired");
        }
        if (entry.attachment == null) {
            entry.attachment = create.apply(entry.operator);
        }
        return (T) entry.attachment;
    }

    /** How many operators this JVM holds open (tests check that closing a job releases its model). */
    public static synchronized int openCount() {
        return OPEN.size();
    }
}
