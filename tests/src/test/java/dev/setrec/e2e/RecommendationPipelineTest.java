package dev.setrec.e2e;

import dev.setrec.e2e.support.SmallModel.Theme;
import dev.setrec.e2e.support.SmallModel;
import dev.setrec.e2e.support.TrainedSmallModel;
import dev.setrec.jobs.JobOptions;
import dev.setrec.jobs.bench.faults.ControlledCluster;
import dev.setrec.jobs.bench.faults.Origin;
import dev.setrec.jobs.bench.faults.PipelineJob;
import dev.setrec.jobs.bench.faults.RunningJob;
import dev.setrec.jobs.bench.faults.TopicLog.Received;
import dev.setrec.jobs.bench.faults.TopicReader;
import dev.setrec.jobs.scoring.Operators;
import dev.setrec.jobs.scoring.SharedOperators;
import dev.setrec.models.ModelFolder;
import dev.setrec.schemas.AvroCodec;
import dev.setrec.schemas.DeadLetter;
import dev.setrec.schemas.InteractionEvent;
import dev.setrec.schemas.ItemEvent;
import dev.setrec.schemas.Recommendation;
import dev.setrec.serve.ModelServer;
import dev.setrec.serve.ServerConfig;
import dev.setrec.text.MiniLmEncoder;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static dev.setrec.jobs.bench.faults.Interactions.click;
import static dev.setrec.jobs.bench.faults.Interactions.itemIds;
import static dev.setrec.jobs.bench.faults.Interactions.trigger;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The recommendation job end to end: a real Kafka broker (KRaft, in this JVM), the job on a Flink MiniCluster
 * (RocksDB state, checkpoints every 500 ms, parallelism 2) and a small real SETRec model ({@link SmallModel}).
 * Each test runs its own job on its own four topics, so tests share neither state nor records.
 */
@ExtendWith(TrainedSmallModel.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RecommendationPipelineTest {
    private static final int PARALLELISM = 2;
    private static final Duration WAIT = TopicReader.WAIT;
    private static final AvroCodec<InteractionEvent> INTERACTIONS = AvroCodec.of(InteractionEvent.class);
    private static final AvroCodec<ItemEvent> ITEMS = AvroCodec.of(ItemEvent.class);

    private final SmallModel model = SmallModel.get();
    private ControlledCluster cluster;

    /** One task manager with a slot per subtask: the layout of a local Flink environment. */
    @BeforeEach
    void startCluster() throws Exception {
        cluster = ControlledCluster.start(1, PARALLELISM);
    }

    @AfterEach
    void stopCluster() throws Exception {
        cluster.close();
    }

    @Test
    void everyInteractionGetsOneRecommendationForItsUserRankedFromThatUsersHistory(@TempDir Path state)
            throws Exception {
        Map<String, Theme> users = Map.of("dino-fan", Theme.DINOSAURS, "space-fan", Theme.SPACE,
                "farm-fan", Theme.FARM, "music-fan", Theme.MUSIC);
        try (RunningJob job = start("histories", DeliveryGuarantee.AT_LEAST_ONCE, state);
             TopicReader<Recommendation> recommendations = job.recommendations()) {
            Map<Long, SentInteraction> sent = interactWithOwnThemes(job, users, 3);

            List<Received<Recommendation>> received = awaitExactly(recommendations, sent.size());
            for (Received<Recommendation> r : received) {
                Recommendation rec = r.value();
                SentInteraction trigger = sent.remove(trigger(rec));
                assertNotNull(trigger, "one recommendation per interaction, triggered by one of them: " + rec);
                assertEquals(trigger.user(), rec.getUserId());
                assertEquals(trigger.user(), r.key(), "keyed by user");
                assertEquals(model.version(), rec.getModelVersion());
                assertFalse(rec.getFallback(), "ranked by the model, not the popularity fallback");
                List<String> ranked = itemIds(rec);
                assertTrue(ranked.stream().noneMatch(trigger.history()::contains),
                        "the history " + trigger.history() + " is left out of " + ranked);
                // The model learned that users stay within a theme: the unseen items of the user's own theme
                // (at least 5 of 8 here) come first, so two users of different themes get different top items.
                Theme theme = users.get(trigger.user());
                assertEquals(List.of(theme, theme, theme), ranked.subList(0, 3).stream()
                        .map(id -> SmallModel.themeOf(id).orElseThrow()).toList(), trigger.user() + ": " + ranked);
            }
            assertTrue(sent.isEmpty(), "interactions without a recommendation: " + sent.values());
        }
    }

    @Test
    void anItemPublishedOnItemsIsRankedForAUserOfItsThemeAndCanBeInteractedWith(@TempDir Path state)
            throws Exception {
        Theme theme = Theme.OCEAN;
        String user = "ocean-fan";
        String newItem = "ocean-lunch-box";
        try (RunningJob job = start("new-item", DeliveryGuarantee.AT_LEAST_ONCE, state);
             TopicReader<Recommendation> recommendations = job.recommendations()) {
            job.publish(ItemEvent.newBuilder()
                    .setItemId(newItem).setTitle(theme.title("lunch box")).setCategories(theme.categories())
                    .setBrand(theme.brand()).setEventTime(Instant.now()).build());

            // The items topic is broadcast to the histories while interactions flow on their own topic, so the
            // item reaches the model at some point after it was published: interact until it is ranked.
            Recommendation withNewItem = null;
            long deadline = System.nanoTime() + WAIT.toNanos();
            for (int i = 0; withNewItem == null; i++) {
                assertTrue(System.nanoTime() < deadline, newItem + " not ranked within " + WAIT);
                String item = SmallModel.warmItems(theme).get(i % SmallModel.WARM_PER_THEME);
                Recommendation rec = awaitTriggeredBy(recommendations, job.interact(user, item));
                withNewItem = itemIds(rec).contains(newItem) ? rec : null;
            }
            // Cold items share one CF input, so their order among themselves comes from their text alone: the new
            // item must outrank the cold item of every other theme.
            List<String> ranked = itemIds(withNewItem);
            for (Theme other : Theme.values()) {
                if (other != theme) {
                    assertTrue(ranked.indexOf(newItem) < ranked.indexOf(SmallModel.coldItem(other)),
                            newItem + " below the cold item of " + other + ": " + ranked);
                }
            }

            Recommendation afterNewItem = awaitTriggeredBy(recommendations, job.interact(user, newItem));
            assertEquals(user, afterNewItem.getUserId());
            assertFalse(afterNewItem.getFallback());
            assertFalse(itemIds(afterNewItem).contains(newItem), "the new item is now in the user's history");
        }
    }

    @Test
    void onAnEmptyModelsFolderTheFallbackAnswersUntilAModelIsAddedWhichThenRanksWithoutARestart(
            @TempDir Path state, @TempDir Path models) throws Exception {
        String user = "early-farm-fan";
        List<String> farm = SmallModel.warmItems(Theme.FARM);
        PipelineJob live = PipelineJob.named("models-folder", state, model.served()).modelDir(models)
                .with(JobOptions.MODEL_REFRESH_INTERVAL, Duration.ofMillis(200));
        try (RunningJob job = cluster.submit(live);
             TopicReader<Recommendation> recommendations = job.recommendations()) {
            Recommendation early = awaitTriggeredBy(recommendations, job.interact(user, farm.get(0)));
            assertTrue(early.getFallback(), "no model yet: the popularity fallback answers, marked");

            ModelFolder.addVersion(models, "v1", dir -> {
                Files.createDirectories(dir);
                try (var files = Files.list(model.dir())) {
                    for (Path file : files.toList()) {
                        Files.copy(file, dir.resolve(file.getFileName()));
                    }
                }
            });
            Recommendation ranked = early;
            long deadline = System.nanoTime() + WAIT.toNanos();
            for (int i = 1; ranked.getFallback(); i++) {
                assertTrue(System.nanoTime() < deadline, "the added model did not rank within " + WAIT);
                ranked = awaitTriggeredBy(recommendations, job.interact(user, farm.get(i % farm.size())));
            }
            assertEquals(model.version(), ranked.getModelVersion(), "the added model ranks, the job still runs");
            assertEquals(Theme.FARM, SmallModel.themeOf(itemIds(ranked).get(0)).orElseThrow(), itemIds(ranked)
                    .toString());
        }
    }

    @Test
    void badRecordsBecomeDeadLettersWithTheirOriginWhileTheJobGoesOn(@TempDir Path state)
            throws Exception {
        try (RunningJob job = start("bad-records", DeliveryGuarantee.AT_LEAST_ONCE, state);
             TopicReader<Recommendation> recommendations = job.recommendations();
             TopicReader<DeadLetter> deadLetters = job.deadLetters()) {
            ConfigOption<String> interactions = JobOptions.INTERACTIONS_TOPIC;
            byte[] randomBytes = new byte[40];
            new Random(3).nextBytes(randomBytes);
            Map<Origin, BadRecord> bad = new HashMap<>();
            sendBad(bad, job, interactions, "garbage", randomBytes, "InteractionEvent");
            sendBad(bad, job, interactions, "", INTERACTIONS.encode(click("", SmallModel.warmItems(Theme.FARM)
                    .get(0))), "missing userId");
            sendBad(bad, job, interactions, "lost-user", INTERACTIONS.encode(click("lost-user", "no-such-item")),
                    "unknown item id 'no-such-item'");
            sendBad(bad, job, JobOptions.ITEMS_TOPIC, "textless", ITEMS.encode(ItemEvent.newBuilder()
                    .setItemId("textless").setEventTime(Instant.now()).build()), "has no text");
            long goodAfterBad1 = job.interact("after-bad", SmallModel.warmItems(Theme.FARM).get(0));
            long goodAfterBad2 = job.interact("after-bad", SmallModel.warmItems(Theme.FARM).get(1));

            for (Received<DeadLetter> received : awaitExactly(deadLetters, bad.size())) {
                DeadLetter letter = received.value();
                BadRecord sent = bad.remove(new Origin(letter.getSourceTopic(), letter.getSourcePartition(),
                        letter.getSourceOffset()));
                assertNotNull(sent, "a dead letter for a record that was not sent as bad, or a second one: " + letter);
                assertTrue(letter.getReason().contains(sent.reason()), sent.reason() + " in: " + letter.getReason());
                assertArrayEquals(sent.value(), bytes(letter.getValue()), "the record's bytes as read");
            }
            assertEquals(Set.of(goodAfterBad1, goodAfterBad2), awaitExactly(recommendations, 2).stream()
                    .map(r -> trigger(r.value())).collect(Collectors.toSet()));
        }
    }

    @Test
    void cancellingTheJobReleasesTheModel(@TempDir Path state) throws Exception {
        try (RunningJob job = start("cancel", DeliveryGuarantee.AT_LEAST_ONCE, state);
             TopicReader<Recommendation> recommendations = job.recommendations()) {
            awaitTriggeredBy(recommendations, job.interact("someone", SmallModel.warmItems(Theme.SPACE).get(0)));
            assertEquals(1, SharedOperators.openCount(), "all subtasks of the MiniCluster share one model");
        }
        assertEquals(0, SharedOperators.openCount(), "models still open after the job was cancelled");
    }

    @Test
    void exactlyOnceCommitsEachRecommendationOnceForReadCommittedConsumers(@TempDir Path state)
            throws Exception {
        Map<String, Theme> users = Map.of("eos-dino", Theme.DINOSAURS, "eos-ocean", Theme.OCEAN);
        try (RunningJob job = start("exactly-once", DeliveryGuarantee.EXACTLY_ONCE, state);
             TopicReader<Recommendation> recommendations = job.recommendations()) {
            Map<Long, SentInteraction> sent = interactWithOwnThemes(job, users, 4);
            List<String> expected = sent.entrySet().stream().map(e -> e.getValue().user() + "@" + e.getKey())
                    .sorted().toList();
            List<String> triggers = awaitExactly(recommendations, sent.size()).stream()
                    .map(r -> r.value().getUserId() + "@" + trigger(r.value()))
                    .sorted().toList();
            assertEquals(expected, triggers, "user@trigger event time, each exactly once");
        }
    }

    @Test
    void inRemoteModeTheJobScoresOnTheModelServerAndOnboardsNewItemsThere(@TempDir Path state,
                                                                           @TempDir Path itemStore) throws Exception {
        Theme theme = Theme.MUSIC;
        String user = "remote-music-fan";
        String newItem = "music-stand";
        try (MiniLmEncoder encoder = new MiniLmEncoder();
             ModelServer server = ModelServer.start(model.dir(), ServerConfig.defaults(itemStore).withPort(0)
                     .withToken("e2e-token"), encoder, System.out)) {
            PipelineJob remote = PipelineJob.named("remote", state, model.served())
                    .with(JobOptions.SCORING_MODE, Operators.REMOTE)
                    .with(JobOptions.MODEL_SERVER_URL, server.uri().toString())
                    .with(JobOptions.MODEL_SERVER_TOKEN, "e2e-token")
                    .with(JobOptions.MODEL_SERVER_CATALOGUE_REFRESH, Duration.ofMillis(500));
            try (RunningJob job = cluster.submit(remote);
                 TopicReader<Recommendation> recommendations = job.recommendations()) {
                Recommendation first = awaitTriggeredBy(recommendations,
                        job.interact(user, SmallModel.warmItems(theme).get(0)));
                assertEquals(model.version(), first.getModelVersion(), "scored by the served model");
                assertFalse(first.getFallback(), "ranked by the server, not the popularity fallback");
                assertEquals(theme, SmallModel.themeOf(itemIds(first).get(0)).orElseThrow(), itemIds(first).toString());

                job.publish(ItemEvent.newBuilder()
                        .setItemId(newItem).setTitle(theme.title("stand")).setCategories(theme.categories())
                        .setBrand(theme.brand()).setEventTime(Instant.now()).build());
                Recommendation withNewItem = null;
                long deadline = System.nanoTime() + WAIT.toNanos();
                for (int i = 1; withNewItem == null; i++) {
                    assertTrue(System.nanoTime() < deadline, newItem + " not ranked within " + WAIT);
                    String item = SmallModel.warmItems(theme).get(i % SmallModel.WARM_PER_THEME);
                    Recommendation rec = awaitTriggeredBy(recommendations, job.interact(user, item));
                    withNewItem = itemIds(rec).contains(newItem) ? rec : null;
                }
                assertFalse(withNewItem.getFallback());
                Recommendation afterNewItem = awaitTriggeredBy(recommendations, job.interact(user, newItem));
                assertFalse(afterNewItem.getFallback(), "an interaction on the onboarded item is scored");
            }
        }
    }

    /** Starts the job on topics prefixed with {@code name}, checkpointing into {@code state}. */
    private RunningJob start(String name, DeliveryGuarantee delivery, Path state) throws Exception {
        return cluster.submit(PipelineJob.named(name, state, model.served()).delivery(delivery));
    }

    // ---- input

    /** A record the job cannot use: its bytes and what its dead letter's reason must say. */
    private record BadRecord(byte[] value, String reason) {
    }

    /** An interaction as sent, with the user's history up to and including it. */
    private record SentInteraction(String user, List<String> history) {
    }

    private static void sendBad(Map<Origin, BadRecord> sent, RunningJob job, ConfigOption<String> topic, String key,
                                byte[] value, String reason) throws Exception {
        sent.put(job.send(topic, key, value), new BadRecord(value, reason));
    }

    /**
     * Each user interacts with the first {@code perUser} warm items of their theme, users taking turns so that the
     * job's batches mix them; returns the interactions by event time.
     */
    private static Map<Long, SentInteraction> interactWithOwnThemes(RunningJob job, Map<String, Theme> users,
                                                                    int perUser) throws Exception {
        Map<Long, SentInteraction> sent = new LinkedHashMap<>();
        for (int i = 0; i < perUser; i++) {
            for (Map.Entry<String, Theme> user : users.entrySet()) {
                List<String> history = SmallModel.warmItems(user.getValue()).subList(0, i + 1);
                sent.put(job.interact(user.getKey(), history.get(i)), new SentInteraction(user.getKey(), history));
            }
        }
        return sent;
    }

    // ---- output

    /** Everything read, once {@code count} records arrived and then nothing more while reading on. */
    private static <T extends SpecificRecord> List<Received<T>> awaitExactly(TopicReader<T> reader, int count)
            throws Exception {
        reader.awaitUntil(all -> all.size() >= count, count + " records");
        List<Received<T>> all = reader.readFor(TopicReader.QUIET);
        assertEquals(count, all.size(), () -> "records: " + all);
        return all;
    }

    /** The recommendation that the interaction at {@code eventTime} triggered. */
    private static Recommendation awaitTriggeredBy(TopicReader<Recommendation> recommendations, long eventTime)
            throws Exception {
        return recommendations.awaitFirst(rec -> trigger(rec) == eventTime,
                "the recommendation triggered at event time " + eventTime);
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }
}
