package dev.setrec.jobs.pipeline;

import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.connector.kafka.sink.TwoPhaseCommittingStatefulSink.PrecommittingStatefulSinkWriter;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The admin client that the connector's exactly-once writer leaves open, closed with the writer. */
class AdminClosingWriterTest {
    private static final String ADMIN_THREAD = "kafka-admin-client-thread";

    /** A writer like the connector's exactly-once one: an admin client in a private field, never closed by it. */
    private static final class LeakyWriter implements PrecommittingStatefulSinkWriter<String, String, String> {
        private final Admin adminClient = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                "127.0.0.1:9", AdminClientConfig.CLIENT_ID_CONFIG, "leaky-writer"));
        private boolean closed;

        @Override
        public void write(String element, SinkWriter.Context context) {
        }

        @Override
        public void flush(boolean endOfInput) {
        }

        @Override
        public Collection<String> prepareCommit() {
            return List.of();
        }

        @Override
        public List<String> snapshotState(long checkpointId) {
            return List.of();
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private static boolean adminThreadAlive(String clientId) {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().startsWith(ADMIN_THREAD) && t.getName().contains(clientId) && t.isAlive());
    }

    @Test
    void closingTheWriterClosesTheAdminClientItsDelegateLeftOpenAndItsThreadEnds() throws Exception {
        LeakyWriter leaky = new LeakyWriter();
        assertTrue(adminThreadAlive("leaky-writer"), "the delegate's admin client runs a thread");

        new AdminClosingWriter<>(leaky).close();

        assertTrue(leaky.closed, "the delegate is closed");
        assertFalse(adminThreadAlive("leaky-writer"), "the admin client's thread has ended");
    }

    @Test
    void aCloseOnAnInterruptedThreadStillWaitsForTheAdminThreadToEndAndKeepsTheInterrupt() throws Exception {
        LeakyWriter leaky = new LeakyWriter();
        leaky.adminClient.describeCluster(); // pending: nothing listens on port 9, the client's thread has work
        boolean interruptKept;
        Thread.currentThread().interrupt(); // as a cancelled task's thread is
        try {
            new AdminClosingWriter<>(leaky).close();
        } finally {
            interruptKept = Thread.interrupted();
        }

        assertTrue(interruptKept, "the closing thread is still interrupted");
        assertFalse(adminThreadAlive("leaky-writer"), "the admin client's thread has ended");
    }

    @Test
    void theConnectorsExactlyOnceWriterStillKeepsItsAdminClientWhereTheWriterLooksForIt() throws Exception {
        // a connector upgrade that renames or drops the field fails here: then check whether it still leaks
        Class<?> writer = Class.forName("org.apache.flink.connector.kafka.sink.ExactlyOnceKafkaWriter");
        Field[] fields = writer.getDeclaredFields();
        assertTrue(Arrays.stream(fields).anyMatch(f -> f.getName().equals(AdminClosingWriter.FIELD)
                && Admin.class.isAssignableFrom(f.getType())), Arrays.toString(fields));
    }
}
