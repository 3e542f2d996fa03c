package dev.setrec.eval;

import com.google.gson.JsonObject;
import dev.setrec.model.Recommender;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A recommender whose scores are a fixed function of (history, item); it records every call it gets. */
final class FakeRecommender implements Recommender {
    interface ScoreFunction {
        float score(int[] history, int item);
    }

    /** Items closest to the last history item score highest: score = -|item - last|. */
    static final ScoreFunction NEAREST_TO_LAST = (h, item) -> -Math.abs(item - h[h.length - 1]);

    private final int numItems;
    private final int batchSize;
    private final ScoreFunction function;
    final List<int[]> histories = new ArrayList<>();
    final List<Integer> callSizes = new ArrayList<>();

    FakeRecommender(int numItems, int batchSize, ScoreFunction function) {
        this.numItems = numItems;
        this.batchSize = batchSize;
        this.function = function;
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
    public void score(List<int[]> batch, float[] out) {
        callSizes.add(batch.size());
        for (int b = 0; b < batch.size(); b++) {
            int[] history = batch.get(b);
            histories.add(history.clone());
            for (int item = 0; item < numItems; item++) {
                out[b * numItems + item] = function.score(history, item);
            }
        }
    }

    @Override
    public void save(Path dir) {
        throw new UnsupportedOperationException("a test fake is never saved");
    }
}
