package dev.setrec.jobs.pipeline;

import dev.setrec.jobs.records.AvroThreadState;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.KafkaSourceEnumState;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A {@link KafkaSource} whose split enumerator (on the job manager) can close after the job's class loader has.
 *
 * <p>Flink closes a source's coordinator asynchronously (RecreateOnResetOperatorCoordinator#close) and may release
 * the job's class loader before that close has run. The enumerator's Kafka admin client then loads classes it has not
 * needed before (its network selector's close mode, among others) from a closed class loader: {@code
 * NoClassDefFoundError} and "Trying to access closed classloader" errors at every job end, and a client whose threads
 * and JMX registrations outlive the job, holding its classes in the job manager. Before the enumerator starts, a
 * short-lived admin client of the same settings connects and closes once, which loads every class a close needs while
 * the class loader is open; the real close then needs no class loading.
 *
 * <p>The enumerator's start and close are also where the job's code runs on the job manager: both let go of the job's
 * Avro per-thread state there ({@link AvroThreadState}), which the job manager's shared threads would otherwise keep,
 * and with it every class of the job. The start releases what deserializing the job left (Flink 2 deserializes a
 * job's stream graph on the job manager's {@code jobmanager-future-thread} pool, and the class initialization of the
 * generated Avro records parses their schemas there); the close releases what the job did later. A release at the
 * close alone once missed a job (the job's end left no trace of it in the log), and its classes stayed.
 */
public final class CloseReadyKafkaSource<T>
        implements Source<T, KafkaPartitionSplit, KafkaSourceEnumState>, ResultTypeQueryable<T> {
    private static final long serialVersionUID = 1L;
    /** How long the rehearsal waits for the broker; a broker that does not answer only skips the rehearsal. */
    private static final Duration REHEARSAL = Duration.ofSeconds(10);

    private final KafkaSource<T> source;
    private final Map<String, String> adminSettings;

    /** @param bootstrapServers the brokers the source reads from, whom the rehearsal's admin client asks */
    public CloseReadyKafkaSource(KafkaSource<T> source, String bootstrapServers) {
        this.source = source;
        this.adminSettings = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.CLIENT_ID_CONFIG, "setrec-close-rehearsal");
    }

    @Override
    public Boundedness getBoundedness() {
        return source.getBoundedness();
    }

    @Override
    public SourceReader<T, KafkaPartitionSplit> createReader(SourceReaderContext context) throws Exception {
        return source.createReader(context);
    }

    @Override
    public SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> createEnumerator(
            SplitEnumeratorContext<KafkaPartitionSplit> context) {
        return new Enumerator(source.createEnumerator(context), adminSettings);
    }

    @Override
    public SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> restoreEnumerator(
            SplitEnumeratorContext<KafkaPartitionSplit> context, KafkaSourceEnumState state) throws IOException {
        return new Enumerator(source.restoreEnumerator(context, state), adminSettings);
    }

    @Override
    public SimpleVersionedSerializer<KafkaPartitionSplit> getSplitSerializer() {
        return source.getSplitSerializer();
    }

    @Override
    public SimpleVersionedSerializer<KafkaSourceEnumState> getEnumeratorCheckpointSerializer() {
        return source.getEnumeratorCheckpointSerializer();
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return source.getProducedType();
    }

    /** Connects and closes an admin client, so that the classes of a close are loaded now. */
    static void rehearseClose(Map<String, String> adminSettings) {
        try (Admin admin = Admin.create(Map.copyOf(adminSettings))) {
            admin.describeCluster().clusterId().get(REHEARSAL.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException brokerAway) {
            // the enumerator retries on its own; the close path is loaded all the same
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The Kafka source's enumerator, started after the rehearsal. */
    private static final class Enumerator implements SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> {
        private final SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> enumerator;
        private final Map<String, String> adminSettings;
        /** Decided (and AvroThreadState loaded) now, while the job's class loader is open. */
        private final boolean releaseAvro = AvroThreadState.avroIsTheJobs();

        Enumerator(SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> enumerator,
                   Map<String, String> adminSettings) {
            this.enumerator = enumerator;
            this.adminSettings = adminSettings;
        }

        @Override
        public void start() {
            if (releaseAvro) {
                AvroThreadState.release(); // what deserializing the job left on the job manager's shared threads
            }
            rehearseClose(adminSettings);
            enumerator.start();
        }

        @Override
        public void handleSplitRequest(int subtaskId, String requesterHostname) {
            enumerator.handleSplitRequest(subtaskId, requesterHostname);
        }

        @Override
        public void addSplitsBack(List<KafkaPartitionSplit> splits, int subtaskId) {
            enumerator.addSplitsBack(splits, subtaskId);
        }

        @Override
        public void addReader(int subtaskId) {
            enumerator.addReader(subtaskId);
        }

        @Override
        public KafkaSourceEnumState snapshotState(long checkpointId) throws Exception {
            return enumerator.snapshotState(checkpointId);
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) throws Exception {
            enumerator.notifyCheckpointComplete(checkpointId);
        }

        @Override
        public void handleSourceEvent(int subtaskId, SourceEvent sourceEvent) {
            enumerator.handleSourceEvent(subtaskId, sourceEvent);
        }

        @Override
        public void close() throws IOException {
            try {
                enumerator.close();
            } finally {
                if (releaseAvro) {
                    AvroThreadState.release();
                }
            }
        }
    }
}
