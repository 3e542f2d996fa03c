package dev.setrec.eval;

/**
 * Keeps the k best (item, score) pairs of a stream in a bounded min-heap, so a ranking of n items costs
 * O(n log k) instead of a full sort. Higher scores are better; equal scores rank the lower item id first, so
 * results do not depend on the order items are offered in. Reusable via {@link #clear()}; not thread-safe.
 */
public final class TopK {
    private final int capacity;
    private final int[] items;
    private final float[] scores;
    private int size;

    public TopK(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
        }
        this.capacity = capacity;
        this.items = new int[capacity];
        this.scores = new float[capacity];
    }

    public int capacity() {
        return capacity;
    }

    public int size() {
        return size;
    }

    public void clear() {
        size = 0;
    }

    /** Offers one item; NaN scores are rejected because they have no place in a ranking. */
    public void offer(int item, float score) {
        if (Float.isNaN(score)) {
            throw new IllegalArgumentException("NaN score for item " + item);
        }
        if (size < capacity) {
            items[size] = item;
            scores[size] = score;
            siftUp(size++);
        } else if (better(item, score, items[0], scores[0])) {
            // The root is the worst kept pair: replace it and restore the heap.
            items[0] = item;
            scores[0] = score;
            siftDown(0);
        }
    }

    /**
     * Writes the kept items best first into {@code out} (at least {@link #size()} long), empties the heap and
     * returns how many were written.
     */
    public int drainBestFirst(int[] out) {
        int n = size;
        for (int i = n - 1; i >= 0; i--) {
            out[i] = items[0];
            size--;
            items[0] = items[size];
            scores[0] = scores[size];
            siftDown(0);
        }
        return n;
    }

    /** True when (a, sa) ranks before (b, sb). */
    private static boolean better(int a, float sa, int b, float sb) {
        return sa > sb || (sa == sb && a < b);
    }

    private void siftUp(int i) {
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!better(items[parent], scores[parent], items[i], scores[i])) {
                return;
            }
            swap(i, parent);
            i = parent;
        }
    }

    private void siftDown(int i) {
        while (true) {
            int worst = i;
            int left = 2 * i + 1;
            int right = left + 1;
            if (left < size && better(items[worst], scores[worst], items[left], scores[left])) {
                worst = left;
            }
            if (right < size && better(items[worst], scores[worst], items[right], scores[right])) {
                worst = right;
            }
            if (worst == i) {
                return;
            }
            swap(i, worst);
            i = worst;
        }
    }

    private void swap(int i, int j) {
        int item = items[i];
        items[i] = items[j];
        items[j] = item;
        float score = scores[i];
        scores[i] = scores[j];
        scores[j] = score;
    }
}
