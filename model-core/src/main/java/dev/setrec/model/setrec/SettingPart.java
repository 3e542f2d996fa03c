package dev.setrec.model.setrec;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.setrec.eval.Setting;

import java.util.ArrayList;
import java.util.List;

/** A setting's part of the catalogue: an additive mask (null: every item) and how many of its items to keep. */
record SettingPart(NDArray mask, int kept) {
    static SettingPart of(NDManager scope, ItemInputs catalogue, Setting setting, int k) {
        int included = 0;
        float[] excluded = new float[catalogue.numItems()];
        for (int item = 0; item < excluded.length; item++) {
            if (setting.includes(catalogue.cold()[item])) {
                included++;
            } else {
                excluded[item] = Float.NEGATIVE_INFINITY;
            }
        }
        return new SettingPart(included < excluded.length ? scope.create(excluded) : null, Math.min(k, included));
    }

    /**
     * Writes the top {@code kept} of each group member's scores within this part into {@code out}, selected
     * natively (torch topk: only B x k values leave the engine, not B x n scores); equal scores come in no defined
     * order.
     */
    void select(NDArray scores, ItemInputs catalogue, int[] group, List<List<SetRecService.Scored>> out) {
        if (kept == 0) {
            return;
        }
        NDList top = (mask == null ? scores : scores.add(mask)).topK(kept, -1, true, true);
        float[] values = top.get(0).toFloatArray();
        long[] rows = top.get(1).toLongArray();
        for (int m = 0; m < group.length; m++) {
            List<SetRecService.Scored> list = new ArrayList<>(kept);
            for (int r = 0; r < kept; r++) {
                int row = (int) rows[m * kept + r];
                list.add(new SetRecService.Scored(catalogue.ids()[row], values[m * kept + r]));
            }
            out.set(group[m], list);
        }
    }
}
