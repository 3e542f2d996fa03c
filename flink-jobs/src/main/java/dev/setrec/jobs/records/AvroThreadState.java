package dev.setrec.jobs.records;

import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.ref.Reference;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Avro's per-thread state of a job, let go of as the job starts and ends.
 *
 * <p>Avro keeps per-thread state in static ThreadLocals (the name validator of {@code Schema.Parser}, decoders,
 * resolver caches). Flink's job manager deserializes a job's serializers (Avro's among them) on its own pool threads,
 * which live as long as the job manager: once Avro has parsed a schema there, the thread's ThreadLocal map holds an
 * object of the job's Avro classes, and through it the job's class loader, for good (measured: every job's classes
 * kept, the job manager out of metaspace after about a dozen submissions). As the job starts and as it ends, {@link
 * #release()} empties those entries on every thread. It does so only where Avro is the job's own (loaded by the job's
 * class loader): where Avro is shared (a local cluster, Avro in Flink's lib/), its ThreadLocals are shared too and are
 * left alone. Reading another thread's ThreadLocal map needs {@code --add-opens java.base/java.lang=ALL-UNNAMED}, which
 * Flink's own JVM options give; without it nothing is released and a warning says so.
 */
public final class AvroThreadState {
    private static final Logger LOG = LoggerFactory.getLogger(AvroThreadState.class);
    /** Avro's classes with static ThreadLocals (Avro 1.12). */
    private static final List<String> HOLDERS = List.of("org.apache.avro.Schema",
            "org.apache.avro.SystemLimitException", "org.apache.avro.generic.GenericDatumReader",
            "org.apache.avro.io.BinaryData", "org.apache.avro.message.BinaryMessageDecoder",
            "org.apache.avro.message.RawMessageDecoder", "org.apache.avro.message.RawMessageEncoder",
            "org.apache.avro.message.MessageDecoder$BaseDecoder");

    private AvroThreadState() {
    }

    /**
     * Whether Avro's classes are this job's own, not shared with Flink or other jobs, so that {@link #release()} has
     * something to do. Calling it also loads this class while the job's class loader is open: a release may run after
     * Flink closed it.
     */
    public static boolean avroIsTheJobs() {
        ClassLoader avro = Schema.class.getClassLoader();
        return avro != null && avro != ClassLoader.getSystemClassLoader()
                && avro != org.apache.flink.api.common.JobID.class.getClassLoader();
    }

    /** Empties, on every live thread, the ThreadLocal entries of this job's Avro; returns how many. */
    public static int release() {
        if (!avroIsTheJobs()) {
            return 0;
        }
        try {
            int released = clear(avroThreadLocals());
            LOG.info("released {} per-thread entries of this job's Avro on threads that outlive the job", released);
            return released;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) { // no opens, a closed loader
            LOG.warn("Avro's per-thread state of this job cannot be released ({}): its classes stay in memory on "
                    + "threads that outlive the job", e.toString());
            return 0;
        }
    }

    private static Set<ThreadLocal<?>> avroThreadLocals() throws IllegalAccessException {
        Set<ThreadLocal<?>> locals = Collections.newSetFromMap(new IdentityHashMap<>());
        for (String name : HOLDERS) {
            Class<?> holder;
            try {
                holder = Class.forName(name, false, Schema.class.getClassLoader());
            } catch (ClassNotFoundException otherAvroVersion) {
                continue;
            }
            for (Field field : holder.getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers()) && ThreadLocal.class.isAssignableFrom(field.getType())) {
                    field.setAccessible(true);
                    locals.add((ThreadLocal<?>) field.get(null));
                }
            }
        }
        return locals;
    }

    /**
     * Clears each thread's map entries of {@code locals}: the key reference is cleared and the value dropped, so the
     * thread's map expunges the entry as a stale one. The job has ended, so no thread uses these ThreadLocals any more.
     */
    private static int clear(Set<ThreadLocal<?>> locals) throws ReflectiveOperationException {
        Field threadLocals = Thread.class.getDeclaredField("threadLocals");
        threadLocals.setAccessible(true);
        Field table = null;
        Field value = null;
        int cleared = 0;
        for (Thread thread : liveThreads()) {
            Object map = threadLocals.get(thread);
            if (map == null) {
                continue;
            }
            if (table == null) {
                table = map.getClass().getDeclaredField("table");
                table.setAccessible(true);
            }
            Object[] entries = (Object[]) table.get(map);
            for (Object entry : entries) {
                if (entry instanceof Reference<?> key && locals.contains(key.get())) {
                    if (value == null) {
                        value = entry.getClass().getDeclaredField("value");
                        value.setAccessible(true);
                    }
                    value.set(entry, null);
                    key.clear();
                    cleared++;
                }
            }
        }
        return cleared;
    }

    private static List<Thread> liveThreads() {
        return new ArrayList<>(Thread.getAllStackTraces().keySet());
    }
}
