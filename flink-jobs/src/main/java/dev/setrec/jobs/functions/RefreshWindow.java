package dev.setrec.jobs.functions;

import dev.setrec.jobs.JobOptions;
import dev.setrec.jobs.records.RefreshResult;
import dev.setrec.jobs.records.WindowEvent;
import dev.setrec.schemas.ItemEvent;
import dev.setrec.schemas.ModelVersion;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The refresh job's window, on one constant key at parallelism 1: it keeps the newest interactions (at most
 * {@code maxEvents}, the oldest dropped first) and the items seen on the items topic (at most {@code maxItems}, by
 * id with their latest text), and every refresh interval, where at least {@code minEvents} interactions arrived since
 * the last refresh and none is running, hands a copy of both to the {@link Refresher} on a thread of its own: the
 * task thread goes on taking input and checkpoints while a model trains. A running refresh is looked at every
 * {@link #POLL}; its outcome becomes a {@link ModelVersion} record, and a refresh that throws becomes a refused one
 * with the error as its reason while the job goes on.
 *
 * <p>State, RocksDB-friendly (one entry per interaction or item, nothing rewritten whole): the window by sequence
 * number, its {@link Bounds}, the items by id, and when each timer is due (exactly one timer per purpose). A running
 * refresh is not state: where the job fails while one runs, it is simply redone at the next interval after the
 * restore, since its interactions are counted off only when its outcome is published.
 */
public final class RefreshWindow extends KeyedCoProcessFunction<String, WindowEvent, ItemEvent, ModelVersion> {
    private static final Logger LOG = LoggerFactory.getLogger(RefreshWindow.class);
    private static final long serialVersionUID = 1L;
    /** The key of every input: one window for the whole job. */
    public static final String KEY = "window";
    /** How often a running refresh is looked at. */
    static final Duration POLL = Duration.ofSeconds(1);
    /** How long closing waits for an interrupted refresh to end. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(30);

    /**
     * The window's interactions are the sequence numbers [first, next); {@code sinceRefresh} of them (or of those
     * dropped since) arrived after the last published refresh started; {@code items} is the number of items kept.
     */
    public record Bounds(long first, long next, long sinceRefresh, int items) {
        static final Bounds EMPTY = new Bounds(0, 0, 0, 0);

        int size() {
            return Math.toIntExact(next - first);
        }
    }

    private final Refresher refresher;
    private final Duration interval;
    private final int maxEvents;
    private final int minEvents;
    private final int maxItems;
    private transient MapState<Long, WindowEvent> events;
    private transient MapState<String, ItemEvent> items;
    private transient ValueState<Bounds> bounds;
    private transient ValueState<Long> refreshDue;
    private transient ValueState<Long> pollDue;
    private transient ExecutorService thread;
    private transient Running running;
    private transient Counter refreshesFailed;
    private transient Counter refreshesSkipped;
    private transient Counter itemsBeyondBound;

    /** The refresh on its thread, and what is needed to publish its outcome. */
    private static final class Running {
        final long startedMillis = System.currentTimeMillis();
        volatile long finishedMillis;
        final long counted;
        final int windowEvents;
        Future<RefreshResult> result;

        Running(long counted, int windowEvents) {
            this.counted = counted;
            this.windowEvents = windowEvents;
        }
    }

    /**
     * @param interval  how often a refresh may start (processing time)
     * @param maxEvents interactions kept, the newest
     * @param minEvents interactions that must have arrived since the last refresh for the next to run
     * @param maxItems  items kept; the ones beyond are not (counted in the metric itemsBeyondBound)
     */
    public RefreshWindow(Refresher refresher, Duration interval, int maxEvents, int minEvents, int maxItems) {
        if (interval.toMillis() < 1 || maxEvents < 1 || minEvents < 1 || minEvents > maxEvents || maxItems < 0) {
            throw new IllegalArgumentException("refresh window: need " + JobOptions.REFRESH_INTERVAL.key()
                    + " >= 1 ms, 1 <= " + JobOptions.REFRESH_MIN_EVENTS.key() + " <= "
                    + JobOptions.REFRESH_WINDOW_EVENTS.key() + " and " + JobOptions.MAX_ONBOARDED_ITEMS.key()
                    + " >= 0; got " + interval + ", " + minEvents + ", " + maxEvents + ", " + maxItems);
        }
        this.refresher = refresher;
        this.interval = interval;
        this.maxEvents = maxEvents;
        this.minEvents = minEvents;
        this.maxItems = maxItems;
    }

    static MapStateDescriptor<Long, WindowEvent> eventsState() {
        return new MapStateDescriptor<>("window-events", Types.LONG, TypeInformation.of(WindowEvent.class));
    }

    static MapStateDescriptor<String, ItemEvent> itemsState() {
        return new MapStateDescriptor<>("window-items", Types.STRING, new AvroTypeInfo<>(ItemEvent.class));
    }

    @Override
    public void open(OpenContext context) {
        events = getRuntimeContext().getMapState(eventsState());
        items = getRuntimeContext().getMapState(itemsState());
        bounds = getRuntimeContext().getState(new ValueStateDescriptor<>("window-bounds",
                TypeInformation.of(Bounds.class)));
        refreshDue = getRuntimeContext().getState(new ValueStateDescriptor<>("refresh-due", Types.LONG));
        pollDue = getRuntimeContext().getState(new ValueStateDescriptor<>("poll-due", Types.LONG));
        refreshesFailed = getRuntimeContext().getMetricGroup().counter("refreshesFailed");
        refreshesSkipped = getRuntimeContext().getMetricGroup().counter("refreshesSkippedWhileOneRuns");
        itemsBeyondBound = getRuntimeContext().getMetricGroup().counter("itemsBeyondBound");
        getRuntimeContext().getMetricGroup().gauge("refreshRunning", () -> running == null ? 0 : 1);
        // the thread is made on the first submit, from the task thread: it inherits the job's class loader
        thread = Executors.newSingleThreadExecutor(task -> {
            Thread refresh = new Thread(task, "setrec-refresh");
            refresh.setDaemon(true);
            return refresh;
        });
    }

    private Bounds bounds() throws Exception {
        Bounds current = bounds.value();
        return current == null ? Bounds.EMPTY : current;
    }

    @Override
    public void processElement1(WindowEvent event, Context ctx, Collector<ModelVersion> out) throws Exception {
        Bounds old = bounds();
        events.put(old.next(), event);
        long first = old.first();
        if (old.next() + 1 - first > maxEvents) {
            events.remove(first++);
        }
        bounds.update(new Bounds(first, old.next() + 1, old.sinceRefresh() + 1, old.items()));
        scheduleRefresh(ctx.timerService());
    }

    @Override
    public void processElement2(ItemEvent item, Context ctx, Collector<ModelVersion> out) throws Exception {
        if (items.contains(item.getItemId())) {
            items.put(item.getItemId(), item);
        } else {
            Bounds old = bounds();
            if (old.items() >= maxItems) {
                itemsBeyondBound.inc();
                return;
            }
            items.put(item.getItemId(), item);
            bounds.update(new Bounds(old.first(), old.next(), old.sinceRefresh(), old.items() + 1));
        }
        scheduleRefresh(ctx.timerService());
    }

    /** The refresh timer, from the first input on; it then registers the next one each time it fires. */
    private void scheduleRefresh(TimerService timers) throws Exception {
        if (refreshDue.value() == null) {
            register(timers, refreshDue, interval);
        }
    }

    private static void register(TimerService timers, ValueState<Long> due, Duration after) throws Exception {
        long time = timers.currentProcessingTime() + after.toMillis();
        timers.registerProcessingTimeTimer(time);
        due.update(time);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<ModelVersion> out) throws Exception {
        // a poll first: where both fall on one time, a finished refresh is published before the next may start
        if (Objects.equals(pollDue.value(), timestamp)) {
            pollDue.clear();
            poll(ctx.timerService(), out);
        }
        if (Objects.equals(refreshDue.value(), timestamp)) {
            register(ctx.timerService(), refreshDue, interval);
            startRefresh(ctx.timerService());
        }
    }

    private void startRefresh(TimerService timers) throws Exception {
        Bounds window = bounds();
        if (window.sinceRefresh() < minEvents) {
            return;
        }
        if (running != null) {
            refreshesSkipped.inc();
            LOG.info("refresh skipped: the one started at {} still runs", Instant.ofEpochMilli(running.startedMillis));
            return;
        }
        List<WindowEvent> copy = copyOf(window);
        List<ItemEvent> seen = new ArrayList<>(window.items());
        for (ItemEvent item : items.values()) {
            seen.add(item);
        }
        Running run = new Running(window.sinceRefresh(), copy.size());
        run.result = thread.submit(() -> {
            try {
                return refresher.refresh(copy, seen);
            } finally {
                run.finishedMillis = System.currentTimeMillis();
            }
        });
        running = run;
        LOG.info("refresh started on {} interactions ({} new) and {} items", copy.size(), window.sinceRefresh(),
                seen.size());
        register(timers, pollDue, POLL);
    }

    /** The window's interactions, oldest first (a map's entries come in no particular order). */
    private List<WindowEvent> copyOf(Bounds window) throws Exception {
        WindowEvent[] copy = new WindowEvent[window.size()];
        for (Map.Entry<Long, WindowEvent> event : events.entries()) {
            copy[Math.toIntExact(event.getKey() - window.first())] = event.getValue();
        }
        return List.of(copy);
    }

    private void poll(TimerService timers, Collector<ModelVersion> out) throws Exception {
        if (running == null) {
            return; // restored with the poll timer of a refresh that died with the failure: redone at the next interval
        }
        if (!running.result.isDone()) {
            register(timers, pollDue, POLL);
            return;
        }
        out.collect(outcome(running));
        Bounds window = bounds();
        bounds.update(new Bounds(window.first(), window.next(), window.sinceRefresh() - running.counted,
                window.items()));
        running = null;
    }

    private ModelVersion outcome(Running run) throws InterruptedException {
        ModelVersion.Builder record = ModelVersion.newBuilder()
                .setWindowEvents(run.windowEvents)
                .setStartedTime(Instant.ofEpochMilli(run.startedMillis))
                .setFinishedTime(Instant.ofEpochMilli(run.finishedMillis));
        try {
            RefreshResult result = run.result.get();
            LOG.info("refresh {}: {}", result.promoted() ? "promoted version " + result.version() : "refused",
                    result.reason());
            return record.setVersion(result.version())
                    .setPromoted(result.promoted())
                    .setReason(DeadLetters.cut(result.reason()))
                    .setCandidateAllRecall10(figure(result.candidateAllRecall10()))
                    .setCandidateColdRecall10(figure(result.candidateColdRecall10()))
                    .setServingAllRecall10(figure(result.servingAllRecall10()))
                    .setServingColdRecall10(figure(result.servingColdRecall10()))
                    .setNewlyWarm(result.newlyWarm())
                    .build();
        } catch (ExecutionException e) {
            refreshesFailed.inc();
            LOG.warn("refresh failed; the serving version stays", e.getCause());
            return record.setPromoted(false)
                    .setReason(DeadLetters.cut("refresh failed: " + e.getCause()))
                    .setNewlyWarm(0)
                    .build();
        }
    }

    /** A figure of the record: null where there is none (NaN). */
    private static Double figure(double value) {
        return Double.isNaN(value) ? null : value;
    }

    /** Stops the refresh thread (interrupting a running refresh, redone after a restart) and the refresher. */
    @Override
    public void close() throws Exception {
        if (thread != null) {
            thread.shutdownNow();
            if (!thread.awaitTermination(CLOSE_WAIT.toSeconds(), TimeUnit.SECONDS)) {
                LOG.warn("a refresh still runs {} after it was interrupted; closing anyway", CLOSE_WAIT);
            }
        }
        refresher.close();
    }
}
