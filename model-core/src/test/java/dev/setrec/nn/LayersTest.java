package dev.setrec.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LayersTest {
    private static final float BLOCKED = -1e9f;

    /**
     * forwardQueries must be forward over [sequence; queries] under the whole mask: the sequence's rows as given and
     * blocked from the queries, the queries' rows over the sequence as given and, among the queries, the diagonal.
     * Every parameter (biases and norms too) is random, and so are the masks' open entries.
     */
    @Test
    void queriesReadingTheSequenceEqualTheFullPassUnderTheWholeMask() {
        int batch = 3;
        int t = 7;
        int tq = 4;
        int dim = 8;
        Random random = new Random(5);
        try (NDManager manager = Engines.newModelManager()) {
            ParameterStore params = new ParameterStore(manager, 1);
            Layers layers = new Layers(params, "b", dim, 2, 16, 3, 0f);
            Map<String, float[]> values = params.snapshot();
            values.values().forEach(v -> {
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) random.nextGaussian() * 0.5f;
                }
            });
            params.restore(values);

            float[] sequenceMask = new float[t * t];
            for (int r = 0; r < t; r++) {
                for (int c = 0; c < t; c++) {
                    sequenceMask[r * t + c] = c == r || (c < r && random.nextBoolean()) ? 0 : BLOCKED;
                }
            }
            float[] queryMask = new float[batch * tq * t];
            for (int i = 0; i < queryMask.length; i++) {
                queryMask[i] = random.nextBoolean() ? 0 : BLOCKED;
            }
            int all = t + tq;
            float[] whole = new float[batch * all * all];
            java.util.Arrays.fill(whole, BLOCKED);
            for (int b = 0; b < batch; b++) {
                int base = b * all * all;
                for (int r = 0; r < t; r++) {
                    System.arraycopy(sequenceMask, r * t, whole, base + r * all, t);
                }
                for (int r = 0; r < tq; r++) {
                    System.arraycopy(queryMask, (b * tq + r) * t, whole, base + (t + r) * all, t);
                    whole[base + (t + r) * all + t + r] = 0;
                }
            }

            NDArray x = manager.randomNormal(new Shape(batch, t, dim));
            NDArray queries = manager.randomNormal(new Shape(batch, tq, dim));
            float[] split = layers.forwardQueries(x, manager.create(sequenceMask, new Shape(1, 1, t, t)), queries,
                    manager.create(queryMask, new Shape(batch, 1, tq, t)), false).toFloatArray();
            float[] full = layers.forward(NDArrays.concat(new NDList(x, queries), 1),
                    manager.create(whole, new Shape(batch, 1, all, all)), false).get(":, " + t + ":, :").toFloatArray();

            assertEquals(full.length, split.length);
            for (int i = 0; i < full.length; i++) {
                assertEquals(full[i], split[i], 1e-4, "output " + i);
            }
        }
    }
}
