package dev.setrec.jobs.scoring;

import dev.setrec.jobs.records.Ranking;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The ranking used when the model cannot answer in time: the items this subtask has seen most often in the stream.
 * Counting happens on the hot path (one map update); the sorted list is rebuilt at most once a second. The counts
 * are bounded (the least counted are dropped when there are too many) and are saved in checkpoints, so that a
 * restarted job falls back to what was popular, not to nothing.
 */
public final class PopularityFallback {
    private static final long REBUILD_NANOS = 1_000_000_000L;
    /** Items counted at most; beyond twice this the least counted are dropped. */
    static final int KEPT = 10_000;
    /** Items a checkpoint keeps: the fallback only ever shows the first k of them. */
    static final int SAVED = 1_000;

    private final int k;
    private final Map<String, double[]> counts = new HashMap<>();
    private Ranking ranking = Ranking.UNRANKED;
    private long builtAt = Long.MIN_VALUE / 2;

    public PopularityFallback(int k) {
        this.k = k;
    }

    public synchronized void count(String itemId) {
        counts.computeIfAbsent(itemId, id -> new double[1])[0]++;
        if (counts.size() > 2 * KEPT) {
            counts.keySet().retainAll(mostCounted(KEPT).stream().map(Map.Entry::getKey).toList());
        }
    }

    public synchronized Ranking ranking() {
        long now = System.nanoTime();
        if (now - builtAt >= REBUILD_NANOS) {
            ranking = build();
            builtAt = now;
        }
        return ranking;
    }

    /** The most counted items with their counts, most first, for a checkpoint. */
    public synchronized List<Map.Entry<String, Double>> saved() {
        List<Map.Entry<String, Double>> saved = new ArrayList<>();
        for (Map.Entry<String, double[]> e : mostCounted(SAVED)) {
            saved.add(Map.entry(e.getKey(), e.getValue()[0]));
        }
        return saved;
    }

    /**
     * Starts from restored counts (added to any counted so far) and shows them at once. Counts are fractional: a
     * restore may average the counts of several subtasks.
     */
    public synchronized void restore(Map<String, Double> restored) {
        restored.forEach((item, count) -> counts.computeIfAbsent(item, id -> new double[1])[0] += count);
        builtAt = Long.MIN_VALUE / 2;
    }

    private Ranking build() {
        List<Map.Entry<String, double[]>> top = mostCounted(k);
        String[] ids = new String[top.size()];
        float[] scores = new float[top.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = top.get(i).getKey();
            scores[i] = (float) top.get(i).getValue()[0];
        }
        return new Ranking(ids, scores, true, null);
    }

    /** The n most counted, most first; ties to the smaller id for a stable order. */
    private List<Map.Entry<String, double[]>> mostCounted(int n) {
        PriorityQueue<Map.Entry<String, double[]>> heap = new PriorityQueue<>(
                (a, b) -> a.getValue()[0] != b.getValue()[0]
                ? Double.compare(a.getValue()[0], b.getValue()[0]) : b.getKey().compareTo(a.getKey()));
        for (Map.Entry<String, double[]> e : counts.entrySet()) {
            heap.add(e);
            if (heap.size() > n) {
                heap.poll();
            }
        }
        List<Map.Entry<String, double[]>> most = new ArrayList<>(heap.size());
        while (!heap.isEmpty()) {
            most.add(heap.poll());
        }
        Collections.reverse(most);
        return most;
    }
}
