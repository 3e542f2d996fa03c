package dev.setrec.model.setrec;

import dev.setrec.data.Dataset;
import dev.setrec.data.Split;
import dev.setrec.eval.Metrics;
import dev.setrec.eval.TopK;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Chooses beta on the valid split (never on test): one forward pass per user yields the CF and the semantic part of
 * every item's score, and valid Recall@10 (All setting, the paper's protocol) is computed for every beta on a grid.
 */
final class BetaSweep {
    static final int K = 10;

    /** The result: the best beta and its Recall@10. */
    record Choice(float beta, double recall) {
    }

    private BetaSweep() {
    }

    static float[] grid(SetRecConfig config) {
        if (config.hasFixedBeta()) {
            return new float[] {config.fixedBeta()};
        }
        if (config.semTokens() == 0) {
            return new float[] {0f};
        }
        float[] g = new float[11];
        for (int i = 0; i <= 10; i++) {
            g[i] = i / 10f;
        }
        return g;
    }

    static Choice choose(SetRec model, Dataset data, float[] betas) {
        int n = model.numItems();
        int batchSize = model.preferredBatchSize();
        List<Integer> users = new ArrayList<>();
        for (int u = 0; u < data.numUsers(); u++) {
            if (data.sequence(u, Split.VALID).length > 0 && data.history(u, Split.VALID, 1).length > 0) {
                users.add(u);
            }
        }
        Metrics[] metrics = new Metrics[betas.length];
        for (int i = 0; i < betas.length; i++) {
            metrics[i] = new Metrics();
        }
        float[] cf = new float[batchSize * n];
        float[] sem = new float[batchSize * n];
        TopK top = new TopK(K);
        int[] ranked = new int[K];
        List<int[]> histories = new ArrayList<>(batchSize);
        for (int start = 0; start < users.size(); start += batchSize) {
            List<Integer> batch = users.subList(start, Math.min(users.size(), start + batchSize));
            histories.clear();
            for (int u : batch) {
                histories.add(data.history(u, Split.VALID, model.config().maxLen()));
            }
            model.scoreParts(histories, cf, sem);
            for (int b = 0; b < batch.size(); b++) {
                int[] truth = distinct(data.sequence(batch.get(b), Split.VALID));
                for (int i = 0; i < betas.length; i++) {
                    float w = betas[i];
                    top.clear();
                    int base = b * n;
                    for (int item = 0; item < n; item++) {
                        top.offer(item, (1 - w) * cf[base + item] + w * sem[base + item]);
                    }
                    int len = top.drainBestFirst(ranked);
                    metrics[i].add(ranked, len, truth);
                }
            }
        }
        int best = 0;
        for (int i = 1; i < betas.length; i++) {
            if (metrics[i].recallAt10() > metrics[best].recallAt10()) {
                best = i;
            }
        }
        return new Choice(betas[best], metrics[best].recallAt10());
    }

    private static int[] distinct(int[] items) {
        return Arrays.stream(items).distinct().toArray();
    }
}
