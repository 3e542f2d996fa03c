package dev.setrec.cluster;

import dev.setrec.cluster.harness.Await;
import dev.setrec.cluster.harness.FlinkCluster;
import dev.setrec.jobs.JobOptions;
import dev.setrec.jobs.cli.ClusterJob;
import dev.setrec.jobs.kafka.Topics;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.connector.base.DeliveryGuarantee;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.Collectors;

/**
 * One job under test, named after its scenario: its own four topics (created here) and consumer group, its options
 * in a properties file as an operator writes one, submitted with Flink's CLI as {@link ClusterJob}.
 */
final class ScenarioJob {
    private static final int PARTITIONS = 2;
    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final List<ConfigOption<String>> TOPICS = List.of(JobOptions.INTERACTIONS_TOPIC,
            JobOptions.ITEMS_TOPIC, JobOptions.RECOMMENDATIONS_TOPIC, JobOptions.DEAD_LETTERS_TOPIC);

    private final Map<String, String> options = new LinkedHashMap<>();
    private final String bootstrapServers;
    private final FlinkCluster flink;
    private final Path jobJar;
    private final Path properties;

    /**
     * @param settings further job options (the scoring mode's, the scenario's)
     * @param dir      where the options file goes
     */
    ScenarioJob(String name, DeliveryGuarantee delivery, Map<String, String> settings, String bootstrapServers,
                FlinkCluster flink, Path jobJar, Path dir) {
        this.bootstrapServers = bootstrapServers;
        this.flink = flink;
        this.jobJar = jobJar;
        options.put(JobOptions.BOOTSTRAP_SERVERS.key(), bootstrapServers);
        options.put(JobOptions.GROUP_ID.key(), name);
        for (ConfigOption<String> topic : TOPICS) {
            options.put(topic.key(), name + "." + topic.defaultValue());
        }
        options.put(JobOptions.DELIVERY.key(), delivery.toString());
        options.putAll(settings);
        Topics.ensure(bootstrapServers, TOPICS.stream().collect(Collectors.toMap(t -> options.get(t.key()),
                t -> PARTITIONS)), WAIT);
        properties = dir.resolve(name + ".properties");
        try {
            Files.createDirectories(dir);
            Files.writeString(properties, options.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                    .collect(Collectors.joining("\n", "", "\n")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String topic(ConfigOption<String> topic) {
        return options.get(topic.key());
    }

    /** A consumer of the job's recommendations from their beginning. */
    RecommendationLog recommendations(String isolationLevel) {
        return new RecommendationLog(bootstrapServers, topic(JobOptions.RECOMMENDATIONS_TOPIC), PARTITIONS,
                isolationLevel);
    }

    /** {@code flink run} (from {@code savepoint} where not null); returns the job id once every task runs. */
    String submit(String savepoint) {
        return submit(savepoint, OptionalInt.empty());
    }

    /** {@link #submit(String)} at {@code parallelism} where given, else at the cluster's default. */
    String submit(String savepoint, OptionalInt parallelism) {
        String id = flink.submit(jobJar, ClusterJob.class.getName(), List.of("--properties", properties.toString()),
                savepoint, parallelism);
        Await.until(WAIT, "job " + id + " running", () -> flink.rest().allTasksRunning(id));
        return id;
    }
}
