package dev.setrec.model.setrec;

import com.google.gson.JsonObject;
import dev.setrec.eval.TopK;
import dev.setrec.model.Recommender;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A SETRec model as served with new-item slots ({@link SetRecService#withNewItems}), for offline evaluation: the
 * top {@link #LIST} of each history holds at least {@code slots} cold items where the model ranks fewer. The
 * evaluator ranks by score, so the merged list's items get scores above every other item, in the merged order; all
 * other scores are the model's own. Only the all-items ranking changes: the merged list keeps the warm items'
 * order and the cold items' order, so a ranking within one setting is the model's. The best cold items are those
 * of the model's ranking, as served ({@link SetRec#rank}).
 */
public final class NewItemSlots implements Recommender {
    /** The longest list the metrics read (Recall and NDCG at 10): the k the slots are placed in. */
    public static final int LIST = 10;

    private final SetRec model;
    private final int slots;

    public NewItemSlots(SetRec model, int slots) {
        if (slots < 0 || slots > LIST) {
            throw new IllegalArgumentException("new-item slots must be 0.." + LIST + ", not " + slots);
        }
        this.model = model;
        this.slots = slots;
    }

    @Override
    public String type() {
        return model.type();
    }

    @Override
    public int numItems() {
        return model.numItems();
    }

    @Override
    public int preferredBatchSize() {
        return model.preferredBatchSize();
    }

    @Override
    public void score(List<int[]> histories, float[] out) {
        model.score(histories, out);
        if (slots == 0) {
            return;
        }
        int n = numItems();
        boolean[] cold = model.items().cold();
        TopK best = new TopK(LIST);
        TopK bestCold = new TopK(slots);
        int[] rows = new int[LIST];
        for (int b = 0; b < histories.size(); b++) {
            int base = b * n;
            best.clear();
            bestCold.clear();
            float highest = Float.NEGATIVE_INFINITY;
            for (int item = 0; item < n; item++) {
                float s = out[base + item];
                best.offer(item, s);
                if (cold[item]) {
                    bestCold.offer(item, s);
                }
                highest = Math.max(highest, s);
            }
            List<SetRecService.Scored> merged = SetRecService.withNewItems(scored(best, rows, out, base),
                    scored(bestCold, rows, out, base), slots, LIST, id -> cold[Integer.parseInt(id)]);
            float step = Math.abs(highest) + 1;
            for (int place = 0; place < merged.size(); place++) {
                out[base + Integer.parseInt(merged.get(place).itemId())] = highest + step * (merged.size() - place);
            }
        }
    }

    private static List<SetRecService.Scored> scored(TopK top, int[] rows, float[] scores, int base) {
        int count = top.drainBestFirst(rows);
        List<SetRecService.Scored> list = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            list.add(new SetRecService.Scored(Integer.toString(rows[i]), scores[base + rows[i]]));
        }
        return list;
    }

    @Override
    public JsonObject describe() {
        JsonObject json = model.describe();
        json.addProperty("new_item_slots", slots);
        return json;
    }

    @Override
    public void save(Path dir) {
        throw new UnsupportedOperationException("new-item slots are a serving choice, not part of the saved model");
    }

    @Override
    public void close() {
        model.close();
    }
}
