package dev.setrec.model.setrec;

import dev.setrec.data.Dataset;
import dev.setrec.data.Split;
import dev.setrec.eval.Metrics;
import dev.setrec.eval.TopK;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Chooses the {@link ScoreMix} on the valid split (never on test). One forward pass per user yields the CF and the
 * semantic part of every item's score; then beta is the grid value with the best valid Recall@10 of the Warm
 * setting (warm items ranked against the warm targets), betaCold that of the Cold setting, and the cold shift that
 * of the All setting, whose ranking is the warm list and the shifted cold list merged. The shifts tried are
 * multiples of a quarter of the spread (standard deviation) of the warm items' scores, from -1 to +6 spreads, so
 * the grid follows the model's score scale; on equal recall the shift nearest 0 wins.
 */
final class ScoreMixSweep {
    static final int K = 10;
    private static final int SHIFT_QUARTERS_BELOW = 4;
    private static final int SHIFT_QUARTERS_ABOVE = 24;

    /** The chosen mix and valid Recall@10 of each setting under it (0 for a setting without a valid user). */
    record Choice(ScoreMix mix, double allRecall, double warmRecall, double coldRecall) {
    }

    private ScoreMixSweep() {
    }

    /** The betas tried: 0, 0.1, ..., 1 (only 0 for the CF-only model, whose scores ignore beta). */
    static float[] betaGrid(SetRecArchitecture config) {
        if (config.semTokens() == 0) {
            return new float[] {0f};
        }
        float[] g = new float[11];
        for (int i = 0; i <= 10; i++) {
            g[i] = i / 10f;
        }
        return g;
    }

    /** The best mix on valid, with the parts {@code fixed} gives kept as given. */
    static Choice choose(SetRec model, Dataset data, ScoreMix.Fixed fixed) {
        float[] grid = betaGrid(model.architecture());
        float[] warmBetas = fixed.beta() != null ? new float[] {fixed.beta()} : grid;
        float[] coldBetas = fixed.betaCold() != null ? new float[] {fixed.betaCold()} : grid;
        List<Integer> users = new ArrayList<>();
        for (int u = 0; u < data.numUsers(); u++) {
            if (data.sequence(u, Split.VALID).length > 0 && data.history(u, Split.VALID, 1).length > 0) {
                users.add(u);
            }
        }
        boolean[] cold = model.items().cold();
        Lists warm = new Lists(users.size(), warmBetas.length);
        Lists coldLists = new Lists(users.size(), coldBetas.length);
        double[] sum = new double[warmBetas.length];
        double[] sumSquares = new double[warmBetas.length];
        long warmItems = 0;
        for (boolean c : cold) {
            warmItems += c ? 0 : 1;
        }
        long warmScores = warmItems * users.size();
        int[][] targets = new int[users.size()][];
        int n = model.numItems();
        int batchSize = model.preferredBatchSize();
        float[] cf = new float[batchSize * n];
        float[] sem = new float[batchSize * n];
        TopK heap = new TopK(K);
        List<int[]> histories = new ArrayList<>(batchSize);
        for (int start = 0; start < users.size(); start += batchSize) {
            List<Integer> batch = users.subList(start, Math.min(users.size(), start + batchSize));
            histories.clear();
            for (int u : batch) {
                histories.add(data.history(u, Split.VALID, model.architecture().maxLen()));
            }
            model.scorer().scoreParts(histories, cf, sem);
            for (int b = 0; b < batch.size(); b++) {
                int user = start + b;
                targets[user] = Arrays.stream(data.sequence(batch.get(b), Split.VALID)).distinct().toArray();
                int base = b * n;
                for (int i = 0; i < warmBetas.length; i++) {
                    float w = warmBetas[i];
                    heap.clear();
                    for (int item = 0; item < n; item++) {
                        if (!cold[item]) {
                            float score = (1 - w) * cf[base + item] + w * sem[base + item];
                            heap.offer(item, score);
                            sum[i] += score;
                            sumSquares[i] += (double) score * score;
                        }
                    }
                    warm.drain(heap, user, i, cf, sem, base, w);
                }
                for (int i = 0; i < coldBetas.length; i++) {
                    float w = coldBetas[i];
                    heap.clear();
                    for (int item = 0; item < n; item++) {
                        if (cold[item]) {
                            heap.offer(item, (1 - w) * cf[base + item] + w * sem[base + item]);
                        }
                    }
                    coldLists.drain(heap, user, i, cf, sem, base, w);
                }
            }
        }

        int[][] warmTargets = kind(targets, data, false);
        int[][] coldTargets = kind(targets, data, true);
        int warmBest = 0;
        double warmRecall = 0;
        for (int i = 0; i < warmBetas.length; i++) {
            double r = warm.recall(i, warmTargets);
            if (r > warmRecall) {
                warmBest = i;
                warmRecall = r;
            }
        }
        int coldBest = Math.max(0, indexOf(coldBetas, warmBetas[warmBest]));
        double coldRecall = coldLists.recall(coldBest, coldTargets);
        for (int i = 0; i < coldBetas.length; i++) {
            double r = coldLists.recall(i, coldTargets);
            if (r > coldRecall) {
                coldBest = i;
                coldRecall = r;
            }
        }

        float[] shifts;
        if (fixed.coldShift() != null) {
            shifts = new float[] {fixed.coldShift()};
        } else {
            double mean = warmScores == 0 ? 0 : sum[warmBest] / warmScores;
            double spread = warmScores == 0 ? 0
                    : Math.sqrt(Math.max(0, sumSquares[warmBest] / warmScores - mean * mean));
            shifts = shiftGrid((float) spread);
        }
        int bestShift = 0;
        double allRecall = -1;
        int[] ranked = new int[K];
        for (int s = 0; s < shifts.length; s++) {
            Metrics all = new Metrics();
            for (int u = 0; u < users.size(); u++) {
                if (targets[u].length > 0) {
                    int len = merge(warm, warmBest, coldLists, coldBest, u, shifts[s], ranked);
                    all.add(ranked, len, targets[u]);
                }
            }
            if (all.recallAt10() > allRecall) {
                bestShift = s;
                allRecall = all.recallAt10();
            }
        }
        return new Choice(new ScoreMix(warmBetas[warmBest], coldBetas[coldBest], shifts[bestShift]),
                Math.max(0, allRecall), warmRecall, coldRecall);
    }

    /** 0, then +-1, +-2, ... quarters of {@code spread} within the range: on equal recall the nearer to 0 wins. */
    static float[] shiftGrid(float spread) {
        if (spread == 0) {
            return new float[] {0f};
        }
        float[] grid = new float[SHIFT_QUARTERS_BELOW + SHIFT_QUARTERS_ABOVE + 1];
        int k = 0;
        grid[k++] = 0f;
        for (int step = 1; step <= Math.max(SHIFT_QUARTERS_BELOW, SHIFT_QUARTERS_ABOVE); step++) {
            if (step <= SHIFT_QUARTERS_ABOVE) {
                grid[k++] = spread * step / 4;
            }
            if (step <= SHIFT_QUARTERS_BELOW) {
                grid[k++] = -spread * step / 4;
            }
        }
        return grid;
    }

    /** The top K of the warm list merged with the shifted cold list (a warm item first on equal scores). */
    private static int merge(Lists warm, int warmBeta, Lists cold, int coldBeta, int user, float shift, int[] out) {
        int w = 0;
        int c = 0;
        int wLen = warm.length(user, warmBeta);
        int cLen = cold.length(user, coldBeta);
        int r = 0;
        while (r < K && (w < wLen || c < cLen)) {
            boolean takeWarm = c >= cLen
                    || (w < wLen && warm.score(user, warmBeta, w) >= cold.score(user, coldBeta, c) + shift);
            out[r++] = takeWarm ? warm.item(user, warmBeta, w++) : cold.item(user, coldBeta, c++);
        }
        return r;
    }

    private static int[][] kind(int[][] targets, Dataset data, boolean cold) {
        int[][] out = new int[targets.length][];
        for (int u = 0; u < targets.length; u++) {
            out[u] = Arrays.stream(targets[u]).filter(t -> data.isCold(t) == cold).toArray();
        }
        return out;
    }

    private static int indexOf(float[] values, float value) {
        for (int i = 0; i < values.length; i++) {
            if (values[i] == value) {
                return i;
            }
        }
        return -1;
    }

    /** Each user's best K items of one kind under each beta, best first, with their scores. */
    private static final class Lists {
        private final int betas;
        private final int[] items;
        private final float[] scores;
        private final int[] lengths;
        private final int[] drained = new int[K];

        Lists(int users, int betas) {
            this.betas = betas;
            this.items = new int[users * betas * K];
            this.scores = new float[users * betas * K];
            this.lengths = new int[users * betas];
        }

        void drain(TopK heap, int user, int beta, float[] cf, float[] sem, int base, float w) {
            int len = heap.drainBestFirst(drained);
            int at = (user * betas + beta) * K;
            for (int j = 0; j < len; j++) {
                items[at + j] = drained[j];
                scores[at + j] = (1 - w) * cf[base + drained[j]] + w * sem[base + drained[j]];
            }
            lengths[user * betas + beta] = len;
        }

        int length(int user, int beta) {
            return lengths[user * betas + beta];
        }

        int item(int user, int beta, int rank) {
            return items[(user * betas + beta) * K + rank];
        }

        float score(int user, int beta, int rank) {
            return scores[(user * betas + beta) * K + rank];
        }

        /**
         * Recall@10 of the lists under {@code beta} against each user's targets of this kind (users without: skipped).
         */
        double recall(int beta, int[][] targets) {
            Metrics metrics = new Metrics();
            int[] ranked = new int[K];
            for (int u = 0; u < targets.length; u++) {
                if (targets[u].length > 0) {
                    int len = length(u, beta);
                    System.arraycopy(items, (u * betas + beta) * K, ranked, 0, len);
                    metrics.add(ranked, len, targets[u]);
                }
            }
            return metrics.users() == 0 ? 0 : metrics.recallAt10();
        }
    }
}
