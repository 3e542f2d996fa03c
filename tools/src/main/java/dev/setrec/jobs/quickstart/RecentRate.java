package dev.setrec.jobs.quickstart;

import java.util.Arrays;

/**
 * Events per second over the last few whole seconds, counted in one bucket per second (no allocation per event).
 * The second in progress is left out, as it is not over yet. Not thread-safe.
 */
final class RecentRate {
    private final long[] counts;
    private final long[] secondOfBucket;
    private long firstSecond = -1;

    RecentRate(int seconds) {
        if (seconds < 1) {
            throw new IllegalArgumentException("seconds must be >= 1, got " + seconds);
        }
        counts = new long[seconds];
        secondOfBucket = new long[seconds];
        Arrays.fill(secondOfBucket, -1);
    }

    void add(long millis) {
        long second = millis / 1000;
        int bucket = (int) (second % counts.length);
        if (secondOfBucket[bucket] != second) {
            secondOfBucket[bucket] = second;
            counts[bucket] = 0;
        }
        counts[bucket]++;
        if (firstSecond < 0) {
            firstSecond = second;
        }
    }

    double perSecond(long nowMillis) {
        if (firstSecond < 0) {
            return 0;
        }
        long now = nowMillis / 1000;
        long seconds = Math.min(counts.length, now - firstSecond); // fewer while the first seconds are not over
        if (seconds <= 0) {
            return 0;
        }
        long sum = 0;
        for (int i = 0; i < counts.length; i++) {
            if (secondOfBucket[i] >= now - seconds && secondOfBucket[i] < now) {
                sum += counts[i];
            }
        }
        return (double) sum / seconds;
    }
}
