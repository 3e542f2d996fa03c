package dev.setrec.jobs.quickstart;

import java.util.Arrays;

/**
 * The last N latencies in a fixed ring buffer, with percentiles over them: adding one allocates nothing, and the
 * sort happens only when percentiles are asked for (once a second for the live view). Not thread-safe.
 */
public final class LatencyWindow {
    private final long[] ring;
    private final long[] sorted;
    private int next;
    private int size;

    public LatencyWindow(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
        }
        ring = new long[capacity];
        sorted = new long[capacity];
    }

    public void add(long millis) {
        ring[next] = millis;
        next = (next + 1) % ring.length;
        size = Math.min(size + 1, ring.length);
    }

    public int size() {
        return size;
    }

    /** Nearest-rank percentiles, one per quantile in (0, 1]; all -1 while the window is empty. */
    public long[] percentiles(double... quantiles) {
        long[] out = new long[quantiles.length];
        if (size == 0) {
            Arrays.fill(out, -1);
            return out;
        }
        System.arraycopy(ring, 0, sorted, 0, size); // before the ring is full its first `size` slots are the data
        Arrays.sort(sorted, 0, size);
        for (int i = 0; i < quantiles.length; i++) {
            int rank = (int) Math.ceil(quantiles[i] * size);
            out[i] = sorted[Math.max(0, Math.min(size, rank) - 1)];
        }
        return out;
    }
}
