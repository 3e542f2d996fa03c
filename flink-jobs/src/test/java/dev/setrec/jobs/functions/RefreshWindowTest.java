package dev.setrec.jobs.functions;

import dev.setrec.jobs.records.RefreshResult;
import dev.setrec.jobs.records.WindowEvent;
import dev.setrec.schemas.ItemEvent;
import dev.setrec.schemas.ModelVersion;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 1, unit = TimeUnit.MINUTES)
class RefreshWindowTest {
    private static final Duration INTERVAL = Duration.ofMinutes(10);
    private static final int MAX_EVENTS = 5;
    private static final int MAX_ITEMS = 2;
    private static final long WAIT_NANOS = Duration.ofSeconds(20).toNanos();

    private KeyedTwoInputStreamOperatorTestHarness<String, WindowEvent, ItemEvent, ModelVersion> harness;
    private long sent;

    /**
     * Stands in for training, which these tests are not about: records what it was given and answers with a promoted
     * version named after the call, or throws where told to; it can be held until released, like a long training.
     * Its fields are transient: the harness serializes the function once but runs the instance it was given.
     */
    private static final class ScriptedRefresher implements Refresher {
        private static final long serialVersionUID = 1L;
        final transient List<List<WindowEvent>> windows = Collections.synchronizedList(new ArrayList<>());
        final transient List<List<ItemEvent>> items = Collections.synchronizedList(new ArrayList<>());
        transient CountDownLatch hold = new CountDownLatch(0);
        transient RuntimeException failure;

        @Override
        public RefreshResult refresh(List<WindowEvent> window, List<ItemEvent> seen) throws Exception {
            windows.add(window);
            items.add(seen);
            hold.await();
            if (failure != null) {
                throw failure;
            }
            return new RefreshResult(true, "beats the serving version", "v" + windows.size(), 0.25, Double.NaN,
                    0.2, Double.NaN, seen.size());
        }

        /** Waits until {@code count} refreshes have started (on the refresh thread, some time after the timer). */
        void awaitStarted(int count) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT_NANOS;
            while (windows.size() < count) {
                assertTrue(System.nanoTime() < deadline, count + " refreshes did not start within the wait");
                Thread.sleep(5);
            }
        }
    }

    private ScriptedRefresher open(int minEvents) throws Exception {
        ScriptedRefresher refresher = new ScriptedRefresher();
        harness = ProcessFunctionTestHarnesses.forKeyedCoProcessFunction(window(refresher, minEvents),
                event -> RefreshWindow.KEY, item -> RefreshWindow.KEY, Types.STRING);
        harness.setProcessingTime(0);
        return refresher;
    }

    private static RefreshWindow window(Refresher refresher, int minEvents) {
        return new RefreshWindow(refresher, INTERVAL, MAX_EVENTS, minEvents, MAX_ITEMS);
    }

    @AfterEach
    void close() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    private static WindowEvent event(long n) {
        return new WindowEvent("user-" + n % 3, "item-" + n, 1_000 + n);
    }

    /** Sends the next {@code count} interactions, numbered on from the ones sent before. */
    private void interact(int count) throws Exception {
        for (int i = 0; i < count; i++) {
            harness.processElement1(new StreamRecord<>(event(sent++)));
        }
    }

    private void publish(String id, String title) throws Exception {
        harness.processElement2(new StreamRecord<>(ItemEvent.newBuilder().setItemId(id).setTitle(title)
                .setEventTime(Instant.ofEpochMilli(5)).build()));
    }

    private void advance(Duration by) throws Exception {
        harness.setProcessingTime(harness.getProcessingTime() + by.toMillis());
    }

    /** Polls (advancing processing time) until the outcome of the running refresh is out; all outcomes so far. */
    private List<ModelVersion> awaitOutcome() throws Exception {
        int before = harness.extractOutputValues().size();
        long deadline = System.nanoTime() + WAIT_NANOS;
        while (harness.extractOutputValues().size() == before) {
            assertTrue(System.nanoTime() < deadline, "no outcome within the wait");
            Thread.sleep(5);
            advance(RefreshWindow.POLL);
        }
        return harness.extractOutputValues();
    }

    private long keptEvents() throws Exception {
        KeyedStateBackend<String> backend = harness.getOperator().getKeyedStateBackend();
        backend.setCurrentKey(RefreshWindow.KEY);
        MapState<Long, WindowEvent> events = backend.getPartitionedState(VoidNamespace.INSTANCE,
                VoidNamespaceSerializer.INSTANCE, RefreshWindow.eventsState());
        long kept = 0;
        for (Long ignored : events.keys()) {
            kept++;
        }
        return kept;
    }

    @Test
    void theWindowKeepsTheNewestInteractionsOldestFirstAndTheItemsUpToTheirBound() throws Exception {
        ScriptedRefresher refresher = open(1);
        interact(8);
        publish("new-1", "A toy");
        publish("new-2", "A kite");
        publish("new-1", "A wooden toy"); // its new text replaces the old
        publish("new-3", "A drum"); // beyond the bound of 2 items
        assertEquals(MAX_EVENTS, keptEvents(), "the oldest interactions are dropped from state, not only hidden");

        advance(INTERVAL);
        List<ModelVersion> outcomes = awaitOutcome();

        assertEquals(List.of(LongStream.range(3, 8).mapToObj(RefreshWindowTest::event).toList()), refresher.windows);
        assertEquals(Set.of("A wooden toy", "A kite"), refresher.items.get(0).stream().map(ItemEvent::getTitle)
                .collect(Collectors.toSet()));
        ModelVersion version = outcomes.get(0);
        assertEquals("v1", version.getVersion());
        assertTrue(version.getPromoted());
        assertEquals("beats the serving version", version.getReason());
        assertEquals(0.25, version.getCandidateAllRecall10());
        assertNull(version.getCandidateColdRecall10(), "NaN (no figure) is null in the record");
        assertEquals(0.2, version.getServingAllRecall10());
        assertEquals(2, version.getNewlyWarm());
        assertEquals(MAX_EVENTS, version.getWindowEvents());
        assertFalse(version.getFinishedTime().isBefore(version.getStartedTime()));
    }

    @Test
    void oneTimerPerPurposeAtATime() throws Exception {
        ScriptedRefresher refresher = open(1);
        assertEquals(0, harness.numProcessingTimeTimers(), "no timer before any input");
        interact(3);
        publish("new-1", "A toy");
        assertEquals(1, harness.numProcessingTimeTimers(), "the refresh timer only");

        refresher.hold = new CountDownLatch(1);
        advance(INTERVAL);
        assertEquals(2, harness.numProcessingTimeTimers(), "the next refresh and the poll of the running one");
        for (int i = 0; i < 3; i++) {
            advance(RefreshWindow.POLL);
            assertEquals(2, harness.numProcessingTimeTimers(), "a poll replaces itself while the refresh runs");
        }
        refresher.hold.countDown();
        awaitOutcome();
        assertEquals(1, harness.numProcessingTimeTimers(), "the poll is gone once the outcome is out");

        for (int i = 0; i < 5; i++) {
            advance(INTERVAL);
            assertEquals(1, harness.numProcessingTimeTimers(), "quiet intervals leave one refresh timer");
        }
        assertEquals(1, refresher.windows.size(), "nothing new arrived: no refresh");
    }

    @Test
    void noRefreshRunsUntilEnoughInteractionsArrivedSinceTheLastOne() throws Exception {
        ScriptedRefresher refresher = open(3);
        interact(2);
        advance(INTERVAL);
        advance(RefreshWindow.POLL);
        assertTrue(refresher.windows.isEmpty(), "2 new interactions, 3 needed");
        assertTrue(harness.extractOutputValues().isEmpty());

        interact(1);
        advance(INTERVAL);
        awaitOutcome();
        assertEquals(1, refresher.windows.size());

        interact(2);
        advance(INTERVAL);
        advance(RefreshWindow.POLL);
        assertEquals(1, refresher.windows.size(), "the count starts again after a refresh");
    }

    @Test
    void oneRefreshRunsAtATimeAndWhatArrivesMeanwhileCountsForTheNext() throws Exception {
        ScriptedRefresher refresher = open(3);
        refresher.hold = new CountDownLatch(1);
        interact(3);
        advance(INTERVAL);
        refresher.awaitStarted(1);
        interact(2); // while the first refresh runs
        advance(INTERVAL);
        advance(INTERVAL);
        assertEquals(1, refresher.windows.size(), "a running refresh makes the next intervals skip");

        refresher.hold.countDown();
        assertEquals(1, awaitOutcome().size());
        assertEquals(1, refresher.windows.size(), "the skipped intervals left no refresh waiting to run");
        advance(INTERVAL);
        advance(RefreshWindow.POLL);
        assertEquals(1, refresher.windows.size(), "2 arrived during the first refresh, 3 are needed");

        interact(1);
        advance(INTERVAL);
        assertEquals(2, awaitOutcome().size());
        assertEquals(2, refresher.windows.size());
        assertEquals(MAX_EVENTS, refresher.windows.get(1).size());
    }

    @Test
    void aRefreshThatThrowsIsARefusedVersionAndTheWindowGoesOn() throws Exception {
        ScriptedRefresher refresher = open(1);
        refresher.failure = new IllegalStateException("the serving model cannot be read");
        interact(2);
        advance(INTERVAL);
        ModelVersion refused = awaitOutcome().get(0);
        assertFalse(refused.getPromoted());
        assertNull(refused.getVersion(), "no version was written");
        assertTrue(refused.getReason().contains("the serving model cannot be read"), refused.getReason());
        assertNull(refused.getCandidateAllRecall10());
        assertNull(refused.getServingAllRecall10());
        assertEquals(2, refused.getWindowEvents());

        refresher.failure = null;
        interact(1);
        advance(INTERVAL);
        ModelVersion next = awaitOutcome().get(1);
        assertTrue(next.getPromoted(), "the next refresh runs as usual");
        assertEquals(3, next.getWindowEvents());
    }

    @Test
    void aRestoredWindowKeepsItsInteractionsAndRedoesTheRefreshThatWasRunning() throws Exception {
        ScriptedRefresher interrupted = open(3);
        interrupted.hold = new CountDownLatch(1); // never released: the task fails while it trains
        interact(7);
        publish("new-1", "A toy");
        advance(INTERVAL);
        interrupted.awaitStarted(1);
        long takenAt = harness.getProcessingTime();
        OperatorSubtaskState snapshot = harness.snapshot(1, takenAt);
        harness.close(); // interrupts the refresh

        ScriptedRefresher refresher = new ScriptedRefresher();
        harness = new KeyedTwoInputStreamOperatorTestHarness<>(new KeyedCoProcessOperator<>(window(refresher, 3)),
                event -> RefreshWindow.KEY, item -> RefreshWindow.KEY, Types.STRING);
        harness.initializeState(snapshot);
        harness.open();
        harness.setProcessingTime(takenAt);
        assertEquals(MAX_EVENTS, keptEvents());
        assertEquals(2, harness.numProcessingTimeTimers(), "the refresh timer and the poll, restored");

        advance(RefreshWindow.POLL);
        assertEquals(1, harness.numProcessingTimeTimers(), "the poll of a refresh that died with the task is dropped");
        assertTrue(harness.extractOutputValues().isEmpty());

        advance(INTERVAL);
        assertEquals(1, awaitOutcome().size(), "redone at the next interval, though nothing new arrived");
        assertEquals(interrupted.windows, refresher.windows, "on the same window");
        assertEquals(interrupted.items, refresher.items);
    }

    @Test
    void settingsThatCannotWorkAreRefusedInOneLineNamingTheOptions() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new RefreshWindow(new ScriptedRefresher(), INTERVAL, MAX_EVENTS, MAX_EVENTS + 1, MAX_ITEMS));
        assertTrue(e.getMessage().contains("setrec.refresh.min-events")
                && e.getMessage().contains("setrec.refresh.window-events") && !e.getMessage().contains("\n"),
                e.getMessage());
    }

    /** Flink's POJO serializer, not Kryo: the window's state can evolve with its records and is compact in RocksDB. */
    @Test
    void theWindowsStateRecordsAreFlinkPojos() {
        assertInstanceOf(PojoTypeInfo.class, TypeInformation.of(WindowEvent.class));
        assertInstanceOf(PojoTypeInfo.class, TypeInformation.of(RefreshWindow.Bounds.class));
    }
}
