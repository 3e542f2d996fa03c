package dev.setrec.model.setrec;

import dev.setrec.data.Dataset;
import dev.setrec.data.Split;
import dev.setrec.eval.Metrics;
import dev.setrec.eval.Setting;
import dev.setrec.eval.TopK;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Chooses beta on the valid split (never on test), one for each setting: one forward pass per user yields the CF
 * and the semantic part of every item's score, and valid Recall@10 of each setting (ranking, as the evaluation
 * does, the whole catalogue, its warm items or its cold items against the targets of that kind) is computed for
 * every beta on a grid. A setting ranks a different list, so its best mix can differ: cold items' CF tokens are
 * only predicted from their text.
 */
final class BetaSweep {
    static final int K = 10;

    /** A setting's best beta and its valid Recall@10 (0 with no valid user in that setting). */
    record Choice(float beta, double recall) {
    }

    private BetaSweep() {
    }

    /** The betas tried: 0, 0.1, ..., 1 (only 0 for the CF-only model, whose scores ignore beta). */
    static float[] grid(SetRecConfig config) {
        if (config.semTokens() == 0) {
            return new float[] {0f};
        }
        float[] g = new float[11];
        for (int i = 0; i <= 10; i++) {
            g[i] = i / 10f;
        }
        return g;
    }

    /** The best of {@code betas} for each setting; a setting without a valid user takes the All setting's beta. */
    static Map<Setting, Choice> choose(SetRec model, Dataset data, float[] betas) {
        int n = model.numItems();
        int batchSize = model.preferredBatchSize();
        List<Integer> users = new ArrayList<>();
        for (int u = 0; u < data.numUsers(); u++) {
            if (data.sequence(u, Split.VALID).length > 0 && data.history(u, Split.VALID, 1).length > 0) {
                users.add(u);
            }
        }
        Map<Setting, Metrics[]> metrics = new EnumMap<>(Setting.class);
        Map<Setting, TopK> heaps = new EnumMap<>(Setting.class);
        for (Setting s : Setting.values()) {
            Metrics[] perBeta = new Metrics[betas.length];
            for (int i = 0; i < betas.length; i++) {
                perBeta[i] = new Metrics();
            }
            metrics.put(s, perBeta);
            heaps.put(s, new TopK(K));
        }
        boolean[] cold = new boolean[n];
        for (int item = 0; item < n; item++) {
            cold[item] = data.isCold(item);
        }
        float[] cf = new float[batchSize * n];
        float[] sem = new float[batchSize * n];
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
                int[] targets = Arrays.stream(data.sequence(batch.get(b), Split.VALID)).distinct().toArray();
                Map<Setting, int[]> truths = new EnumMap<>(Setting.class);
                for (Setting s : Setting.values()) {
                    truths.put(s, Arrays.stream(targets).filter(t -> s.includes(cold[t])).toArray());
                }
                int base = b * n;
                for (int i = 0; i < betas.length; i++) {
                    float w = betas[i];
                    heaps.values().forEach(TopK::clear);
                    TopK all = heaps.get(Setting.ALL);
                    TopK warm = heaps.get(Setting.WARM);
                    TopK coldHeap = heaps.get(Setting.COLD);
                    for (int item = 0; item < n; item++) {
                        float score = (1 - w) * cf[base + item] + w * sem[base + item];
                        all.offer(item, score);
                        (cold[item] ? coldHeap : warm).offer(item, score);
                    }
                    for (Setting s : Setting.values()) {
                        int[] truth = truths.get(s);
                        if (truth.length > 0) {
                            int len = heaps.get(s).drainBestFirst(ranked);
                            metrics.get(s)[i].add(ranked, len, truth);
                        }
                    }
                }
            }
        }
        Map<Setting, Choice> choices = new EnumMap<>(Setting.class);
        for (Setting s : Setting.values()) {
            Metrics[] perBeta = metrics.get(s);
            if (perBeta[0].users() == 0) {
                continue;
            }
            int best = 0;
            for (int i = 1; i < betas.length; i++) {
                if (perBeta[i].recallAt10() > perBeta[best].recallAt10()) {
                    best = i;
                }
            }
            choices.put(s, new Choice(betas[best], perBeta[best].recallAt10()));
        }
        Choice all = choices.getOrDefault(Setting.ALL, new Choice(betas[0], 0));
        for (Setting s : Setting.values()) {
            choices.putIfAbsent(s, new Choice(all.beta(), 0));
        }
        return choices;
    }
}
