package dev.setrec.jobs.pipeline;

import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.connector.kafka.sink.TwoPhaseCommittingStatefulSink.PrecommittingStatefulSinkWriter;
import org.apache.kafka.clients.admin.Admin;

import java.io.IOException;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.Collection;
import java.util.List;

/**
 * A sink writer that, once closed, closes the admin client its delegate left open ({@link AdminClosingKafkaSink}).
 * The client sits in the connector's private field {@value #FIELD}; a writer without one (at-least-once) or with
 * none opened is left as it is.
 */
final class AdminClosingWriter<T, S, C> implements PrecommittingStatefulSinkWriter<T, S, C> {
    static final String FIELD = "adminClient";

    private final PrecommittingStatefulSinkWriter<T, S, C> writer;

    AdminClosingWriter(PrecommittingStatefulSinkWriter<T, S, C> writer) {
        this.writer = writer;
    }

    @Override
    public void write(T element, Context context) throws IOException, InterruptedException {
        writer.write(element, context);
    }

    @Override
    public void writeWatermark(Watermark watermark) throws IOException, InterruptedException {
        writer.writeWatermark(watermark);
    }

    @Override
    public void flush(boolean endOfInput) throws IOException, InterruptedException {
        writer.flush(endOfInput);
    }

    @Override
    public Collection<C> prepareCommit() throws IOException, InterruptedException {
        return writer.prepareCommit();
    }

    @Override
    public List<S> snapshotState(long checkpointId) throws IOException {
        return writer.snapshotState(checkpointId);
    }

    @Override
    public void close() throws Exception {
        try {
            writer.close();
        } finally {
            Admin admin = openedAdmin(writer);
            if (admin != null) {
                closeUninterrupted(admin);
            }
        }
    }

    /**
     * Closes {@code admin} at once (its pending calls fail) and waits for its thread to end, also where this thread
     * was interrupted (a cancelled task's is, and an interrupted close returns while the client's thread still
     * runs); the interrupt is kept.
     */
    static void closeUninterrupted(Admin admin) {
        boolean interrupted = Thread.interrupted();
        try {
            admin.close(Duration.ZERO);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The admin client in {@code writer}'s field {@value #FIELD} (or a superclass's), or null. */
    static Admin openedAdmin(Object writer) throws IllegalAccessException {
        for (Class<?> type = writer.getClass(); type != null; type = type.getSuperclass()) {
            for (Field field : type.getDeclaredFields()) {
                if (field.getName().equals(FIELD) && Admin.class.isAssignableFrom(field.getType())) {
                    field.setAccessible(true);
                    return (Admin) field.get(writer);
                }
            }
        }
        return null;
    }
}
