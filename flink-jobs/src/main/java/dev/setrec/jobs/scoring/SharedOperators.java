package dev.setrec.jobs.scoring;

import java.util.HashMap;
import java.util.Map;

/**
 * One operator per task-manager JVM and factory key, shared by every slot: a model is loaded by the first subtask
 * that opens and released when the last one closes. Native libraries are loaded once per JVM by DJL itself.
 */
public final class SharedOperators {
    private static final Map<String, Entry> OPEN = new HashMap<>();

    private static final class Entry {
        final SetRecOperator operator;
        int users;

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
            entry.operator.close();
        }
    }

    /** How many operators this JVM holds open (tests check that closing a job releases its model). */
    public static synchronized int openCount() {
        return OPEN.size();
    }
}
