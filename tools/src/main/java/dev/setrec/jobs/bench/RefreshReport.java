package dev.setrec.jobs.bench;

import dev.setrec.models.Refresh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The report file that refreshes append to, read while they run: a refresh trains from its training line until its
 * outcome line (or until the next refresh's report begins, where one failed without an outcome).
 */
final class RefreshReport {
    private static final long SAMPLE_EVERY_MILLIS = 250;

    private final Path file;

    RefreshReport(Path file) {
        this.file = file;
    }

    /** Whether a refresh has begun training and not ended. */
    boolean training() {
        String text = text();
        int trainingBegan = text.lastIndexOf(Refresh.TRAINING_BEGINS);
        return trainingBegan >= 0 && trainingBegan > Math.max(text.lastIndexOf(Refresh.REPORT_BEGINS),
                Math.max(text.lastIndexOf(Refresh.PROMOTED), text.lastIndexOf(Refresh.REFUSED)));
    }

    /** The refreshes that ended so far, promoted or refused. */
    int ended() {
        String text = text();
        return count(text, Refresh.PROMOTED) + count(text, Refresh.REFUSED);
    }

    /** Waits until a refresh trains; fails after {@code timeout}. */
    void awaitTraining(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!training()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no refresh began to train within " + timeout.toSeconds()
                        + " s; the refreshes' report: " + file);
            }
            Thread.sleep(SAMPLE_EVERY_MILLIS);
        }
    }

    /** Samples whether a refresh trains, from now until the sampling is closed. */
    Sampling sample() {
        return new Sampling();
    }

    private String text() {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int count(String text, String line) {
        int count = 0;
        for (int at = text.indexOf(line); at >= 0; at = text.indexOf(line, at + line.length())) {
            count++;
        }
        return count;
    }

    /** Whether a refresh trains, every {@value #SAMPLE_EVERY_MILLIS} ms until closed. */
    final class Sampling implements AutoCloseable {
        private final AtomicLong samples = new AtomicLong();
        private final AtomicLong trainingSamples = new AtomicLong();
        private final int endedBefore = ended();
        private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "refresh-report-sampler");
            thread.setDaemon(true);
            return thread;
        });

        private Sampling() {
            sampler.scheduleAtFixedRate(() -> {
                trainingSamples.addAndGet(training() ? 1 : 0);
                samples.incrementAndGet();
            }, 0, SAMPLE_EVERY_MILLIS, TimeUnit.MILLISECONDS);
        }

        /** The share of the samples so far in which a refresh trained. */
        double trainingShare() {
            long all = samples.get();
            return all == 0 ? 0 : (double) trainingSamples.get() / all;
        }

        /** Refreshes that ended since sampling began. */
        int refreshesEnded() {
            return ended() - endedBefore;
        }

        @Override
        public void close() throws InterruptedException {
            sampler.shutdown();
            sampler.awaitTermination(SAMPLE_EVERY_MILLIS * 4, TimeUnit.MILLISECONDS);
        }
    }
}
