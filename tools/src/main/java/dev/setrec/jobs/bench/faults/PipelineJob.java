package dev.setrec.jobs.bench.faults;

import dev.setrec.jobs.JobOptions;
import dev.setrec.jobs.pipeline.KafkaIo;
import dev.setrec.jobs.pipeline.RecommendationJob;
import dev.setrec.jobs.scoring.Operators;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The recommendation job as the fault scenarios (and the end-to-end tests) run it: built by
 * {@link RecommendationJob#build} with {@link KafkaIo} on four topics of its own (named after the run), RocksDB state
 * checkpointed every 500 ms, in-process scoring with the {@link ServedModel} unless the options say otherwise.
 * Defaults: parallelism 2, at-least-once, no restart (a failing job fails at once instead of restarting until a wait
 * runs out).
 */
public final class PipelineJob {
    public static final int PARTITIONS = 2;
    /**
     * k covers the whole catalogue plus this many items onboarded at run time: with exclude-seen on (the job's
     * default) a recommendation lists every item the model knows outside the user's history, so the item ids of a
     * recommendation show both the history the job kept and the items it onboarded.
     */
    public static final int ONBOARDED_ROOM = 5;
    public static final List<ConfigOption<String>> TOPICS = List.of(JobOptions.INTERACTIONS_TOPIC,
            JobOptions.ITEMS_TOPIC, JobOptions.RECOMMENDATIONS_TOPIC, JobOptions.DEAD_LETTERS_TOPIC);
    private static final Duration RESTART_DELAY = Duration.ofMillis(500);

    private final String name;
    private final Configuration options = new Configuration();
    private Path modelDir;

    private PipelineJob(String name, Path checkpoints, ServedModel model) {
        this.name = name;
        this.modelDir = model.dir();
        for (ConfigOption<String> topic : TOPICS) {
            options.set(topic, name + "." + topic.defaultValue());
        }
        options.set(PipelineOptions.NAME, name);
        options.set(JobOptions.GROUP_ID, name);
        options.set(JobOptions.DELIVERY, DeliveryGuarantee.AT_LEAST_ONCE);
        options.set(JobOptions.TOP_K, model.catalogue().size() + ONBOARDED_ROOM);
        options.set(JobOptions.DEVICE, "cpu");
        // The scenarios check that the model answers; on two busy cores a first forward pass can take seconds.
        options.set(JobOptions.SCORING_TIMEOUT, Duration.ofSeconds(30));
        options.set(CoreOptions.DEFAULT_PARALLELISM, 2);
        options.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        options.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        options.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        options.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(500));
        // Flink's default with checkpoints restarts forever: a failing job would only show as a timeout.
        options.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
    }

    /**
     * The job serving {@code model} on topics prefixed with {@code name} (unique per run), checkpointing into
     * {@code checkpoints}.
     */
    public static PipelineJob named(String name, Path checkpoints, ServedModel model) {
        return new PipelineJob(name, checkpoints, model);
    }

    public PipelineJob delivery(DeliveryGuarantee delivery) {
        return with(JobOptions.DELIVERY, delivery);
    }

    public PipelineJob parallelism(int parallelism) {
        return with(CoreOptions.DEFAULT_PARALLELISM, parallelism);
    }

    /** Restarts after a failure, up to {@code attempts} times (Flink's fixed-delay strategy). */
    public PipelineJob restartAttempts(int attempts) {
        with(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        with(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, attempts);
        return with(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, RESTART_DELAY);
    }

    /** In-process scoring loads this model dir instead of the served model's. */
    public PipelineJob modelDir(Path dir) {
        this.modelDir = dir;
        return this;
    }

    /** Any job or Flink option (the scoring mode and its settings, say). */
    public <T> PipelineJob with(ConfigOption<T> option, T value) {
        options.set(option, value);
        return this;
    }

    public String name() {
        return name;
    }

    public String topic(ConfigOption<String> topic) {
        return options.get(topic);
    }

    public boolean exactlyOnce() {
        return options.get(JobOptions.DELIVERY) == DeliveryGuarantee.EXACTLY_ONCE;
    }

    /** The job's graph, restored from {@code savepoint} where it is not null; creates its topics first. */
    JobGraph jobGraph(Broker broker, String savepoint) {
        options.set(JobOptions.BOOTSTRAP_SERVERS, broker.bootstrapServers());
        broker.ensureTopics(TOPICS.stream().map(options::get).toList(), PARTITIONS);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(options);
        KafkaIo kafkaIo = new KafkaIo(options);
        RecommendationJob.build(env, options, Operators.factory(options, modelDir), kafkaIo, kafkaIo);
        JobGraph graph = env.getStreamGraph().getJobGraph();
        graph.setSavepointRestoreSettings(savepoint == null ? SavepointRestoreSettings.none()
                : SavepointRestoreSettings.forPath(savepoint, false));
        return graph;
    }
}
