package dev.setrec.e2e;

import dev.setrec.e2e.SmallModel.Theme;
import dev.setrec.jobs.JobOptions;
import dev.setrec.jobs.KafkaIo;
import dev.setrec.jobs.RecommendationJob;
import dev.setrec.jobs.kafka.EmbeddedKafka;
import dev.setrec.jobs.kafka.Topics;
import dev.setrec.jobs.scoring.Operators;
import dev.setrec.jobs.scoring.SharedOperators;
import dev.setrec.serve.ModelServer;
import dev.setrec.serve.ServerConfig;
import dev.setrec.text.MiniLmEncoder;
import dev.setrec.schemas.AvroCodec;
import dev.setrec.schemas.DeadLetter;
import dev.setrec.schemas.EventType;
import dev.setrec.schemas.InteractionEvent;
import dev.setrec.schemas.ItemEvent;
import dev.setrec.schemas.Recommendation;
import dev.setrec.schemas.ScoredItem;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The recommendation job end to end: a real Kafka broker (KRaft, in this JVM), the job on a Flink MiniCluster
 * (RocksDB state, checkpoints every 500 ms, parallelism 2) and a small real SETRec model ({@link SmallModel}).
 * Each test runs its own job on its own four topics, so tests share neither state nor records.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES) // each test; lifecycle methods carry their own
class RecommendationPipelineTest {
    private static final int PARTITIONS = 2;
    private static final int PARALLELISM = 2;
    /** How long a test waits for what the job must produce. */
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** After the expected records arrived, how long nothing more may arrive: three checkpoints (transactions). */
    private static final Duration QUIET = Duration.ofMillis(1500);
    /**
     * k covers the whole catalogue (the model's items plus the one a test onboards): a recommendation lists every
     * item the model knows outside the user's history, so an onboarded item is in it exactly when the model knows
     * it, and its rank can be compared with that of any other item.
     */
    private static final int K = SmallModel.CATALOGUE_SIZE + 1;
    private static final AvroCodec<InteractionEvent> INTERACTIONS = AvroCodec.of(InteractionEvent.class);
    private static final AvroCodec<ItemEvent> ITEMS = AvroCodec.of(ItemEvent.class);
    private static final AvroCodec<Recommendation> RECOMMENDATIONS = AvroCodec.of(Recommendation.class);
    private static final AvroCodec<DeadLetter> DEAD_LETTERS = AvroCodec.of(DeadLetter.class);
    /** Event times are unique, so each recommendation names the interaction that triggered it. */
    private static final AtomicLong EVENT_TIME = new AtomicLong(System.currentTimeMillis());

    private static EmbeddedKafka kafka;
    private static KafkaProducer<byte[], byte[]> producer;
    private static SmallModel model;

    @BeforeAll
    // a guard against a hang, not a speed check: training the small model takes about 30 s on 2 idle cores
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    static void startKafkaAndTrainModel() {
        kafka = EmbeddedKafka.start();
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer());
        model = SmallModel.get();
    }

    @AfterAll
    @Timeout(value = 1, unit = TimeUnit.MINUTES)
    static void stopKafka() {
        if (producer != null) {
            producer.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void everyInteractionGetsOneRecommendationForItsUserRankedFromThatUsersHistory(@TempDir Path state)
            throws Exception {
        Map<String, Theme> users = Map.of("dino-fan", Theme.DINOSAURS, "space-fan", Theme.SPACE,
                "farm-fan", Theme.FARM, "music-fan", Theme.MUSIC);
        try (RunningJob job = RunningJob.start("histories", DeliveryGuarantee.AT_LEAST_ONCE, state);
             TopicReader<Recommendation> recommendations = job.recommendations("read_uncommitted")) {
            Map<Long, SentInteraction> sent = interactWithOwnThemes(job, users, 3);

            List<Received<Recommendation>> received = recommendations.awaitExactly(sent.size(), job);
            for (Received<Recommendation> r : received) {
                Recommendation rec = r.value();
                SentInteraction trigger = sent.remove(rec.getTriggerEventTime().toEpochMilli());
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
        try (RunningJob job = RunningJob.start("new-item", DeliveryGuarantee.AT_LEAST_ONCE, state);
             TopicReader<Recommendation> recommendations = job.recommendations("read_uncommitted")) {
            send(job.topic(JobOptions.ITEMS_TOPIC), newItem, ITEMS.encode(ItemEvent.newBuilder()
                    .setItemId(newItem).setTitle(theme.title("lunch box")).setCategories(theme.categories())
                    .setBrand(theme.brand()).setEventTime(Instant.now()).build()));

            // The items topic is broadcast to the histories while interactions flow on their own topic, so the
            // item reaches the model at some point after it was published: interact until it is ranked.
            Recommendation withNewItem = null;
            long deadline = System.nanoTime() + WAIT.toNanos();
            for (int i = 0; withNewItem == null; i++) {
                assertTrue(System.nanoTime() < deadline, newItem + " not ranked within " + WAIT);
                String item = SmallModel.warmItems(theme).get(i % SmallModel.WARM_PER_THEME);
                Recommendation rec = awaitTriggeredBy(recommendations, interact(job, user, item), job);
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

            Recommendation afterNewItem = awaitTriggeredBy(recommendations, interact(job, user, newItem), job);
            assertEquals(user, afterNewItem.getUserId());
            assertFalse(afterNewItem.getFallback());
            assertFalse(itemIds(afterNewItem).contains(newItem), "the new item is now in the user's history");
        }
    }

    @Test
    void badRecordsBecomeDeadLettersWithTheirOriginWhileTheJobGoesOn(@TempDir Path state)
            throws Exception {
        try (RunningJob job = RunningJob.start("bad-records", DeliveryGuarantee.AT_LEAST_ONCE, state);
             TopicReader<Recommendation> recommendations = job.recommendations("read_uncommitted");
             TopicReader<DeadLetter> deadLetters = job.deadLetters()) {
            String interactions = job.topic(JobOptions.INTERACTIONS_TOPIC);
            byte[] randomBytes = new byte[40];
            new Random(3).nextBytes(randomBytes);
            Map<Origin, BadRecord> bad = new HashMap<>();
            sendBad(bad, interactions, "garbage", randomBytes, "InteractionEvent");
            sendBad(bad, interactions, "", INTERACTIONS.encode(interaction("", SmallModel.warmItems(Theme.FARM)
                    .get(0))), "missing userId");
            sendBad(bad, interactions, "lost-user", INTERACTIONS.encode(interaction("lost-user", "no-such-item")),
                    "unknown item id 'no-such-item'");
            sendBad(bad, job.topic(JobOptions.ITEMS_TOPIC), "textless", ITEMS.encode(ItemEvent.newBuilder()
                    .setItemId("textless").setEventTime(Instant.now()).build()), "has no text");
            long goodAfterBad1 = interact(job, "after-bad", SmallModel.warmItems(Theme.FARM).get(0));
            long goodAfterBad2 = interact(job, "after-bad", SmallModel.warmItems(Theme.FARM).get(1));

            for (Received<DeadLetter> received : deadLetters.awaitExactly(bad.size(), job)) {
                DeadLetter letter = received.value();
                BadRecord sent = bad.remove(new Origin(letter.getSourceTopic(), letter.getSourcePartition(),
                        letter.getSourceOffset()));
                assertNotNull(sent, "a dead letter for a record that was not sent as bad, or a second one: " + letter);
                assertTrue(letter.getReason().contains(sent.reason()), sent.reason() + " in: " + letter.getReason());
                assertArrayEquals(sent.value(), bytes(letter.getValue()), "the record's bytes as read");
            }
            assertEquals(Set.of(goodAfterBad1, goodAfterBad2), recommendations.awaitExactly(2, job).stream()
                    .map(r -> r.value().getTriggerEventTime().toEpochMilli()).collect(Collectors.toSet()));
        }
    }

    @Test
    void cancellingTheJobReleasesTheModel(@TempDir Path state) throws Exception {
        try (RunningJob job = RunningJob.start("cancel", DeliveryGuarantee.AT_LEAST_ONCE, state);
             TopicReader<Recommendation> recommendations = job.recommendations("read_uncommitted")) {
            awaitTriggeredBy(recommendations, interact(job, "someone", SmallModel.warmItems(Theme.SPACE).get(0)), job);
            assertEquals(1, SharedOperators.openCount(), "all subtasks of the MiniCluster share one model");
        }
        assertEquals(0, SharedOperators.openCount(), "models still open after the job was cancelled");
    }

    @Test
    void exactlyOnceCommitsEachRecommendationOnceForReadCommittedConsumers(@TempDir Path state)
            throws Exception {
        Map<String, Theme> users = Map.of("eos-dino", Theme.DINOSAURS, "eos-ocean", Theme.OCEAN);
        try (RunningJob job = RunningJob.start("exactly-once", DeliveryGuarantee.EXACTLY_ONCE, state);
             TopicReader<Recommendation> recommendations = job.recommendations("read_committed")) {
            Map<Long, SentInteraction> sent = interactWithOwnThemes(job, users, 4);
            List<String> expected = sent.entrySet().stream().map(e -> e.getValue().user() + "@" + e.getKey())
                    .sorted().toList();
            List<String> triggers = recommendations.awaitExactly(sent.size(), job).stream()
                    .map(r -> r.value().getUserId() + "@" + r.value().getTriggerEventTime().toEpochMilli())
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
            Configuration remote = new Configuration();
            remote.set(JobOptions.SCORING_MODE, "remote");
            remote.set(JobOptions.MODEL_SERVER_URL, server.uri().toString());
            remote.set(JobOptions.MODEL_SERVER_TOKEN, "e2e-token");
            remote.set(JobOptions.MODEL_SERVER_CATALOGUE_REFRESH, Duration.ofMillis(500));
            try (RunningJob job = RunningJob.start("remote", DeliveryGuarantee.AT_LEAST_ONCE, state, remote);
                 TopicReader<Recommendation> recommendations = job.recommendations("read_uncommitted")) {
                Recommendation first = awaitTriggeredBy(recommendations,
                        interact(job, user, SmallModel.warmItems(theme).get(0)), job);
                assertEquals(model.version(), first.getModelVersion(), "scored by the served model");
                assertFalse(first.getFallback(), "ranked by the server, not the popularity fallback");
                assertEquals(theme, SmallModel.themeOf(itemIds(first).get(0)).orElseThrow(), itemIds(first).toString());

                send(job.topic(JobOptions.ITEMS_TOPIC), newItem, ITEMS.encode(ItemEvent.newBuilder()
                        .setItemId(newItem).setTitle(theme.title("stand")).setCategories(theme.categories())
                        .setBrand(theme.brand()).setEventTime(Instant.now()).build()));
                Recommendation withNewItem = null;
                long deadline = System.nanoTime() + WAIT.toNanos();
                for (int i = 1; withNewItem == null; i++) {
                    assertTrue(System.nanoTime() < deadline, newItem + " not ranked within " + WAIT);
                    String item = SmallModel.warmItems(theme).get(i % SmallModel.WARM_PER_THEME);
                    Recommendation rec = awaitTriggeredBy(recommendations, interact(job, user, item), job);
                    withNewItem = itemIds(rec).contains(newItem) ? rec : null;
                }
                assertFalse(withNewItem.getFallback());
                Recommendation afterNewItem = awaitTriggeredBy(recommendations, interact(job, user, newItem), job);
                assertFalse(afterNewItem.getFallback(), "an interaction on the onboarded item is scored");
            }
        }
    }

    // ---- the job

    /** One job on its own topics, cancelled and awaited on close. */
    private static final class RunningJob implements AutoCloseable {
        private static final List<ConfigOption<String>> TOPICS = List.of(JobOptions.INTERACTIONS_TOPIC,
                JobOptions.ITEMS_TOPIC, JobOptions.RECOMMENDATIONS_TOPIC, JobOptions.DEAD_LETTERS_TOPIC);

        private final Configuration options;
        private final JobClient client;
        private final CompletableFuture<JobExecutionResult> result;

        private RunningJob(Configuration options, JobClient client) {
            this.options = options;
            this.client = client;
            this.result = client.getJobExecutionResult();
        }

        /** Starts the job on topics prefixed with {@code name}, checkpointing into {@code state}. */
        static RunningJob start(String name, DeliveryGuarantee delivery, Path state) throws Exception {
            return start(name, delivery, state, new Configuration());
        }

        /** As above, with {@code scoring} options on top (the scoring mode and its settings). */
        static RunningJob start(String name, DeliveryGuarantee delivery, Path state, Configuration scoring)
                throws Exception {
            Configuration options = new Configuration(scoring);
            options.set(JobOptions.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
            options.set(JobOptions.GROUP_ID, name);
            for (ConfigOption<String> topic : TOPICS) {
                options.set(topic, name + "." + topic.defaultValue());
            }
            options.set(JobOptions.DELIVERY, delivery);
            options.set(JobOptions.TOP_K, K);
            // The tests check that the model answers; on two busy cores a first forward pass can take seconds.
            options.set(JobOptions.SCORING_TIMEOUT, Duration.ofSeconds(30));
            options.set(CoreOptions.DEFAULT_PARALLELISM, PARALLELISM);
            options.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
            options.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, state.toUri().toString());
            options.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(500));
            // Flink's default with checkpointing restarts forever: a failing job would only show as a timeout.
            options.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
            Topics.ensure(kafka.bootstrapServers(),
                    TOPICS.stream().collect(Collectors.toMap(options::get, topic -> PARTITIONS)), WAIT);

            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(options);
            KafkaIo kafkaIo = new KafkaIo(options);
            options.set(JobOptions.DEVICE, "cpu");
            RecommendationJob.build(env, options, Operators.factory(options, model.dir()), kafkaIo, kafkaIo);
            return new RunningJob(options, env.executeAsync(name));
        }

        String topic(ConfigOption<String> topic) {
            return options.get(topic);
        }

        TopicReader<Recommendation> recommendations(String isolationLevel) {
            return new TopicReader<>(topic(JobOptions.RECOMMENDATIONS_TOPIC), RECOMMENDATIONS, isolationLevel);
        }

        TopicReader<DeadLetter> deadLetters() {
            return new TopicReader<>(topic(JobOptions.DEAD_LETTERS_TOPIC), DEAD_LETTERS, "read_uncommitted");
        }

        /** Fails the test at once, with the job's error, when the job is no longer running. */
        void assertRunning() throws InterruptedException {
            if (result.isDone()) {
                try {
                    result.get();
                    fail("the job ended");
                } catch (ExecutionException e) {
                    throw new AssertionError("the job failed", e.getCause());
                }
            }
        }

        @Override
        public void close() throws Exception {
            if (!result.isDone()) {
                client.cancel().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
            // The result is there once every task is cancelled and its functions closed.
            try {
                result.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            } catch (ExecutionException cancelled) {
                // expected: a cancelled job has no result
            }
        }
    }

    // ---- input

    /** Where a record landed. */
    private record Origin(String topic, int partition, long offset) {
    }

    /** A record the job cannot use: its bytes and what its dead letter's reason must say. */
    private record BadRecord(byte[] value, String reason) {
    }

    /** An interaction as sent, with the user's history up to and including it. */
    private record SentInteraction(String user, List<String> history) {
    }

    private static Origin send(String topic, String key, byte[] value) throws Exception {
        RecordMetadata written = producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8),
                value)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        return new Origin(topic, written.partition(), written.offset());
    }

    private static void sendBad(Map<Origin, BadRecord> sent, String topic, String key, byte[] value, String reason)
            throws Exception {
        sent.put(send(topic, key, value), new BadRecord(value, reason));
    }

    private static InteractionEvent interaction(String user, String item) {
        return InteractionEvent.newBuilder().setUserId(user).setItemId(item).setEventType(EventType.CLICK)
                .setEventTime(Instant.ofEpochMilli(EVENT_TIME.incrementAndGet())).build();
    }

    /** Sends an interaction; returns its event time, which the recommendation it triggers carries. */
    private static long interact(RunningJob job, String user, String item) throws Exception {
        InteractionEvent event = interaction(user, item);
        send(job.topic(JobOptions.INTERACTIONS_TOPIC), user, INTERACTIONS.encode(event));
        return event.getEventTime().toEpochMilli();
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
                sent.put(interact(job, user.getKey(), history.get(i)), new SentInteraction(user.getKey(), history));
            }
        }
        return sent;
    }

    // ---- output

    /** A record read back: its key as text and its decoded value. */
    private record Received<T>(String key, T value) {
    }

    /** Reads one topic from its beginning with its own consumer; what it has read accumulates. */
    private static final class TopicReader<T extends SpecificRecord> implements AutoCloseable {
        private final AvroCodec<T> codec;
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final List<Received<T>> read = new ArrayList<>();

        TopicReader(String topic, AvroCodec<T> codec, String isolationLevel) {
            this.codec = codec;
            consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolationLevel,
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new ByteArrayDeserializer(),
                    new ByteArrayDeserializer());
            List<TopicPartition> partitions = IntStream.range(0, PARTITIONS)
                    .mapToObj(p -> new TopicPartition(topic, p)).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
        }

        /** Everything read, once {@code count} records arrived and then nothing more for {@code QUIET}. */
        List<Received<T>> awaitExactly(int count, RunningJob job) throws Exception {
            await(all -> all.size() >= count, job, count + " records");
            long quietUntil = System.nanoTime() + QUIET.toNanos();
            while (System.nanoTime() < quietUntil) {
                poll();
            }
            assertEquals(count, read.size(), () -> "records: " + read);
            return List.copyOf(read);
        }

        /** The first record read that matches. */
        T awaitFirst(Predicate<T> matching, RunningJob job, String what) throws Exception {
            await(all -> all.stream().map(Received::value).anyMatch(matching), job, what);
            return read.stream().map(Received::value).filter(matching).findFirst().orElseThrow();
        }

        private void await(Predicate<List<Received<T>>> done, RunningJob job, String what) throws Exception {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!done.test(read)) {
                job.assertRunning();
                assertTrue(System.nanoTime() < deadline, () -> what + " not read within " + WAIT + "; read: " + read);
                poll();
            }
        }

        private void poll() throws Exception {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                String key = new String(record.key(), StandardCharsets.UTF_8);
                read.add(new Received<>(key, codec.decode(record.value())));
            }
        }

        @Override
        public void close() {
            consumer.close(Duration.ZERO);
        }
    }

    /** The recommendation that the interaction at {@code eventTime} triggered. */
    private static Recommendation awaitTriggeredBy(TopicReader<Recommendation> recommendations, long eventTime,
                                                   RunningJob job) throws Exception {
        return recommendations.awaitFirst(rec -> rec.getTriggerEventTime().toEpochMilli() == eventTime, job,
                "the recommendation triggered at event time " + eventTime);
    }

    private static List<String> itemIds(Recommendation recommendation) {
        return recommendation.getItems().stream().map(ScoredItem::getItemId).toList();
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }
}
