package dev.setrec.jobs.quickstart;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * The live figures over time, for the run's report: a snapshot of {@link LiveFigures} every second. The figures are
 * running totals, so rates come from the difference of two samples. A long run keeps at most {@link #MAX_SAMPLES}:
 * when they are full every other one is dropped and sampling slows down by half, so memory stays bounded while the
 * plots still span the whole run. Thread-safe.
 */
public final class RunTimeline implements AutoCloseable {
    static final int MAX_SAMPLES = 600;
    private static final long SAMPLE_EVERY_MILLIS = 1_000;

    /** The figures at one moment (wall clock). */
    public record Sample(long atMillis, LiveFigures.Snapshot figures) {
    }

    private final LiveFigures figures;
    private final long startedMillis;
    private final List<Sample> samples = new ArrayList<>();
    private final ScheduledExecutorService sampler;
    private long ticks;
    private long ticksPerSample = 1;

    RunTimeline(LiveFigures figures, long startedMillis, ScheduledExecutorService sampler) {
        this.figures = figures;
        this.startedMillis = startedMillis;
        this.sampler = sampler;
    }

    /** Samples {@code figures} now and then every second on a daemon thread, until {@link #close()}. */
    public static RunTimeline start(LiveFigures figures) {
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "setrec-run-timeline");
            thread.setDaemon(true);
            return thread;
        });
        RunTimeline timeline = new RunTimeline(figures, System.currentTimeMillis(), sampler);
        sampler.scheduleAtFixedRate(() -> timeline.tick(System.currentTimeMillis()), 0, SAMPLE_EVERY_MILLIS,
                TimeUnit.MILLISECONDS);
        return timeline;
    }

    /** A timeline that samples only when {@link #tick(long)} is called (tests drive the clock). */
    static RunTimeline manual(LiveFigures figures, long startedMillis) {
        return new RunTimeline(figures, startedMillis, null);
    }

    public long startedMillis() {
        return startedMillis;
    }

    /** One beat of the sampling clock: takes a sample unless a long run has slowed sampling down. */
    synchronized void tick(long nowMillis) {
        if (ticks++ % ticksPerSample != 0) {
            return;
        }
        samples.add(new Sample(nowMillis, figures.snapshot(nowMillis)));
        if (samples.size() >= MAX_SAMPLES) {
            List<Sample> everyOther = IntStream.range(0, samples.size()).filter(i -> i % 2 == 0)
                    .mapToObj(samples::get).toList(); // the first sample stays: it is the start
            samples.clear();
            samples.addAll(everyOther);
            ticksPerSample *= 2;
        }
    }

    /** The samples so far, oldest first. */
    public synchronized List<Sample> samples() {
        return List.copyOf(samples);
    }

    /** Stops sampling; the samples stay. */
    @Override
    public void close() {
        if (sampler == null) {
            return;
        }
        sampler.shutdownNow();
        try {
            sampler.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
