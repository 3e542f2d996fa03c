package dev.setrec.jobs.pipeline;

import dev.setrec.jobs.JobOptions;
import dev.setrec.jobs.bench.faults.Broker;
import dev.setrec.jobs.bench.faults.Interactions;
import dev.setrec.jobs.bench.faults.TopicLog;
import dev.setrec.jobs.bench.faults.TopicReader;
import dev.setrec.jobs.embedded.EmbeddedJob;
import dev.setrec.jobs.functions.Refresher;
import dev.setrec.jobs.kafka.Topics;
import dev.setrec.jobs.records.RefreshResult;
import dev.setrec.jobs.records.WindowEvent;
import dev.setrec.model.ModelManifest;
import dev.setrec.models.ModelFolder;
import dev.setrec.schemas.AvroCodec;
import dev.setrec.schemas.DeadLetter;
import dev.setrec.schemas.InteractionEvent;
import dev.setrec.schemas.ItemEvent;
import dev.setrec.schemas.ModelVersion;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The refresh job end to end: a real Kafka broker (KRaft, in this JVM), the job on a Flink MiniCluster (RocksDB
 * state, checkpoints every 500 ms, parallelism 2) and a stand-in for training that writes a version into a models
 * folder: what the interactions and items topics carry reaches the window, the refresh runs off the task thread, and
 * its outcome is published on model-versions.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RefreshJobKafkaTest {
    private static final List<ConfigOption<String>> TOPICS = List.of(JobOptions.INTERACTIONS_TOPIC,
            JobOptions.ITEMS_TOPIC, JobOptions.DEAD_LETTERS_TOPIC, JobOptions.MODEL_VERSIONS_TOPIC);
    private static final int INTERACTIONS = 6;

    /** Stands in for training, which this test is not about: writes a manifest-only version into the folder. */
    private record FolderWritingRefresher(String folder) implements Refresher {
        @Override
        public RefreshResult refresh(List<WindowEvent> window, List<ItemEvent> items) throws IOException {
            String version = "v" + window.size() + "-" + items.size();
            ModelFolder.addVersion(Path.of(folder), version, dir -> {
                Files.createDirectories(dir);
                Files.writeString(dir.resolve(ModelManifest.FILE), "{}");
            });
            return new RefreshResult(true, "learned from " + window.size() + " interactions", version, 0.3, Double.NaN,
                    Double.NaN, Double.NaN, items.size());
        }
    }

    @Test
    void interactionsAndItemsOnKafkaBecomeARefreshWhoseVersionIsInTheFolderAndOnModelVersions(
            @TempDir Path models, @TempDir Path checkpoints) throws Exception {
        Broker broker = Broker.shared();
        Configuration options = new Configuration();
        for (ConfigOption<String> topic : TOPICS) {
            options.set(topic, "refresh." + topic.defaultValue());
        }
        options.set(JobOptions.BOOTSTRAP_SERVERS, broker.bootstrapServers());
        options.set(JobOptions.REFRESH_GROUP_ID, "refresh-job-test");
        options.set(JobOptions.MODEL_DIR, models.toString());
        options.set(JobOptions.REFRESH_INTERVAL, Duration.ofMillis(500));
        options.set(JobOptions.REFRESH_MIN_EVENTS, INTERACTIONS); // one refresh, once all of them are in
        options.set(CoreOptions.DEFAULT_PARALLELISM, 2);
        options.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        options.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        options.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(500));
        options.set(RestartStrategyOptions.RESTART_STRATEGY, "none"); // a failing job fails at once
        Topics.ensure(broker.bootstrapServers(), EmbeddedJob.refreshTopics(options, 2), Duration.ofSeconds(60));

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(options);
        KafkaIo kafka = KafkaIo.forRefreshJob(options);
        RefreshJob.build(env, options, new FolderWritingRefresher(models.toString()), kafka, kafka);
        JobClient job = env.executeAsync("refresh-job-test");
        try (TopicLog<ModelVersion> versions = new TopicLog<>(broker.bootstrapServers(),
                options.get(JobOptions.MODEL_VERSIONS_TOPIC), AvroCodec.of(ModelVersion.class), false);
             TopicLog<DeadLetter> deadLetters = new TopicLog<>(broker.bootstrapServers(),
                     options.get(JobOptions.DEAD_LETTERS_TOPIC), AvroCodec.of(DeadLetter.class), false)) {
            String items = options.get(JobOptions.ITEMS_TOPIC);
            broker.send(items, "new-kite", AvroCodec.of(ItemEvent.class).encode(ItemEvent.newBuilder()
                    .setItemId("new-kite").setTitle("A red kite").setEventTime(Instant.now()).build()));
            // a bad message after it in the same partition: once its dead letter is out, the item was read
            broker.send(items, "new-kite", "not avro".getBytes(StandardCharsets.UTF_8));
            assertTrue(deadLetters.awaitThenQuiet(read -> !read.isEmpty(), TopicReader.WAIT, Duration.ZERO),
                    "the bad item is a dead letter");
            assertEquals(items, deadLetters.read().get(0).getSourceTopic());

            broker.send(options.get(JobOptions.INTERACTIONS_TOPIC), "u0", "not avro".getBytes(StandardCharsets.UTF_8));
            AvroCodec<InteractionEvent> interactions = AvroCodec.of(InteractionEvent.class);
            for (int i = 0; i < INTERACTIONS; i++) {
                InteractionEvent click = Interactions.click("u" + i % 2, "item-" + i);
                broker.send(options.get(JobOptions.INTERACTIONS_TOPIC), click.getUserId(), interactions.encode(click));
            }

            assertTrue(versions.awaitThenQuiet(read -> !read.isEmpty(), TopicReader.WAIT, TopicReader.QUIET),
                    "no model version within " + TopicReader.WAIT);
            assertEquals(1, versions.read().size(), "one refresh: nothing new arrived after it");
            ModelVersion version = versions.read().get(0);
            assertTrue(version.getPromoted(), version.toString());
            assertEquals(INTERACTIONS, version.getWindowEvents(), "every good interaction reached the window");
            assertEquals(1, version.getNewlyWarm(), "the item reached the window");
            assertEquals("v" + INTERACTIONS + "-1", version.getVersion());
            assertEquals(0.3, version.getCandidateAllRecall10());
            assertNull(version.getServingAllRecall10());
            assertEquals(models.toString(), versions.records().get(0).key(), "keyed by the models folder");
            assertEquals(List.of(models.resolve(version.getVersion())), ModelFolder.completeVersions(models));

            assertTrue(deadLetters.awaitThenQuiet(read -> read.size() == 2, TopicReader.WAIT, Duration.ZERO),
                    "the bad interaction is a dead letter");
            assertEquals(options.get(JobOptions.INTERACTIONS_TOPIC), deadLetters.read().get(1).getSourceTopic());
        } finally {
            job.cancel().get(60, TimeUnit.SECONDS);
        }
    }
}
