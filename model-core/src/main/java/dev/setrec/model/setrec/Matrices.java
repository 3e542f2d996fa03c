package dev.setrec.model.setrec;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** Row arrays (one row per item) as engine matrices. */
final class Matrices {
    private Matrices() {
    }

    /** The rows, one after another (all rows as wide as the first). */
    static float[] flatten(float[][] rows) {
        int width = rows[0].length;
        float[] flat = new float[rows.length * width];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, flat, i * width, width);
        }
        return flat;
    }

    /** The rows as an (n, width) matrix in {@code scope}. */
    static NDArray of(NDManager scope, float[][] rows) {
        return scope.create(flatten(rows), new Shape(rows.length, rows[0].length));
    }
}
