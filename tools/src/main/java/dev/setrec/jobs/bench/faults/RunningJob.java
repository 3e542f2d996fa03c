package dev.setrec.jobs.bench.faults;

import dev.setrec.jobs.JobOptions;
import dev.setrec.schemas.AvroCodec;
import dev.setrec.schemas.DeadLetter;
import dev.setrec.schemas.InteractionEvent;
import dev.setrec.schemas.ItemEvent;
import dev.setrec.schemas.Recommendation;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.minicluster.MiniCluster;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** One job on a {@link ControlledCluster}, with its topics; cancelled (where it still runs) and awaited on close. */
public final class RunningJob implements AutoCloseable {
    private static final AvroCodec<InteractionEvent> INTERACTIONS = AvroCodec.of(InteractionEvent.class);
    private static final AvroCodec<ItemEvent> ITEMS = AvroCodec.of(ItemEvent.class);
    private static final AvroCodec<Recommendation> RECOMMENDATIONS = AvroCodec.of(Recommendation.class);
    private static final AvroCodec<DeadLetter> DEAD_LETTERS = AvroCodec.of(DeadLetter.class);

    private final MiniCluster cluster;
    private final JobID id;
    private final PipelineJob job;
    private final Broker broker;
    private final CompletableFuture<JobResult> result;

    RunningJob(MiniCluster cluster, JobID id, PipelineJob job, Broker broker) {
        this.cluster = cluster;
        this.id = id;
        this.job = job;
        this.broker = broker;
        this.result = cluster.requestJobResult(id);
    }

    public String topic(ConfigOption<String> topic) {
        return job.topic(topic);
    }

    /** Writes one record to one of the job's topics. */
    public Origin send(ConfigOption<String> topic, String key, byte[] value) throws Exception {
        return broker.send(topic(topic), key, value);
    }

    /** Sends the interaction (keyed by its user); returns its event time, which its recommendation carries. */
    public long send(InteractionEvent interaction) throws Exception {
        send(JobOptions.INTERACTIONS_TOPIC, interaction.getUserId(), INTERACTIONS.encode(interaction));
        return interaction.getEventTime().toEpochMilli();
    }

    /** Sends a click of {@code user} on {@code item}; returns its event time. */
    public long interact(String user, String item) throws Exception {
        return send(Interactions.click(user, item));
    }

    /** Publishes a new item on the items topic. */
    public void publish(ItemEvent item) throws Exception {
        send(JobOptions.ITEMS_TOPIC, item.getItemId(), ITEMS.encode(item));
    }

    /**
     * Reads the recommendations topic from its beginning as a downstream consumer of this job should: read_committed
     * where the job delivers exactly-once (only committed transactions), read_uncommitted otherwise.
     */
    public TopicReader<Recommendation> recommendations() {
        return new TopicReader<>(broker.bootstrapServers(), topic(JobOptions.RECOMMENDATIONS_TOPIC), RECOMMENDATIONS,
                job.exactlyOnce(), this);
    }

    /** Reads the dead-letters topic from its beginning, like {@link #recommendations()}. */
    public TopicReader<DeadLetter> deadLetters() {
        return new TopicReader<>(broker.bootstrapServers(), topic(JobOptions.DEAD_LETTERS_TOPIC), DEAD_LETTERS,
                job.exactlyOnce(), this);
    }

    /** Throws at once, with the job's error, when the job is no longer running. */
    public void requireRunning() throws Exception {
        if (result.isDone()) {
            throw new WaitFailedException(ended().orElseThrow(), failure().orElse(null));
        }
    }

    /** Where the job is no longer running: that it ended, how, and its error. */
    public Optional<String> ended() throws Exception {
        if (!result.isDone()) {
            return Optional.empty();
        }
        return Optional.of("the job " + job.name() + " ended: " + result.get().getApplicationStatus()
                + failure().map(error -> " (" + error + ")").orElse(""));
    }

    /** The job's error, once it failed; empty while it runs or where it ended without one. */
    public Optional<Throwable> failure() throws Exception {
        if (!result.isDone()) {
            return Optional.empty();
        }
        return result.get().getSerializedThrowable()
                .map(error -> error.deserializeError(Thread.currentThread().getContextClassLoader()));
    }

    /** Waits until the job ended; its error, where it failed. */
    public Optional<Throwable> awaitEnd(Duration timeout) throws Exception {
        result.get(timeout.toSeconds(), TimeUnit.SECONDS);
        return failure();
    }

    /**
     * How often the job restarted so far: each restart gives every task it redeploys a new execution attempt, so
     * the highest attempt number counts them, whichever part of the graph was restarted.
     */
    public int restarts() throws Exception {
        AccessExecutionGraph graph = cluster.getExecutionGraph(id).get(ControlledCluster.TIMEOUT.toSeconds(),
                TimeUnit.SECONDS);
        int restarts = 0;
        for (AccessExecutionVertex vertex : graph.getAllExecutionVertices()) {
            restarts = Math.max(restarts, vertex.getCurrentExecutionAttempt().getAttemptNumber());
        }
        return restarts;
    }

    /** Stops the job with a savepoint in {@code dir} (sources first, so nothing is left in flight); its path. */
    public String stopWithSavepoint(Path dir) throws Exception {
        String savepoint = cluster.stopWithSavepoint(id, dir.toUri().toString(), false,
                SavepointFormatType.CANONICAL).get(ControlledCluster.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        result.get(ControlledCluster.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        return savepoint;
    }

    @Override
    public void close() throws Exception {
        if (!result.isDone()) {
            cluster.cancelJob(id).get(ControlledCluster.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
        // The result is there once every task is cancelled and its functions closed.
        result.get(ControlledCluster.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }
}
