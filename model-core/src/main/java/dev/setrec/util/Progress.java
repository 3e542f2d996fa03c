package dev.setrec.util;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * A console progress bar: done/total, rate, ETA and an optional status (for example the running loss).
 * On a terminal it redraws one line at most 5 times a second; otherwise (CI, a pipe) it prints a line at most
 * every 10 seconds, so logs stay short. Not thread-safe: one owner advances it.
 */
public final class Progress implements AutoCloseable {
    private static final int BAR_WIDTH = 24;
    private final PrintStream out;
    private final String label;
    private final String unit;
    private final long total;
    private final boolean interactive;
    private final long minIntervalNanos;
    private final long start = System.nanoTime();
    private long done;
    private long lastPrint;
    private Supplier<String> status = () -> "";
    private boolean finished;

    public Progress(String label, long total, String unit) {
        this(System.err, label, total, unit, System.console() != null);
    }

    public Progress(PrintStream out, String label, long total, String unit, boolean interactive) {
        this.out = out;
        this.label = label;
        this.total = total;
        this.unit = unit;
        this.interactive = interactive;
        this.minIntervalNanos = interactive ? 200_000_000L : 10_000_000_000L;
        this.lastPrint = start;
    }

    /** A status text shown after the bar, evaluated only when a line is printed. */
    public Progress status(Supplier<String> status) {
        this.status = status;
        return this;
    }

    public void advance(long n) {
        done += n;
        long now = System.nanoTime();
        if (now - lastPrint >= minIntervalNanos) {
            lastPrint = now;
            print(false);
        }
    }

    public long done() {
        return done;
    }

    public double elapsedSeconds() {
        return (System.nanoTime() - start) / 1e9;
    }

    /** Prints the final line (with the total time); further calls do nothing. */
    public void finish() {
        if (!finished) {
            finished = true;
            print(true);
        }
    }

    @Override
    public void close() {
        finish();
    }

    private void print(boolean last) {
        double secs = Math.max(1e-9, elapsedSeconds());
        double rate = done / secs;
        StringBuilder sb = new StringBuilder(128);
        sb.append(label).append(' ');
        if (total > 0) {
            int filled = (int) Math.min(BAR_WIDTH, BAR_WIDTH * done / total);
            sb.append('[').append("=".repeat(filled)).append(" ".repeat(BAR_WIDTH - filled)).append("] ");
            sb.append(String.format(Locale.ROOT, "%3d%% %d/%d", 100 * done / total, done, total));
        } else {
            sb.append(done);
        }
        sb.append(String.format(Locale.ROOT, " %.1f %s/s", rate, unit));
        if (last) {
            sb.append(" in ").append(formatDuration(secs));
        } else if (total > 0 && done > 0) {
            sb.append(" ETA ").append(formatDuration((total - done) / rate));
        }
        String s = status.get();
        if (!s.isEmpty()) {
            sb.append(' ').append(s);
        }
        if (interactive) {
            out.print("\r" + sb + "\u001b[K" + (last ? "\n" : ""));
        } else {
            out.println(sb);
        }
        out.flush();
    }

    public static String formatDuration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600
                ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
