package dev.setrec.jobs.pipeline;

import dev.setrec.jobs.JobOptions;
import dev.setrec.jobs.bench.faults.Broker;
import dev.setrec.jobs.bench.faults.Interactions;
import dev.setrec.jobs.bench.faults.TopicLog;
import dev.setrec.jobs.bench.faults.TopicReader;
import dev.setrec.jobs.embedded.EmbeddedJob;
import dev.setrec.jobs.embedded.LocalCluster;
import dev.setrec.jobs.functions.ModelFolderRefresher;
import dev.setrec.model.ModelIO;
import dev.setrec.model.setrec.SetRec;
import dev.setrec.models.ModelDirs;
import dev.setrec.models.ModelFolder;
import dev.setrec.models.Refresh;
import dev.setrec.schemas.AvroCodec;
import dev.setrec.schemas.DeadLetter;
import dev.setrec.schemas.EventType;
import dev.setrec.schemas.InteractionEvent;
import dev.setrec.schemas.ItemEvent;
import dev.setrec.schemas.ModelVersion;
import dev.setrec.schemas.Recommendation;
import dev.setrec.testing.ChainShop;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 17's loop with real parts only: one in-process Kafka broker, the recommendation job (in-process SETRec
 * following a models folder) and the refresh job (the production {@link ModelFolderRefresher}: Refresh.run with
 * MiniLM texts) each on a Flink MiniCluster of its own with RocksDB, as they run side by side in production. The
 * folder starts with a small SETRec trained on chain walks ({@link ChainShop}). A window that teaches a new item is
 * promoted and the running recommendation job swaps to it; a window of noise is refused and changes nothing.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class RefreshLoopEndToEndTest {
    /** How often the recommendation job looks at the models folder. */
    private static final String MODEL_REFRESH_INTERVAL = "1 s";
    /** A refresh trains, evaluates and refits while the recommendation job scores the window: on 2 cores, a while. */
    private static final Duration REFRESH_WAIT = Duration.ofMinutes(3);
    /**
     * Users of the window that teaches the new item: a serving model trained on 400 walks is already good, and the
     * fine-tuned one leads it for few users of the deciding half; with 400 users that lead was not always beyond
     * chance (sign test), with 1000 there are enough of them to tell.
     */
    private static final int TEACHING_USERS = 1000;
    private static final AvroCodec<InteractionEvent> INTERACTIONS = AvroCodec.of(InteractionEvent.class);

    @TempDir
    static Path trained;
    static Path servingVersion;

    @TempDir
    Path models;
    @TempDir
    Path checkpoints;
    /** The only version of the test's models folder at its start, and its content hash. */
    Path serving;
    String servingHash;

    @BeforeAll
    static void trainTheServingModel() throws IOException {
        servingVersion = ChainShop.servingFolderWithMiniLm(trained.resolve("models"), 5);
    }

    @BeforeEach
    void servingVersionAlone() throws IOException {
        serving = Files.createDirectories(models.resolve(servingVersion.getFileName()));
        try (Stream<Path> files = Files.list(servingVersion)) {
            for (Path file : files.toList()) {
                Files.copy(file, serving.resolve(file.getFileName()));
            }
        }
        servingHash = ModelIO.readManifest(serving).version();
    }

    @Test
    void aWindowThatTeachesANewItemIsPromotedAndTheRunningJobRecommendsWithTheNewVersion() throws Exception {
        List<Refresh.Event> window = ChainShop.withNewItem(TEACHING_USERS, 1);
        try (Loop loop = Loop.start("promote", models, window.size(), checkpoints)) {
            loop.publishNewItem();
            loop.publish(window);

            ModelVersion outcome = loop.awaitOutcome();
            assertTrue(outcome.getPromoted(), outcome.toString());
            assertEquals(window.size(), outcome.getWindowEvents());
            assertEquals(1, outcome.getNewlyWarm(), "the new item learned its CF input");
            assertTrue(outcome.getCandidateAllRecall10() > outcome.getServingAllRecall10(), outcome.toString());
            Path promoted = models.resolve(outcome.getVersion());
            assertEquals(List.of(promoted, serving), ModelFolder.completeVersions(models));

            assertEquals(servingHash, loop.firstRecommendation().getModelVersion(),
                    "the window's first recommendation came from the serving version");
            String promotedHash = ModelIO.readManifest(promoted).version();
            assertNotNull(loop.awaitRecommendationBy(promotedHash), "no recommendation by the promoted version");
            assertEquals(0, loop.recommendationJob.health().restarts(), "swapped without a restart");

            try (SetRec refreshed = (SetRec) ModelDirs.load(promoted)) {
                int row = Arrays.asList(refreshed.items().ids()).indexOf(ChainShop.NEW_ITEM);
                assertTrue(row >= 0, "the new item is in the promoted version's catalogue");
                assertFalse(refreshed.items().cold()[row], "the new item is warm in the promoted version");
            }
        }
    }

    @Test
    void aWindowOfNoiseIsRefusedAndTheJobKeepsRecommendingWithTheServingVersion() throws Exception {
        List<Refresh.Event> window = ChainShop.noise(400, 2);
        try (Loop loop = Loop.start("refuse", models, window.size(), checkpoints)) {
            loop.publish(window);

            ModelVersion outcome = loop.awaitOutcome();
            assertFalse(outcome.getPromoted(), outcome.toString());
            assertNull(outcome.getVersion());
            assertFalse(outcome.getReason().isBlank());
            // compared on the held-back slice, not a refresh that failed or was too small to train
            assertNotNull(outcome.getCandidateAllRecall10(), outcome.toString());
            assertNotNull(outcome.getServingAllRecall10(), outcome.toString());
            assertNull(outcome.getCandidateColdRecall10(), "no cold item in the slice: no figure");
            assertEquals(List.of(serving.getFileName()), entries(models), "the folder is as it was");

            Recommendation later = loop.probe();
            assertEquals(servingHash, later.getModelVersion(), "a later recommendation is the serving version's");
            assertTrue(loop.recommendations.read().stream().allMatch(r -> r.getModelVersion().equals(servingHash)));
        }
    }

    private static List<Path> entries(Path folder) throws IOException {
        try (Stream<Path> list = Files.list(folder)) {
            return list.map(Path::getFileName).toList();
        }
    }

    /**
     * Both jobs on the shared broker, on topics of their own test: a refresh of the whole window once all of it
     * arrived ({@code windowEvents} as both the window's bound and the events a refresh waits for), a refresh timer of
     * one second, and readers of model-versions and recommendations from their start.
     */
    private record Loop(Broker broker, Configuration options, EmbeddedJob recommendationJob, LocalCluster refreshJob,
                        TopicLog<ModelVersion> versions, TopicLog<Recommendation> recommendations,
                        TopicLog<DeadLetter> deadLetters) implements AutoCloseable {
        static Loop start(String test, Path models, int windowEvents, Path checkpoints) throws Exception {
            Broker broker = Broker.shared();
            Map<String, String> flags = Map.of(
                    JobOptions.INTERACTIONS_TOPIC.key(), test + ".interactions",
                    JobOptions.ITEMS_TOPIC.key(), test + ".items",
                    JobOptions.RECOMMENDATIONS_TOPIC.key(), test + ".recommendations",
                    JobOptions.DEAD_LETTERS_TOPIC.key(), test + ".dead-letters",
                    JobOptions.MODEL_VERSIONS_TOPIC.key(), test + ".model-versions",
                    JobOptions.MODEL_REFRESH_INTERVAL.key(), MODEL_REFRESH_INTERVAL,
                    JobOptions.REFRESH_INTERVAL.key(), "1 s",
                    JobOptions.REFRESH_WINDOW_EVENTS.key(), Integer.toString(windowEvents),
                    JobOptions.REFRESH_MIN_EVENTS.key(), Integer.toString(windowEvents));
            EmbeddedJob recommendationJob = EmbeddedJob.start("recommendations-" + test, broker.bootstrapServers(),
                    flags, models, checkpoints.resolve("recommendations"));
            Configuration options = recommendationJob.options();
            LocalCluster refreshJob = null;
            try {
                refreshJob = EmbeddedJob.startRefresh("refresh-" + test, options,
                        new ModelFolderRefresher(models, options), checkpoints.resolve("refresh"),
                        EmbeddedJob.PARALLELISM);
                return new Loop(broker, options, recommendationJob, refreshJob,
                        log(broker, options.get(JobOptions.MODEL_VERSIONS_TOPIC), ModelVersion.class),
                        log(broker, options.get(JobOptions.RECOMMENDATIONS_TOPIC), Recommendation.class),
                        log(broker, options.get(JobOptions.DEAD_LETTERS_TOPIC), DeadLetter.class));
            } catch (Exception e) {
                if (refreshJob != null) {
                    refreshJob.close();
                }
                recommendationJob.close();
                throw e;
            }
        }

        private static <T extends SpecificRecord> TopicLog<T> log(Broker broker, String topic, Class<T> type) {
            return new TopicLog<>(broker.bootstrapServers(), topic, AvroCodec.of(type), false);
        }

        /**
         * The new item on the items topic, then a bad message after it in its partition: once both jobs made that a
         * dead letter, both read the item.
         */
        void publishNewItem() throws Exception {
            String items = options.get(JobOptions.ITEMS_TOPIC);
            broker.send(items, ChainShop.NEW_ITEM, AvroCodec.of(ItemEvent.class).encode(ItemEvent.newBuilder()
                    .setItemId(ChainShop.NEW_ITEM).setTitle("toy " + ChainShop.NEW_ITEM).setCategories(List.of("Toys"))
                    .setBrand("Brand " + ChainShop.NEW_ITEM).setEventTime(Instant.now()).build()));
            broker.send(items, ChainShop.NEW_ITEM, "not avro".getBytes(StandardCharsets.UTF_8));
            assertTrue(deadLetters.awaitThenQuiet(read -> read.stream()
                            .filter(letter -> letter.getSourceTopic().equals(items)).count() == 2,
                    TopicReader.WAIT, Duration.ZERO), "both jobs read the item");
        }

        /** The window's events as clicks at their event times, keyed by user. */
        void publish(List<Refresh.Event> window) throws Exception {
            broker.sendAll(options.get(JobOptions.INTERACTIONS_TOPIC), window.stream()
                    .map(event -> Map.entry(event.user(), INTERACTIONS.encode(InteractionEvent.newBuilder()
                            .setUserId(event.user()).setItemId(event.item()).setEventType(EventType.CLICK)
                            .setEventTime(Instant.ofEpochMilli(event.timeMillis())).build())))
                    .toList());
        }

        /** The one refresh's outcome: the whole window is needed for a refresh, so there is no second one. */
        ModelVersion awaitOutcome() {
            assertTrue(versions.awaitThenQuiet(read -> !read.isEmpty(), REFRESH_WAIT, Duration.ZERO),
                    "no refresh outcome on model-versions within " + REFRESH_WAIT);
            return versions.read().get(0);
        }

        /** The first recommendation the job made. */
        Recommendation firstRecommendation() {
            assertTrue(recommendations.awaitThenQuiet(read -> !read.isEmpty(), TopicReader.WAIT, Duration.ZERO),
                    "no recommendation within " + TopicReader.WAIT);
            return recommendations.read().get(0);
        }

        /** A click of a user of its own, and the recommendation it triggered. */
        Recommendation probe() throws Exception {
            InteractionEvent click = Interactions.click("probe", Integer.toString(ChainShop.BEFORE_NEW));
            broker.send(options.get(JobOptions.INTERACTIONS_TOPIC), click.getUserId(), INTERACTIONS.encode(click));
            long trigger = click.getEventTime().toEpochMilli();
            assertTrue(recommendations.awaitThenQuiet(read -> read.stream()
                            .anyMatch(r -> Interactions.trigger(r) == trigger), TopicReader.WAIT, Duration.ZERO),
                    "no recommendation for the probe within " + TopicReader.WAIT);
            return recommendations.read().stream().filter(r -> Interactions.trigger(r) == trigger).findFirst()
                    .orElseThrow();
        }

        /**
         * Probes until a recommendation is ranked by {@code version}, not the fallback (the job looks at the folder
         * every {@link #MODEL_REFRESH_INTERVAL}, then loads the version); null where none was within
         * {@link TopicReader#WAIT}.
         */
        Recommendation awaitRecommendationBy(String version) throws Exception {
            long deadline = System.nanoTime() + TopicReader.WAIT.toNanos();
            while (System.nanoTime() < deadline) {
                Recommendation recommendation = probe();
                if (recommendation.getModelVersion().equals(version) && !recommendation.getFallback()) {
                    return recommendation;
                }
                Thread.sleep(500);
            }
            return null;
        }

        @Override
        public void close() throws Exception {
            versions.close();
            recommendations.close();
            deadLetters.close();
            try {
                refreshJob.close();
            } finally {
                recommendationJob.close();
            }
        }
    }
}
