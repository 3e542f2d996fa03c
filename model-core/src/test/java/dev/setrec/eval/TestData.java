package dev.setrec.eval;

import dev.setrec.data.Dataset;
import java.util.Random;

/** Small data sets for the evaluator tests. */
final class TestData {
    private TestData() {
    }

    /**
     * 60 items, 6 users (train / valid / test):
     * <pre>
     * u0: [1,2,3]       / [4]  / [5,12]   mixed targets: 5 cold, 12 warm
     * u1: []            / []   / [6]      empty history on test -> skippedNoHistory
     * u2: [7,8]         / []   / []       not evaluated (no target)
     * u3: [9]           / [10] / [25]     only a cold target -> skipped in warm
     * u4: [11..16]      / [17] / [18,13]  18 cold, 13 warm; long history for truncation
     * u5: [30..49]      / []   / []       only there to make 20+ warm items
     * </pre>
     * Warm (in train): 1,2,3,7,8,9,11..16,30..49 (32 items). Cold: 0,4,5,6,10,17..29,50..59 (28 items).
     */
    static Dataset tiny() {
        int[][] train = {{1, 2, 3}, {}, {7, 8}, {9}, {11, 12, 13, 14, 15, 16}, range(30, 50)};
        int[][] valid = {{4}, {}, {}, {10}, {17}, {}};
        int[][] test = {{5, 12}, {6}, {}, {25}, {18, 13}, {}};
        return Dataset.of("tiny", 60, train, valid, test);
    }

    /** Random sequences over 300 items with every tenth item never in train (cold); some users lack parts. */
    static Dataset random(long seed) {
        Random random = new Random(seed);
        int users = 120;
        int items = 300;
        int[][] train = new int[users][];
        int[][] valid = new int[users][];
        int[][] test = new int[users][];
        for (int u = 0; u < users; u++) {
            train[u] = draw(random, random.nextInt(8), items, false);
            valid[u] = draw(random, random.nextInt(3), items, true);
            test[u] = draw(random, random.nextInt(5), items, true);
        }
        return Dataset.of("random", items, train, valid, test);
    }

    /** Scores with many ties that depend on the whole history, so tie-breaking and history both matter. */
    static float hashScore(int[] history, int item) {
        int sum = 0;
        for (int h : history) {
            sum = sum * 31 + h;
        }
        return Math.floorMod(item * 7919 + sum * 104729, 53);
    }

    private static int[] draw(Random random, int n, int items, boolean coldAllowed) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int item;
            do {
                item = random.nextInt(items);
            } while (!coldAllowed && item % 10 == 0);
            out[i] = item;
        }
        return out;
    }

    private static int[] range(int from, int to) {
        int[] out = new int[to - from];
        for (int i = 0; i < out.length; i++) {
            out[i] = from + i;
        }
        return out;
    }
}
