package dev.setrec.jobs.embedded;

import dev.setrec.jobs.JobOptions;
import dev.setrec.jobs.LocalFlink;
import dev.setrec.jobs.functions.ModelFolderRefresher;
import dev.setrec.jobs.functions.Refresher;
import dev.setrec.jobs.kafka.Topics;
import dev.setrec.jobs.pipeline.KafkaIo;
import dev.setrec.jobs.pipeline.RecommendationJob;
import dev.setrec.jobs.pipeline.RefreshJob;
import dev.setrec.jobs.quickstart.JobHealth;
import dev.setrec.jobs.scoring.Operators;
import dev.setrec.jobs.scoring.SetRecOperator;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The recommendation job as the quickstart and the streaming benchmark run it: its topics created on the given
 * broker (one partition per subtask), then the job on a local Flink cluster in this process (parallelism 2,
 * RocksDB, checkpoints every second), whose state, restarts and last failure {@link #health()} tells; or the refresh
 * job ({@link #startRefresh}). Closing cancels it.
 */
public final class EmbeddedJob implements AutoCloseable {
    public static final int PARALLELISM = 2;
    private static final Duration TOPICS_TIMEOUT = Duration.ofSeconds(30);

    private final Configuration options;
    private final Duration checkpointInterval;
    private final LocalCluster cluster;

    private EmbeddedJob(Configuration options, Duration checkpointInterval, LocalCluster cluster) {
        this.options = options;
        this.checkpointInterval = checkpointInterval;
        this.cluster = cluster;
    }

    /**
     * @param flags job and Flink options as {@code key=value} (see {@link JobOptions}); the bootstrap servers are
     *              set here
     * @param model the model dir or models folder of in-process scoring (unused with remote scoring)
     */
    public static EmbeddedJob start(String jobName, String bootstrapServers, Map<String, String> flags, Path model,
                                    Path checkpoints) throws Exception {
        return start(jobName, bootstrapServers, flags, options -> Operators.factory(options, model), checkpoints);
    }

    /** As above, scored by the operator {@code scoring} makes of the job's options (a benchmark's stand-in, say). */
    public static EmbeddedJob start(String jobName, String bootstrapServers, Map<String, String> flags,
                                    Function<Configuration, SetRecOperator.Factory> scoring, Path checkpoints)
            throws Exception {
        return run(jobName, bootstrapServers, flags, PARALLELISM, options -> topics(options, PARALLELISM),
                (env, options) -> {
                    KafkaIo kafka = new KafkaIo(options);
                    RecommendationJob.build(env, options, scoring.apply(options), kafka, kafka);
                }, checkpoints);
    }

    /**
     * The refresh job ({@link RefreshJob}) at parallelism 1 on a local cluster of its own, refreshing the models
     * folder {@code models} ({@link ModelFolderRefresher}, its progress appended to {@code log}); its topics created
     * first.
     *
     * @param flags job and Flink options as {@code key=value} (see {@link JobOptions}); the bootstrap servers and the
     *              models folder are set here
     */
    public static EmbeddedJob startRefresh(String jobName, String bootstrapServers, Map<String, String> flags,
                                           Path models, Path log, Path checkpoints) throws Exception {
        Map<String, String> withModels = new LinkedHashMap<>(flags);
        withModels.put(JobOptions.MODEL_DIR.key(), models.toString());
        return run(jobName, bootstrapServers, withModels, 1, options -> refreshTopics(options, PARALLELISM),
                (env, options) -> {
                    KafkaIo kafka = KafkaIo.forRefreshJob(options);
                    RefreshJob.build(env, options, new ModelFolderRefresher(models, options, log), kafka, kafka);
                }, checkpoints);
    }

    /** Builds a job's pipeline on the environment, from the job's options. */
    @FunctionalInterface
    private interface Pipeline {
        void build(StreamExecutionEnvironment env, Configuration options) throws Exception;
    }

    private static EmbeddedJob run(String jobName, String bootstrapServers, Map<String, String> flags,
                                   int parallelism, Function<Configuration, Map<String, Integer>> topics,
                                   Pipeline pipeline, Path checkpoints) throws Exception {
        quietMetricCollisionWarnings();
        Map<String, String> withBroker = new LinkedHashMap<>(flags);
        withBroker.put(JobOptions.BOOTSTRAP_SERVERS.key(), bootstrapServers);
        Configuration options = JobOptions.load(null, withBroker);
        Topics.ensure(bootstrapServers, topics.apply(options), TOPICS_TIMEOUT);
        Configuration flink = LocalFlink.configuration(options, checkpoints, parallelism);
        StreamExecutionEnvironment env = LocalFlink.environment(flink);
        pipeline.build(env, options);
        return new EmbeddedJob(options, flink.get(CheckpointingOptions.CHECKPOINTING_INTERVAL),
                LocalCluster.run(env, flink, jobName));
    }

    /**
     * The refresh job as ./setrec refresh-job runs it: its topics ({@link #refreshTopics}) created on the broker of
     * {@code options}, then the job on a local Flink cluster in this process, which the caller closes.
     */
    public static LocalCluster startRefresh(String jobName, Configuration options, Refresher refresher,
                                            Path checkpoints, int parallelism) throws Exception {
        quietMetricCollisionWarnings();
        Topics.ensure(options.get(JobOptions.BOOTSTRAP_SERVERS), refreshTopics(options, parallelism), TOPICS_TIMEOUT);
        Configuration flink = LocalFlink.configuration(options, checkpoints, parallelism);
        StreamExecutionEnvironment env = LocalFlink.environment(flink);
        KafkaIo kafka = KafkaIo.forRefreshJob(options);
        RefreshJob.build(env, options, refresher, kafka, kafka);
        return LocalCluster.run(env, flink, jobName);
    }

    /**
     * The Kafka sink's committer registers its 'pendingCommittables' metric again on every checkpoint, and Flink logs
     * a WARN about the name collision each time: several lines a second that bury the console output (the metric
     * itself is kept). As for the broker's loggers, this works with slf4j-simple (the launcher's logger) and keeps
     * a level the caller chose.
     */
    public static void quietMetricCollisionWarnings() {
        String property = "org.slf4j.simpleLogger.log.org.apache.flink.metrics.MetricGroup";
        if (System.getProperty(property) == null) {
            System.setProperty(property, "error");
        }
    }

    /** The options the job runs with (topic names, delivery guarantee, ...). */
    public Configuration options() {
        return options;
    }

    /** How often the job checkpoints; with exactly-once delivery, how often its output is committed. */
    public Duration checkpointInterval() {
        return checkpointInterval;
    }

    /** A canonical savepoint of the job's whole state in {@code dir}; its path (see {@link LocalCluster#savepoint}). */
    public String savepoint(Path dir, Duration timeout) throws Exception {
        return cluster.savepoint(dir, timeout);
    }

    /** The job's state, restarts and last failure now. */
    public JobHealth health() {
        return cluster.health();
    }

    /** Cancels the job (where it still runs), waits until it has ended, and stops the local cluster. */
    @Override
    public void close() throws Exception {
        cluster.close();
    }

    /** The job's four topics, each with as many partitions as subtasks so that all of them get work. */
    public static Map<String, Integer> topics(Configuration options, int partitions) {
        return withPartitions(partitions, options.get(JobOptions.INTERACTIONS_TOPIC),
                options.get(JobOptions.ITEMS_TOPIC), options.get(JobOptions.RECOMMENDATIONS_TOPIC),
                options.get(JobOptions.DEAD_LETTERS_TOPIC));
    }

    /**
     * The refresh job's topics: the two it reads and the dead letters as {@link #topics}, and model-versions with one
     * partition (one writer, whose records a reader should see in the order they were published).
     */
    public static Map<String, Integer> refreshTopics(Configuration options, int partitions) {
        Map<String, Integer> topics = withPartitions(partitions, options.get(JobOptions.INTERACTIONS_TOPIC),
                options.get(JobOptions.ITEMS_TOPIC), options.get(JobOptions.DEAD_LETTERS_TOPIC));
        topics.put(options.get(JobOptions.MODEL_VERSIONS_TOPIC), 1);
        return topics;
    }

    private static Map<String, Integer> withPartitions(int partitions, String... topics) {
        Map<String, Integer> withPartitions = new LinkedHashMap<>();
        for (String topic : topics) {
            withPartitions.put(topic, partitions);
        }
        return withPartitions;
    }
}
