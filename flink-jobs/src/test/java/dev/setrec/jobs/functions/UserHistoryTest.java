package dev.setrec.jobs.functions;

import dev.setrec.jobs.records.Interaction;
import dev.setrec.jobs.records.ItemRecord;
import dev.setrec.jobs.records.RawRecord;
import dev.setrec.jobs.records.ScoringRequest;
import dev.setrec.jobs.scoring.FixedCatalogue;
import dev.setrec.jobs.scoring.SetRecOperator;
import dev.setrec.jobs.scoring.SharedOperators;
import dev.setrec.schemas.DeadLetter;
import dev.setrec.schemas.ItemEvent;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UserHistoryTest {
    private static final Duration TTL = Duration.ofHours(1);

    private KeyedBroadcastOperatorTestHarness<String, Interaction, ItemRecord, ScoringRequest> harness;

    private KeyedBroadcastOperatorTestHarness<String, Interaction, ItemRecord, ScoringRequest> open(int maxLength)
            throws Exception {
        UserHistory function = new UserHistory(FixedCatalogue.factory("history-test", "a", "b", "c", "d", "e"),
                maxLength, TTL);
        harness = ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(function, i -> i.userId, Types.STRING,
                UserHistory.ONBOARDED);
        return harness;
    }

    @AfterEach
    void close() throws Exception {
        if (harness != null) {
            harness.close();
        }
        assertEquals(0, SharedOperators.openCount(), "closing the function releases the shared model");
    }

    private static long offset;

    private static Interaction event(String user, String item) {
        RawRecord raw = new RawRecord("interactions", 0, offset++, 1_000L, user.getBytes(StandardCharsets.UTF_8),
                new byte[] {1, 2});
        return new Interaction(user, item, 1_000L, raw);
    }

    private List<ScoringRequest> feed(String user, String... items) throws Exception {
        int before = harness.extractOutputValues().size();
        for (String item : items) {
            harness.processElement(event(user, item), 0);
        }
        List<ScoringRequest> all = harness.extractOutputValues();
        return all.subList(before, all.size());
    }

    @Test
    void everyInteractionAsksForARankingOfTheBoundedHistory() throws Exception {
        open(3);
        List<ScoringRequest> out = feed("u1", "a", "b", "c", "d", "e");
        assertEquals(5, out.size());
        assertArrayEquals(new String[] {"a"}, out.get(0).history);
        assertArrayEquals(new String[] {"a", "b", "c"}, out.get(2).history);
        assertArrayEquals(new String[] {"c", "d", "e"}, out.get(4).history, "only the newest 3 are kept");
        assertArrayEquals(new String[] {"a", "b", "c"}, out.get(2).history, "earlier requests are not mutated");
        assertEquals("u1", out.get(4).userId);
        assertArrayEquals(new String[] {"b"}, feed("u2", "b").get(0).history, "users do not share histories");
    }

    @Test
    void stateHoldsOneEntryPerUserNotPerEvent() throws Exception {
        open(50);
        for (int i = 0; i < 200; i++) {
            feed("user-" + (i % 7), "abcde".substring(i % 5, i % 5 + 1));
        }
        HeapKeyedStateBackend<?> backend = (HeapKeyedStateBackend<?>) harness.getOperator().getKeyedStateBackend();
        assertEquals(7, backend.numKeyValueStateEntries());
    }

    @Test
    void aQuietUsersHistoryExpiresAfterTheTtl() throws Exception {
        open(50);
        harness.setStateTtlProcessingTime(0);
        feed("u1", "a", "b");
        harness.setStateTtlProcessingTime(TTL.toMillis() - 1);
        assertArrayEquals(new String[] {"a", "b", "c"}, feed("u1", "c").get(0).history, "an interaction renews it");
        harness.setStateTtlProcessingTime(2 * TTL.toMillis());
        assertArrayEquals(new String[] {"d"}, feed("u1", "d").get(0).history, "expired: starts afresh");
    }

    @Test
    void unknownItemsAreDeadLettersAndLeaveTheHistoryAlone() throws Exception {
        open(50);
        feed("u1", "a");
        assertTrue(feed("u1", "zzz").isEmpty());
        List<DeadLetter> letters = harness.getSideOutput(DeadLetters.TAG).stream().map(StreamRecord::getValue).toList();
        assertEquals(1, letters.size());
        assertTrue(letters.get(0).getReason().contains("unknown item id 'zzz'"), letters.get(0).getReason());
        assertEquals("interactions", letters.get(0).getSourceTopic());
        assertArrayEquals(new String[] {"a", "b"}, feed("u1", "b").get(0).history);
    }

    @Test
    void anOnboardedItemIsUsableAtOnceAndRememberedInBroadcastState() throws Exception {
        open(50);
        ItemEvent item = ItemEvent.newBuilder().setItemId("new-1").setTitle("A brand new toy")
                .setEventTime(Instant.ofEpochMilli(5)).build();
        harness.processBroadcastElement(new ItemRecord(item, new RawRecord("items", 0, 0, 5, null, null)), 0);
        assertEquals(item, harness.getBroadcastState(UserHistory.ONBOARDED).get("new-1"));
        assertArrayEquals(new String[] {"a", "new-1"}, feed("u1", "a", "new-1").get(1).history);
    }

    @Test
    void aRestoredInstanceOnboardsTheRememberedItemsIntoItsFreshModelWhenItOpens() throws Exception {
        SetRecOperator.Factory model = FixedCatalogue.factory("restore-test", "a");
        ItemEvent item = ItemEvent.newBuilder().setItemId("new-1").setTitle("A brand new toy")
                .setEventTime(Instant.ofEpochMilli(5)).build();
        OperatorSubtaskState snapshot;
        try (var before = restored(model, null)) {
            before.processBroadcastElement(new ItemRecord(item, new RawRecord("items", 0, 0, 5, null, null)), 0);
            snapshot = before.snapshot(1, 10);
        }
        assertEquals(0, SharedOperators.openCount(), "the first instance's model is gone with it");

        try (var after = restored(model, snapshot)) {
            SetRecOperator fresh = SharedOperators.acquire(model);
            try {
                assertTrue(fresh.knows("new-1"), "rankable before any interaction names it");
            } finally {
                SharedOperators.release(model);
            }
        }
    }

    /** A history instance on {@code model}, restored from {@code snapshot} where not null, and opened. */
    private static KeyedBroadcastOperatorTestHarness<String, Interaction, ItemRecord, ScoringRequest> restored(
            SetRecOperator.Factory model, OperatorSubtaskState snapshot) throws Exception {
        var harness = new KeyedBroadcastOperatorTestHarness<String, Interaction, ItemRecord, ScoringRequest>(
                new CoBroadcastWithKeyedOperator<>(new UserHistory(model, 50, TTL), List.of(UserHistory.ONBOARDED)),
                (KeySelector<Interaction, String>) i -> i.userId, Types.STRING, 1, 1, 0);
        harness.setup();
        harness.initializeState(snapshot);
        harness.open();
        return harness;
    }
}
