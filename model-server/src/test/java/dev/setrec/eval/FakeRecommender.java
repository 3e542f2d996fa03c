package dev.setrec.eval;

import com.google.gson.JsonObject;
import dev.setrec.model.Recommender;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A recommender whose scores are a fixed function of (history, item), optionally another one for some settings; it
 * records every call it gets.
 */
final class FakeRecommender implements Recommender {
    interface ScoreFunction {
        float score(int[] history, int item);
    }

    /** Items closest to the last history item score highest: score = -|item - last|. */
    static final ScoreFunction NEAREST_TO_LAST = (h, item) -> -Math.abs(item - h[h.length - 1]);

    private final int numItems;
    private final int batchSize;
    private final ScoreFunction function;
    private final Map<Setting, ScoreFunction> bySetting;
    final List<int[]> histories = new ArrayList<>();
    final List<Integer> callSizes = new ArrayList<>();

    FakeRecommender(int numItems, int batchSize, ScoreFunction function) {
        this(numItems, batchSize, function, Map.of());
    }

    FakeRecommender(int numItems, int batchSize, ScoreFunction function, Map<Setting, ScoreFunction> bySetting) {
        this.numItems = numItems;
        this.batchSize = batchSize;
        this.function = function;
        this.bySetting = bySetting;
    }

    @Override
    public String type() {
        return "fake";
    }

    @Override
    public int numItems() {
        return numItems;
    }

    @Override
    public JsonObject describe() {
        return new JsonObject();
    }

    @Override
    public int preferredBatchSize() {
        return batchSize;
    }

    @Override
    public boolean scoresDependOnSetting() {
        return !bySetting.isEmpty();
    }

    @Override
    public void score(List<int[]> batch, float[] out) {
        callSizes.add(batch.size());
        for (int b = 0; b < batch.size(); b++) {
            int[] history = batch.get(b);
            histories.add(history.clone());
            fill(history, function, out, b * numItems);
        }
    }

    @Override
    public void score(List<int[]> batch, float[] out, Setting setting) {
        if (setting == Setting.ALL || !bySetting.containsKey(setting)) {
            score(batch, out);
            return;
        }
        for (int b = 0; b < batch.size(); b++) {
            fill(batch.get(b), bySetting.get(setting), out, b * numItems);
        }
    }

    private void fill(int[] history, ScoreFunction f, float[] out, int offset) {
        for (int item = 0; item < numItems; item++) {
            out[offset + item] = f.score(history, item);
        }
    }

    @Override
    public void save(Path dir) {
        throw new UnsupportedOperationException("a test fake is never saved");
    }
}
