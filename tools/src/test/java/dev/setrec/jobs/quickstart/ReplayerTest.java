package dev.setrec.jobs.quickstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.setrec.schemas.AvroCodec;
import dev.setrec.schemas.BadRecordException;
import dev.setrec.schemas.InteractionEvent;
import dev.setrec.schemas.ItemEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** The replayer against a mock producer: what it sends, in which order, how fast, and how it stops. */
class ReplayerTest {
    private static final Duration DONE_WITHIN = Duration.ofSeconds(20);

    private final ReplayPlan plan = ReplayPlan.of(ReplayTestData.threeUsers(), 1);
    private final MockProducer<byte[], byte[]> producer =
            new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    private final Replayer.Settings asFastAsPossible = Replayer.Settings.defaults().withEventsPerSecond(0);

    @Test
    void sendsTheItemsFirstThenTheEventsWithEveryKindOfBrokenMessage() throws Exception {
        try (Replayer replayer = Replayer.start(producer, plan, asFastAsPossible.withBadEvery(1))) {
            assertTrue(replayer.awaitDone(DONE_WITHIN));
            assertTrue(replayer.failure().isEmpty(), () -> replayer.failure().orElseThrow().toString());
            List<ProducerRecord<byte[], byte[]>> sent = producer.history();
            int items = plan.heldBackItems().size();
            assertEquals(4, items);
            assertEquals(items + 2 * plan.events().size(), sent.size(), "each event after a broken message");
            for (int i = 0; i < items; i++) {
                assertEquals("items", sent.get(i).topic());
                ItemEvent item = AvroCodec.of(ItemEvent.class).decode(sent.get(i).value());
                assertEquals(plan.heldBackItems().get(i).itemId(), item.getItemId());
                assertEquals(item.getItemId(), new String(sent.get(i).key(), StandardCharsets.UTF_8));
            }
            assertInteractions(sent.subList(items, sent.size()), replayer.ledger());
            assertEquals(8, replayer.ledger().eventsSent());
            assertEquals(8, replayer.ledger().badMessagesSent());
            assertEquals(4, replayer.ledger().itemsOnboarded());
        }
        assertTrue(producer.closed());
    }

    @Test
    void seedEventsGoFirstOutsideTheLiveLedgerAndLiveEventsWaitUntilTheyAreScored() throws Exception {
        ReplayPlan seeded = plan.withSeedHistories(ReplayTestData.threeUsers(), 50);
        int seeds = seeded.seedEvents().size();
        try (Replayer replayer = Replayer.start(producer, seeded, asFastAsPossible.withBadEvery(0))) {
            ReplayLedger ledger = replayer.ledger();
            int items = seeded.heldBackItems().size();
            long deadline = System.nanoTime() + DONE_WITHIN.toNanos();
            while (producer.history().size() < items + seeds && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(seeds, ledger.seedEventsSent());
            assertEquals(0, ledger.eventsSent(), "live events wait until the seeds are scored");
            AvroCodec<InteractionEvent> codec = AvroCodec.of(InteractionEvent.class);
            List<ProducerRecord<byte[], byte[]>> sent = producer.history();
            for (int n = 0; n < seeds; n++) {
                InteractionEvent e = codec.decode(sent.get(items + n).value());
                assertEquals(seeded.seedEvents().get(n).itemId(), e.getItemId());
                assertTrue(ledger.sentEvent(e.getUserId(), e.getEventTime().toEpochMilli()) == null,
                        "a seed is no live event");
                assertTrue(ledger.seedRecommended(e.getUserId(), e.getEventTime().toEpochMilli()),
                        "the job scored this seed"); // what the live view reports as recommendations arrive
            }
            assertTrue(replayer.awaitDone(DONE_WITHIN));
            assertEquals(plan.events().size(), ledger.eventsSent());
            assertEquals(items + seeds + plan.events().size(), producer.history().size());
        }
    }

    /** Real events in plan order, in the ledger, with rising event times; broken ones of the three kinds. */
    private void assertInteractions(List<ProducerRecord<byte[], byte[]>> sent, ReplayLedger ledger) {
        AvroCodec<InteractionEvent> codec = AvroCodec.of(InteractionEvent.class);
        List<ReplayPlan.Event> real = new ArrayList<>();
        int notAvro = 0;
        int noUser = 0;
        int unknownItem = 0;
        long lastEventTime = 0;
        for (ProducerRecord<byte[], byte[]> record : sent) {
            assertEquals("interactions", record.topic());
            assertTrue(Math.abs(record.timestamp() - System.currentTimeMillis()) < 60_000, "stamped now");
            InteractionEvent e;
            try {
                e = codec.decode(record.value());
            } catch (BadRecordException ex) {
                notAvro++;
                continue;
            }
            long eventTime = e.getEventTime().toEpochMilli();
            assertTrue(eventTime > lastEventTime, "strictly increasing event times");
            lastEventTime = eventTime;
            assertEquals(e.getUserId(), new String(record.key(), StandardCharsets.UTF_8), "keyed by user");
            if (e.getUserId().isEmpty()) {
                noUser++;
            } else if (e.getItemId().startsWith("no-such-item-")) {
                unknownItem++;
            } else {
                ReplayLedger.SentEvent entry = ledger.sentEvent(e.getUserId(), eventTime);
                real.add(new ReplayPlan.Event(e.getUserId(), e.getItemId(), entry.nextItemId()));
                assertEquals(e.getItemId(), entry.itemId());
            }
        }
        assertEquals(plan.events(), real, "every real event, in plan order, with its next item in the ledger");
        assertEquals(List.of(3, 3, 2), List.of(notAvro, noUser, unknownItem), "8 broken ones, kinds in turn");
    }

    @Test
    void sendsABrokenMessageBeforeEveryNthEventOnly() throws Exception {
        try (Replayer replayer = Replayer.start(producer, plan, asFastAsPossible.withBadEvery(3))) {
            assertTrue(replayer.awaitDone(DONE_WITHIN));
            assertEquals(2, replayer.ledger().badMessagesSent(), "before the 3rd and the 6th of 8");
            assertEquals(4 + 8 + 2, producer.history().size());
        }
    }

    @Test
    void pacesEventsByTheWallClock() throws Exception {
        long start = System.nanoTime();
        try (Replayer replayer = Replayer.start(producer, plan, asFastAsPossible.withEventsPerSecond(40))) {
            assertTrue(replayer.awaitDone(DONE_WITHIN));
            double seconds = (System.nanoTime() - start) / 1e9;
            assertTrue(seconds >= 7 / 40.0, "the 8th event is due 7/40 s after the first, took " + seconds);
        }
    }

    @Test
    void closeStopsTheReplayPromptly() throws Exception {
        Replayer replayer = Replayer.start(producer, plan, asFastAsPossible.withEventsPerSecond(1));
        Thread.sleep(200);
        long start = System.nanoTime();
        replayer.close();
        assertTrue(System.nanoTime() - start < 1_000_000_000L, "closed within a second");
        assertTrue(replayer.awaitDone(Duration.ZERO));
        assertTrue(replayer.ledger().eventsSent() < plan.events().size());
        assertTrue(replayer.failure().isEmpty(), "stopping is no failure");
        assertTrue(producer.closed());
    }

    @Test
    void roundsReplayThePlanAgainForFreshUsersUntilAModelServesThenOnceMoreAtTheSettingsRate() throws Exception {
        ReplayLedger ledger = new ReplayLedger(plan.events().size());
        int secondRoundBeforeTakeover = 3;
        ReplayRounds rounds = ReplayRounds.untilTakeover(new ReplayRounds.Takeover(
                () -> ledger.eventsSent() >= plan.events().size() + secondRoundBeforeTakeover, () -> true,
                () -> "epoch 1/2"), 0, plan.events().size(), line -> { });
        try (Replayer replayer = Replayer.start(producer, plan, asFastAsPossible.withBadEvery(0), ledger, rounds)) {
            assertTrue(replayer.awaitDone(DONE_WITHIN));
            assertTrue(replayer.failure().isEmpty(), () -> replayer.failure().orElseThrow().toString());
        }
        int items = plan.heldBackItems().size();
        List<String> users = new ArrayList<>();
        for (ProducerRecord<byte[], byte[]> sent : producer.history().subList(items, producer.history().size())) {
            users.add(AvroCodec.of(InteractionEvent.class).decode(sent.value()).getUserId());
        }
        List<String> expected = new ArrayList<>();
        plan.events().forEach(e -> expected.add(e.userId()));
        plan.events().subList(0, secondRoundBeforeTakeover).forEach(e -> expected.add(e.userId() + "~2"));
        plan.events().forEach(e -> expected.add(e.userId() + "~3"));
        assertEquals(expected, users, "round 1, round 2 until the takeover, round 3 whole; the items once, before");
        assertTrue(producer.history().subList(0, items).stream().allMatch(r -> r.topic().equals("items")));
        assertEquals(expected.size(), ledger.eventsSent());
        assertEquals(ledger.eventsSent(), ledger.plannedEvents(), "what round 2 left out is no longer planned");
    }

    @Test
    void closeStopsRoundsThatWaitForATrainingPromptly() throws Exception {
        ReplayLedger ledger = new ReplayLedger(plan.events().size());
        ReplayRounds rounds = ReplayRounds.untilTakeover(new ReplayRounds.Takeover(() -> false, () -> true,
                () -> "epoch 1/2"), 0, plan.events().size(), line -> { });
        Replayer replayer = Replayer.start(producer, plan, asFastAsPossible.withBadEvery(0), ledger, rounds);
        long deadline = System.nanoTime() + DONE_WITHIN.toNanos();
        while (ledger.eventsSent() <= plan.events().size() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(ledger.eventsSent() > plan.events().size(), "a round while training is under way");
        long start = System.nanoTime();
        replayer.close(); // as --duration, Ctrl-C or SIGTERM do
        assertTrue(System.nanoTime() - start < 1_000_000_000L, "closed within a second");
        assertTrue(replayer.awaitDone(Duration.ZERO));
        assertTrue(replayer.failure().isEmpty(), "stopping is no failure");
    }

    @Test
    void aFailedSendStopsTheReplayAndIsReported() throws Exception {
        producer.sendException = new KafkaException("broker gone");
        try (Replayer replayer = Replayer.start(producer, plan, asFastAsPossible)) {
            assertTrue(replayer.awaitDone(DONE_WITHIN));
            assertEquals("broker gone", replayer.failure().orElseThrow().getMessage());
            assertEquals(0, replayer.ledger().eventsSent());
        }
    }
}
