package dev.setrec.jobs.scoring;

import dev.setrec.jobs.records.Ranking;

import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The ranking used when the model cannot answer in time: the items this subtask has seen most often in the stream.
 * Counting happens on the hot path (one map update); the sorted list is rebuilt at most once a second.
 */
public final class PopularityFallback {
    private static final long REBUILD_NANOS = 1_000_000_000L;

    private final int k;
    private final Map<String, long[]> counts = new HashMap<>();
    private Ranking ranking = Ranking.EMPTY_FALLBACK;
    private long builtAt = Long.MIN_VALUE / 2;

    public PopularityFallback(int k) {
        this.k = k;
    }

    public synchronized void count(String itemId) {
        counts.computeIfAbsent(itemId, id -> new long[1])[0]++;
    }

    public synchronized Ranking ranking() {
        long now = System.nanoTime();
        if (now - builtAt >= REBUILD_NANOS) {
            ranking = build();
            builtAt = now;
        }
        return ranking;
    }

    private Ranking build() {
        // the k most counted: a min-heap of size k, ties to the smaller id for a stable order
        PriorityQueue<Map.Entry<String, long[]>> heap = new PriorityQueue<>((a, b) -> a.getValue()[0] != b.getValue()[0]
                ? Long.compare(a.getValue()[0], b.getValue()[0]) : b.getKey().compareTo(a.getKey()));
        for (Map.Entry<String, long[]> e : counts.entrySet()) {
            heap.add(e);
            if (heap.size() > k) {
                heap.poll();
            }
        }
        String[] ids = new String[heap.size()];
        float[] scores = new float[heap.size()];
        for (int i = ids.length - 1; i >= 0; i--) {
            Map.Entry<String, long[]> e = heap.poll();
            ids[i] = e.getKey();
            scores[i] = e.getValue()[0];
        }
        return new Ranking(ids, scores, true);
    }
}
