package dev.setrec.jobs.quickstart;

import dev.setrec.schemas.AvroCodec;
import dev.setrec.schemas.BadRecordException;
import dev.setrec.schemas.DeadLetter;
import dev.setrec.schemas.ModelVersion;
import dev.setrec.schemas.Recommendation;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Watches the job and its output on its own thread: consumes the recommendations and dead-letters topics (and the
 * refresh's model-versions, where the run refreshes) from their start (a fresh consumer group each time,
 * read_committed as any downstream reader), feeds {@link LiveFigures} (and {@link RefreshOutcomes}), and has the
 * {@link StatusBoard} draw them with the job's health about once a second. {@link #close()} stops it and
 * draws the summary.
 */
public final class LiveView implements AutoCloseable {
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(200);
    private static final long RENDER_EVERY_MILLIS = 1_000;

    private final Consumer<byte[], byte[]> consumer;
    private final String recommendationsTopic;
    private final String deadLettersTopic;
    private final LiveFigures figures;
    private final StatusBoard board;
    private final Supplier<JobHealth> job;
    private final String modelVersionsTopic;
    private final RefreshOutcomes refreshes;
    private final AvroCodec<Recommendation> recommendationCodec = AvroCodec.of(Recommendation.class);
    private final AvroCodec<DeadLetter> deadLetterCodec = AvroCodec.of(DeadLetter.class);
    private final AvroCodec<ModelVersion> modelVersionCodec = AvroCodec.of(ModelVersion.class);
    private final Thread thread;
    private volatile boolean stopping;
    private volatile RuntimeException failure;
    private boolean closed;
    private LiveFigures.Snapshot summary;

    private LiveView(Consumer<byte[], byte[]> consumer, String recommendationsTopic, String deadLettersTopic,
                     LiveFigures figures, StatusBoard board, Supplier<JobHealth> job, String modelVersionsTopic,
                     RefreshOutcomes refreshes) {
        this.consumer = consumer;
        this.recommendationsTopic = recommendationsTopic;
        this.deadLettersTopic = deadLettersTopic;
        this.figures = figures;
        this.board = board;
        this.job = job;
        this.modelVersionsTopic = modelVersionsTopic;
        this.refreshes = refreshes;
        this.thread = new Thread(this::run, "setrec-live-view");
        thread.setDaemon(true);
    }

    /** @param job the job's health now (asked about once a second) */
    public static LiveView start(String bootstrapServers, String recommendationsTopic, String deadLettersTopic,
                                 LiveFigures figures, StatusBoard board, Supplier<JobHealth> job) {
        return start(bootstrapServers, recommendationsTopic, deadLettersTopic, figures, board, job, null, null);
    }

    /**
     * As above, and each refresh's outcome on {@code modelVersionsTopic} (which exists) goes to {@code refreshes} and
     * is said on the board.
     */
    public static LiveView start(String bootstrapServers, String recommendationsTopic, String deadLettersTopic,
                                 LiveFigures figures, StatusBoard board, Supplier<JobHealth> job,
                                 String modelVersionsTopic, RefreshOutcomes refreshes) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, "setrec-live-view-" + UUID.randomUUID(),
                ConsumerConfig.CLIENT_ID_CONFIG, "setrec-live-view",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        LiveView view = new LiveView(new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer()), recommendationsTopic, deadLettersTopic, figures, board, job,
                modelVersionsTopic, refreshes);
        view.thread.start();
        return view;
    }

    public LiveFigures figures() {
        return figures;
    }

    /** Why the view stopped watching before it was closed, if it did. */
    public Optional<RuntimeException> failure() {
        return Optional.ofNullable(failure);
    }

    /** The figures {@link #close()} drew as the summary (the run's report shows the same); null before. */
    public synchronized LiveFigures.Snapshot summary() {
        return summary;
    }

    /** Stops consuming and draws the summary. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        stopping = true;
        consumer.wakeup();
        boolean interrupted = Threads.joinUninterruptibly(thread);
        long now = System.currentTimeMillis();
        summary = figures.snapshot(now);
        board.summary(summary, job.get(), now);
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try (consumer) {
            consumer.subscribe(modelVersionsTopic == null ? List.of(recommendationsTopic, deadLettersTopic)
                    : List.of(recommendationsTopic, deadLettersTopic, modelVersionsTopic));
            long nextRender = 0;
            while (!stopping) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL_TIMEOUT);
                long arrival = System.currentTimeMillis();
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    accept(record, arrival);
                }
                if (arrival >= nextRender) {
                    board.render(figures, job.get(), arrival);
                    nextRender = arrival + RENDER_EVERY_MILLIS;
                }
            }
        } catch (WakeupException e) {
            // close() wakes the consumer up: the normal way out
        } catch (RuntimeException e) {
            failure = e;
        }
    }

    private void accept(ConsumerRecord<byte[], byte[]> record, long arrivalMillis) {
        try {
            if (record.topic().equals(recommendationsTopic)) {
                figures.recommendation(recommendationCodec.decode(record.value()), arrivalMillis);
            } else if (record.topic().equals(deadLettersTopic)) {
                figures.deadLetter(deadLetterCodec.decode(record.value()));
            } else if (record.topic().equals(modelVersionsTopic)) {
                board.announce(refreshes.accept(modelVersionCodec.decode(record.value())));
            }
        } catch (BadRecordException e) {
            figures.unreadable();
        }
    }
}
