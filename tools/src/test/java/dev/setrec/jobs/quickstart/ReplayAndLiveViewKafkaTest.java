package dev.setrec.jobs.quickstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.setrec.jobs.kafka.EmbeddedKafka;
import dev.setrec.jobs.kafka.Topics;
import dev.setrec.schemas.AvroCodec;
import dev.setrec.schemas.BadRecordException;
import dev.setrec.schemas.DeadLetter;
import dev.setrec.schemas.InteractionEvent;
import dev.setrec.schemas.Recommendation;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The replayer and the live view against an in-process broker. */
@Timeout(180)
class ReplayAndLiveViewKafkaTest {
    private static final Duration TOPIC_TIMEOUT = Duration.ofSeconds(30);
    private static final String RECOMMENDATIONS = "recommendations";
    private static final String DEAD_LETTERS = "dead-letters";

    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.start();
        Topics.ensure(kafka.bootstrapServers(), Map.of("items", 1, "interactions", 2, RECOMMENDATIONS, 2,
                DEAD_LETTERS, 1), TOPIC_TIMEOUT);
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void replayedItemsInteractionsAndBrokenMessagesArriveInKafka() throws Exception {
        ReplayPlan plan = ReplayPlan.of(ReplayTestData.threeUsers(), 5);
        Replayer.Settings settings = Replayer.Settings.defaults().withEventsPerSecond(0).withBadEvery(3);
        try (Replayer replayer = Replayer.start(Replayer.producer(kafka.bootstrapServers()), plan, settings)) {
            assertTrue(replayer.awaitDone(Duration.ofSeconds(60)));
            assertTrue(replayer.failure().isEmpty(), () -> replayer.failure().orElseThrow().toString());
        }
        assertEquals(4, consume("items", 4).size());
        List<byte[]> interactions = consume("interactions", 8 + 2);
        int undecodable = 0;
        int withoutUser = 0;
        for (byte[] value : interactions) {
            try {
                withoutUser += AvroCodec.of(InteractionEvent.class).decode(value).getUserId().isEmpty() ? 1 : 0;
            } catch (BadRecordException e) {
                undecodable++;
            }
        }
        assertEquals(List.of(1, 1), List.of(undecodable, withoutUser), "random bytes, then an event without user");
    }

    @Test
    void liveViewCountsWhatTheJobWouldWrite() throws Exception {
        ReplayLedger ledger = new ReplayLedger(2);
        ledger.eventSent("u", 1, "i1", "i2");
        ledger.eventSent("v", 1, "i3", "i4");
        long now = System.currentTimeMillis();
        try (Producer<byte[], byte[]> producer = Replayer.producer(kafka.bootstrapServers())) {
            send(producer, RECOMMENDATIONS, AvroCodec.of(Recommendation.class).encode(
                    LiveViewFiguresTest.recommendation("u", 1, now, 0, "i2")));
            send(producer, RECOMMENDATIONS, AvroCodec.of(Recommendation.class).encode(
                    LiveViewFiguresTest.recommendation("v", 1, now, 0, "i9")));
            send(producer, DEAD_LETTERS, AvroCodec.of(DeadLetter.class).encode(DeadLetter.newBuilder()
                    .setReason("missing userId").setSourceTopic("interactions").setSourcePartition(0)
                    .setSourceOffset(7).setFailedTime(Instant.ofEpochMilli(now)).build()));
            send(producer, DEAD_LETTERS, new byte[] {1, 2, 3});
        }
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        LiveFigures figures = new LiveFigures(ledger, Set.of(), LiveFigures.DEFAULT_LATENCY_WINDOW);
        StatusBoard board = new StatusBoard(new PrintStream(console, true, StandardCharsets.UTF_8),
                ItemTitles.of(ReplayTestData.threeUsers()), false);
        JobHealth running = new JobHealth(JobState.RUNNING, 0, 0, 5, 5, Optional.empty());
        try (LiveView view = LiveView.start(kafka.bootstrapServers(), RECOMMENDATIONS, DEAD_LETTERS, figures, board,
                () -> running)) {
            while (figures.snapshot(now).recommendations() < 2 || figures.snapshot(now).unreadable() < 1) {
                Thread.sleep(50);
            }
            assertTrue(view.failure().isEmpty());
        }
        LiveFigures.Snapshot s = figures.snapshot(now);
        assertEquals(List.of(2L, 2L, 1L, 1L, 1L), List.of(s.recommendations(), s.withNextItem(), s.hitsAt10(),
                s.deadLetters(), s.unreadable()));
        assertTrue(console.toString(StandardCharsets.UTF_8).contains("summary:\njob      running | no restarts\n"),
                console::toString);
    }

    private static void send(Producer<byte[], byte[]> producer, String topic, byte[] value) throws Exception {
        producer.send(new ProducerRecord<>(topic, "k".getBytes(StandardCharsets.UTF_8), value)).get();
    }

    private static List<byte[]> consume(String topic, int expected) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "replay-test-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            List<byte[]> values = new ArrayList<>();
            while (values.size() < expected) { // @Timeout ends a consumer that never gets them all
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    values.add(record.value());
                }
            }
            assertTrue(consumer.poll(Duration.ofMillis(500)).isEmpty(), "nothing beyond what was sent");
            return values;
        }
    }
}
