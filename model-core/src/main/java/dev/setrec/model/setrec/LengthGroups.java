package dev.setrec.model.setrec;

import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedList;
import java.util.List;

/**
 * Histories grouped for scoring: a pass pads every history to its longest, and a few long histories would
 * otherwise make a large batch pay for their length.
 */
final class LengthGroups {
    /**
     * What one more forward pass costs, in padded history items: measured here, a pass of batch 1 took about as long
     * as 250 items more of padding in a large one (6-8 ms against about 0.03 ms an item, 2 CPU cores).
     */
    static final int PASS_COST_IN_ITEMS = 250;

    private LengthGroups() {
    }

    /**
     * The positions of the histories, grouped for scoring: sorted by length as scored (at most {@code maxLen}
     * items), then cut where the cuts pay, that is the partition of the sorted list with the least total cost,
     * a pass costing {@code passCost} plus its size times its longest history (every history is padded to that;
     * {@code passCost} is {@link #PASS_COST_IN_ITEMS} when serving). Small batches stay one pass; large batches with
     * a few long histories split them off.
     */
    static List<int[]> of(List<int[]> histories, int maxLen, int passCost) {
        int n = histories.size();
        Integer[] order = new Integer[n];
        int[] length = new int[n];
        for (int b = 0; b < n; b++) {
            order[b] = b;
            length[b] = Math.min(histories.get(b).length, maxLen);
        }
        Arrays.sort(order, Comparator.comparingInt(b -> length[b]));
        // best[j]: least cost of scoring the j shortest; cut[j]: where the last group of that solution starts
        long[] best = new long[n + 1];
        int[] cut = new int[n + 1];
        for (int j = 1; j <= n; j++) {
            best[j] = Long.MAX_VALUE;
            int longest = Math.max(1, length[order[j - 1]]);
            for (int i = 0; i < j; i++) {
                long cost = best[i] + passCost + (long) (j - i) * longest;
                if (cost < best[j]) {
                    best[j] = cost;
                    cut[j] = i;
                }
            }
        }
        LinkedList<int[]> groups = new LinkedList<>();
        for (int j = n; j > 0; j = cut[j]) {
            int[] group = new int[j - cut[j]];
            for (int m = 0; m < group.length; m++) {
                group[m] = order[cut[j] + m];
            }
            groups.addFirst(group);
        }
        return groups;
    }
}
