package dev.setrec.eval;

import dev.setrec.data.Dataset;
import dev.setrec.model.Recommender;
import dev.setrec.util.Progress;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluates a recommender under the paper's protocol (docs/data.md).
 * <ul>
 *   <li>Evaluated users: those with a non-empty list in the evaluated split. Their input is
 *       {@link Dataset#history} (train for valid, train + valid for test, last {@code historyLength} items);
 *       users whose history is empty cannot be scored and are counted in
 *       {@link EvalReport#skippedNoHistory()}.</li>
 *   <li>ALL ranks the whole catalogue against all distinct target items. WARM ranks only warm items against the
 *       warm targets, COLD only cold items against the cold targets; a user without a target of that kind is
 *       skipped in that setting.</li>
 *   <li>excludeSeen removes exactly the history fed to the model (after truncation, nothing else) from the
 *       ranking; target items removed that way still count in |GT|.</li>
 * </ul>
 * Users are scored in batches of {@link Recommender#preferredBatchSize()} into one reused score buffer; each
 * user's row is ranked once, feeding the ALL heap and the heap of the item's own kind (warm or cold).
 */
public final class Evaluator {
    /** Length of the lists in the topk file; the metrics need only the first 10. */
    public static final int TOP_K = 20;

    public EvalReport evaluate(Recommender model, Dataset data, EvalOptions options) throws IOException {
        int numItems = data.numItems();
        if (model.numItems() != numItems) {
            throw new IllegalArgumentException("model has " + model.numItems() + " items but data set '"
                    + data.name() + "' has " + numItems);
        }
        List<Integer> users = new ArrayList<>();
        int skippedNoHistory = 0;
        for (int u = 0; u < data.numUsers(); u++) {
            if (data.sequence(u, options.split()).length == 0) {
                continue;
            }
            if (data.history(u, options.split(), options.historyLength()).length == 0) {
                skippedNoHistory++;
            } else {
                users.add(u);
            }
        }

        Map<Setting, Metrics> metrics = new EnumMap<>(Setting.class);
        Map<Setting, TopK> heaps = new EnumMap<>(Setting.class);
        for (Setting s : Setting.values()) {
            metrics.put(s, new Metrics());
            heaps.put(s, new TopK(TOP_K));
        }
        TopKWriter topk = options.topkOut() == null ? null : new TopKWriter();
        int batchSize = Math.max(1, model.preferredBatchSize());
        float[] scores = new float[Math.min(batchSize, Math.max(1, users.size())) * numItems];
        // seenBy[item] == user + 1 marks the item as in that user's history, so the array is never cleared.
        int[] seenBy = new int[numItems];
        int[] top = new int[TOP_K];
        List<int[]> histories = new ArrayList<>(batchSize);

        Progress progress = options.showProgress() ? new Progress("evaluate " + options.split().label(),
                users.size(), "users") : null;
        for (int start = 0; start < users.size(); start += batchSize) {
            int end = Math.min(users.size(), start + batchSize);
            histories.clear();
            for (int i = start; i < end; i++) {
                histories.add(data.history(users.get(i), options.split(), options.historyLength()));
            }
            model.score(histories, scores);
            for (int b = 0; b < histories.size(); b++) {
                int user = users.get(start + b);
                if (options.excludeSeen()) {
                    for (int item : histories.get(b)) {
                        seenBy[item] = user + 1;
                    }
                }
                for (TopK heap : heaps.values()) {
                    heap.clear();
                }
                TopK all = heaps.get(Setting.ALL);
                TopK warm = heaps.get(Setting.WARM);
                TopK cold = heaps.get(Setting.COLD);
                int offset = b * numItems;
                for (int item = 0; item < numItems; item++) {
                    if (seenBy[item] == user + 1) {
                        continue;
                    }
                    float score = scores[offset + item];
                    all.offer(item, score);
                    (data.isCold(item) ? cold : warm).offer(item, score);
                }
                int[] targets = distinct(data.sequence(user, options.split()));
                double[] ranks = meanRanks(scores, offset, targets, data, seenBy, user + 1);
                for (Setting s : Setting.values()) {
                    int[] groundTruth = filter(targets, data, s);
                    if (groundTruth.length == 0) {
                        continue;
                    }
                    int length = heaps.get(s).drainBestFirst(top);
                    metrics.get(s).add(top, length, groundTruth, ranks[s.ordinal()]);
                    if (topk != null) {
                        topk.add(s, user, top, length);
                    }
                }
            }
            if (progress != null) {
                progress.advance(end - start);
            }
        }
        if (progress != null) {
            progress.finish();
        }
        if (topk != null) {
            topk.write(options.topkOut());
        }
        return new EvalReport(options.split(), options.excludeSeen(), skippedNoHistory, metrics);
    }

    /**
     * Per setting (by ordinal), the mean over the user's targets in it of each one's 0-based rank among the items the
     * setting ranks (those of its kind, not marked seen by {@code seenMark}): how many of them score higher. One
     * pass over the catalogue per target serves the three settings.
     */
    private static double[] meanRanks(float[] scores, int offset, int[] targets, Dataset data, int[] seenBy,
                                      int seenMark) {
        Setting[] settings = Setting.values();
        double[] sums = new double[settings.length];
        int[] counts = new int[settings.length];
        for (int target : targets) {
            float own = scores[offset + target];
            long warmAbove = 0;
            long coldAbove = 0;
            for (int item = 0; item < data.numItems(); item++) {
                if (scores[offset + item] > own && seenBy[item] != seenMark) {
                    if (data.isCold(item)) {
                        coldAbove++;
                    } else {
                        warmAbove++;
                    }
                }
            }
            boolean cold = data.isCold(target);
            for (Setting s : settings) {
                if (s.includes(cold)) {
                    sums[s.ordinal()] += s == Setting.ALL ? warmAbove + coldAbove : cold ? coldAbove : warmAbove;
                    counts[s.ordinal()]++;
                }
            }
        }
        for (int s = 0; s < settings.length; s++) {
            sums[s] = counts[s] == 0 ? Double.NaN : sums[s] / counts[s];
        }
        return sums;
    }

    private static int[] distinct(int[] items) {
        return Arrays.stream(items).distinct().toArray();
    }

    private static int[] filter(int[] items, Dataset data, Setting setting) {
        return Arrays.stream(items).filter(i -> setting.includes(data.isCold(i))).toArray();
    }
}
