package dev.setrec.model.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * Training examples of the sequence models. A window holds {@code len} consecutive training targets of one user:
 * inputs seq[from .. from+len-1] predict seq[from+1 .. from+len] (every prefix at once under a causal mask).
 * Sequences longer than the history length are cut into windows from the newest end, so no target is lost.
 */
public final class Windows {
    private Windows() {
    }

    public record Window(int[] seq, int from, int len) {
        public int input(int t) {
            return seq[from + t];
        }

        public int target(int t) {
            return seq[from + t + 1];
        }
    }

    public static List<Window> of(List<int[]> sequences, int maxLen) {
        List<Window> out = new ArrayList<>();
        for (int[] seq : sequences) {
            for (int end = seq.length - 1; end > 0; end -= maxLen) {
                int len = Math.min(maxLen, end);
                out.add(new Window(seq, end - len, len));
            }
        }
        return out;
    }

    public static long targets(List<Window> windows) {
        return windows.stream().mapToLong(Window::len).sum();
    }

    /**
     * Groups windows of similar length into batches of at most {@code batchTokens} padded positions (little
     * padding), shuffled within one length and in batch order; {@code random} makes it repeatable.
     */
    public static List<List<Window>> batches(List<Window> windows, int batchTokens, Random random) {
        double[] keys = new double[windows.size()];
        Integer[] order = new Integer[windows.size()];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = windows.get(i).len() + random.nextDouble();
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble(i -> keys[i]));
        List<List<Window>> batches = new ArrayList<>();
        List<Window> current = new ArrayList<>();
        for (int i : order) {
            Window w = windows.get(i);
            if (!current.isEmpty() && (long) (current.size() + 1) * w.len() > batchTokens) {
                batches.add(current);
                current = new ArrayList<>();
            }
            current.add(w);
        }
        if (!current.isEmpty()) {
            batches.add(current);
        }
        Collections.shuffle(batches, random);
        return batches;
    }
}
