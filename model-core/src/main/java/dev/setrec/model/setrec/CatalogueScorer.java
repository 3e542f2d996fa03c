package dev.setrec.model.setrec;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.setrec.eval.Setting;
import dev.setrec.model.PaddedHistories;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Scores histories against the served catalogue: every item's score under the score mix, the two parts of it (for
 * choosing the mix on valid), and each history's top items within a setting. Each call is one pass under the
 * catalogue's lock, so the catalogue cannot change meanwhile.
 */
final class CatalogueScorer {
    /** One history's best items within the setting and, where asked, its best cold items (from the same pass). */
    record Ranked(List<SetRecService.Scored> best, List<SetRecService.Scored> bestCold) {
    }

    private final SetRecNetwork network;
    private final ServingCatalogue catalogue;

    CatalogueScorer(SetRecNetwork network, ServingCatalogue catalogue) {
        this.network = network;
        this.catalogue = catalogue;
    }

    /** Every item's score for each history into {@code out} (row-major, one row per history). */
    void score(List<int[]> histories, float[] out) {
        catalogue.serve((scope, view) -> {
            NDArray scores = MixWeights.scores(encode(scope, view, histories), view.weighted(), view.shifts());
            PaddedHistories.copyScores(scores, out, checkedCount(histories.size(), view, out));
            return null;
        });
    }

    /** Scores a batch in its two parts: the CF score into {@code cf}, the semantic one into {@code sem} (for beta). */
    void scoreParts(List<int[]> histories, float[] cf, float[] sem) {
        catalogue.serve((scope, view) -> {
            int count = Math.max(checkedCount(histories.size(), view, cf), checkedCount(histories.size(), view, sem));
            NDList parts = MixWeights.partScores(encode(scope, view, histories), view.tables());
            PaddedHistories.copyScores(parts.get(0), cf, count);
            if (parts.size() == 1) {
                Arrays.fill(sem, 0, count, 0f);
            } else {
                PaddedHistories.copyScores(parts.get(1), sem, count);
            }
            return null;
        });
    }

    private static int checkedCount(int batch, ServingCatalogue.View view, float[] buffer) {
        int n = view.items().numItems();
        int count = batch * n;
        if (buffer.length < count) {
            throw new IllegalArgumentException("score buffer holds " + buffer.length + " floats, " + count
                    + " needed (the catalogue has " + n + " items)");
        }
        return count;
    }

    private NDArray encode(NDManager scope, ServingCatalogue.View view, List<int[]> histories) {
        return network.encodeServing(scope, view.tables(), histories, view.items().numItems());
    }

    /**
     * The top {@code k} items of each history within {@code setting}'s part of the catalogue, best first, with
     * their external ids ({@link SettingPart#select}). Histories are scored in groups of similar length where that
     * is cheaper ({@link LengthGroups}).
     */
    List<List<SetRecService.Scored>> topK(List<int[]> histories, int k, Setting setting) {
        return topK(histories, k, setting, LengthGroups.PASS_COST_IN_ITEMS);
    }

    /** {@link #topK(List, int, Setting)} with another cost of a pass (0 in tests: a pass per distinct length). */
    List<List<SetRecService.Scored>> topK(List<int[]> histories, int k, Setting setting, int passCost) {
        return rank(histories, k, setting, 0, passCost).stream().map(Ranked::best).toList();
    }

    /**
     * {@link #topK(List, int, Setting)} plus, for {@code coldK > 0}, the top {@code coldK} cold items of each history
     * (the setting permitting) from the same pass and scores.
     */
    List<Ranked> rank(List<int[]> histories, int k, Setting setting, int coldK) {
        return rank(histories, k, setting, coldK, LengthGroups.PASS_COST_IN_ITEMS);
    }

    private List<Ranked> rank(List<int[]> histories, int k, Setting setting, int coldK, int passCost) {
        return catalogue.serve((scope, view) -> {
            ItemInputs items = view.items();
            Setting coldPart = setting == Setting.WARM || coldK <= 0 ? null : Setting.COLD;
            SettingPart best = SettingPart.of(scope, items, setting, k);
            SettingPart cold = coldPart == null ? null : SettingPart.of(scope, items, coldPart, coldK);
            List<List<SetRecService.Scored>> bests = new ArrayList<>(histories.size());
            List<List<SetRecService.Scored>> colds = new ArrayList<>(histories.size());
            histories.forEach(h -> {
                bests.add(List.of());
                colds.add(List.of());
            });
            if (best.kept() > 0 || (cold != null && cold.kept() > 0)) {
                for (int[] group : LengthGroups.of(histories, network.architecture().maxLen(), passCost)) {
                    List<int[]> members = new ArrayList<>(group.length);
                    for (int b : group) {
                        members.add(histories.get(b));
                    }
                    try (NDManager pass = scope.newSubManager()) {
                        NDArray scores = MixWeights.scores(encode(pass, view, members), view.weighted(),
                                view.shifts());
                        best.select(scores, items, group, bests);
                        if (cold != null) {
                            cold.select(scores, items, group, colds);
                        }
                    }
                }
            }
            List<Ranked> out = new ArrayList<>(histories.size());
            for (int b = 0; b < histories.size(); b++) {
                out.add(new Ranked(bests.get(b), colds.get(b)));
            }
            return out;
        });
    }

    /** The query outputs of each history, [batch][query][dim] (for tests and inspection). */
    float[][][] queryOutputs(List<int[]> histories) {
        int q = network.architecture().queries();
        int d = network.architecture().dim();
        float[] flat = catalogue.serve((scope, view) -> encode(scope, view, histories).toFloatArray());
        float[][][] out = new float[histories.size()][q][d];
        for (int b = 0; b < histories.size(); b++) {
            for (int k = 0; k < q; k++) {
                System.arraycopy(flat, (b * q + k) * d, out[b][k], 0, d);
            }
        }
        return out;
    }
}
