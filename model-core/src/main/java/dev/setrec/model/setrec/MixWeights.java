package dev.setrec.model.setrec;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * The score mix as weights on the token tables: each item's rows weighted by its kind's mix, joined (N, S * d), and
 * each item's shift (N), so that scoring the catalogue under the mix is one matrix product and one sum, whatever the
 * items' kinds.
 */
final class MixWeights {
    private MixWeights() {
    }

    /** The given items' token rows weighted by their kinds' mix (n, S * d) and their shifts (n), in {@code scope}. */
    static NDList weightedRows(TokenTables tables, boolean[] cold, ScoreMix mix, boolean cfOnly, NDManager scope) {
        int n = cold.length;
        float[] cfWeights = new float[n];
        float[] semWeights = new float[n];
        float[] shift = new float[n];
        for (int item = 0; item < n; item++) {
            // CF-only: the CF score alone, whatever beta says
            cfWeights[item] = cfOnly ? 1 : mix.cfWeight(cold[item]);
            semWeights[item] = mix.semWeight(cold[item]);
            shift[item] = mix.shift(cold[item]);
        }
        NDArray cfRows = tables.cf().mul(scope.create(cfWeights, new Shape(n, 1)));
        NDArray weighted = tables.sem() == null ? cfRows : NDArrays.concat(new NDList(cfRows,
                tables.sem().mul(scope.create(semWeights, new Shape(n, 1)))), 1);
        return new NDList(weighted, scope.create(shift));
    }

    /**
     * Every item's score under the mix of its kind, (batch, N): w_cf * s_cf + w_sem * s_sem + shift, from the query
     * outputs (batch, Q, d) and the weighted rows and shifts of {@link #weightedRows}.
     */
    static NDArray scores(NDArray queryOutputs, NDArray weighted, NDArray shifts) {
        long batch = queryOutputs.getShape().get(0);
        return queryOutputs.reshape(batch, weighted.getShape().get(1)).matMul(weighted.transpose()).add(shifts);
    }

    /** Every item's CF score q_0 . cf and (n_sem > 0) its semantic score sum_j q_j . sem_j: one or two (batch, N). */
    static NDList partScores(NDArray queryOutputs, TokenTables tables) {
        long batch = queryOutputs.getShape().get(0);
        NDArray cf = queryOutputs.get(":, 0, :").matMul(tables.cf().transpose());
        if (tables.sem() == null) {
            return new NDList(cf);
        }
        NDArray sem = queryOutputs.get(":, 1:, :").reshape(batch, tables.sem().getShape().get(1))
                .matMul(tables.sem().transpose());
        return new NDList(cf, sem);
    }
}
