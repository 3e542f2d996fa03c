package dev.setrec.model.setrec;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.setrec.nn.Engines;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * The CF input of an item with no interactions, predicted from its text embedding: the softmax-weighted mean CF
 * embedding of the warm items whose text is nearest (cosine similarity, weights exp(similarity / temperature) over
 * the k nearest). A cold item then enters the CF channel where warm items with similar text sit, instead of at one
 * shared point that scores every cold item alike. The number of neighbours and the temperature are chosen by the
 * squared error on a fixed fifth of the warm rows predicted from the other four fifths; the predictor then uses
 * every warm row. (A ridge map from text to CF, tried first, had a higher held-out error on toys, and the model
 * ranked cold items worse with it on valid: see docs/experiments.md.) A deterministic function of the warm rows,
 * so a saved model (whose item table holds them) gets the same predictor again when it is loaded.
 */
final class TextToCf {
    private static final int[] NEIGHBOURS = {10, 20, 50, 100};
    private static final double[] TEMPERATURES = {0.05, 0.1, 0.2};
    private static final int HOLD_OUT_EVERY = 5;
    /** Fewer warm rows than this: no held-out choice, the defaults below. */
    private static final int MIN_ROWS_TO_CHOOSE = 50;
    private static final int DEFAULT_NEIGHBOURS = 50;
    private static final double DEFAULT_TEMPERATURE = 0.1;
    /** Not a catalogue row: nothing is left out of the neighbours. */
    private static final int NO_ROW = -1;
    /** Queries per matrix product in the neighbour search (bounds its scores at 1024 x warm rows floats). */
    private static final int QUERY_BLOCK = 1024;

    /**
     * The warm rows' text embeddings scaled to unit length (zero vectors stay zero), row-major in one array: the
     * neighbour search copies it to the engine as it is, with no per-call flattening (a run-time item is one call).
     */
    private final float[] warmText;
    private final int textDim;
    private final float[][] warmCf;
    /** The catalogue row of each warm row (an item is left out of its own prediction in {@link #predictAll}). */
    private final int[] warmRows;
    /** The warm rows' mean CF: the prediction for an empty text, which is near no item. */
    private final float[] meanCf;
    private final int neighbours;
    private final double temperature;

    private TextToCf(float[][] warmText, float[][] warmCf, int[] warmRows, int cfDim, int neighbours,
                     double temperature) {
        this.warmText = warmText.length == 0 ? new float[0] : Matrices.flatten(warmText);
        this.textDim = warmText.length == 0 ? 0 : warmText[0].length;
        this.warmCf = warmCf;
        this.warmRows = warmRows;
        this.meanCf = new float[cfDim];
        for (float[] cf : warmCf) {
            for (int c = 0; c < cfDim; c++) {
                meanCf[c] += cf[c] / warmCf.length;
            }
        }
        this.neighbours = neighbours;
        this.temperature = temperature;
    }

    /** Fits the predictor on the warm rows of {@code items} (none: every prediction is zero). */
    static TextToCf fit(ItemInputs items) {
        int[] warm = IntStream.range(0, items.numItems()).filter(i -> !items.cold()[i]).toArray();
        float[][] text = new float[warm.length][];
        float[][] cf = new float[warm.length][];
        for (int j = 0; j < warm.length; j++) {
            text[j] = unit(items.text()[warm[j]]);
            cf[j] = items.cf()[warm[j]];
        }
        if (warm.length < MIN_ROWS_TO_CHOOSE) {
            return new TextToCf(text, cf, warm, items.cfDim(), DEFAULT_NEIGHBOURS, DEFAULT_TEMPERATURE);
        }
        int[] heldOut = IntStream.range(0, warm.length).filter(j -> j % HOLD_OUT_EVERY == 0).toArray();
        int[] rest = IntStream.range(0, warm.length).filter(j -> j % HOLD_OUT_EVERY != 0).toArray();
        TextToCf fromRest = new TextToCf(pick(text, rest), pick(cf, rest), pick(warm, rest), items.cfDim(),
                DEFAULT_NEIGHBOURS, DEFAULT_TEMPERATURE);
        int combos = NEIGHBOURS.length * TEMPERATURES.length;
        Neighbours[] near = fromRest.nearest(pick(text, heldOut), noneLeftOut(heldOut.length),
                NEIGHBOURS[NEIGHBOURS.length - 1]);
        double[] total = new double[combos];
        for (int h = 0; h < heldOut.length; h++) {
            for (int a = 0; a < NEIGHBOURS.length; a++) {
                for (int b = 0; b < TEMPERATURES.length; b++) {
                    total[a * TEMPERATURES.length + b] += squaredError(
                            fromRest.weightedMean(near[h], NEIGHBOURS[a], TEMPERATURES[b]), cf[heldOut[h]]);
                }
            }
        }
        int best = 0;
        for (int c = 1; c < combos; c++) {
            if (total[c] < total[best]) {
                best = c;
            }
        }
        return new TextToCf(text, cf, warm, items.cfDim(), NEIGHBOURS[best / TEMPERATURES.length],
                TEMPERATURES[best % TEMPERATURES.length]);
    }

    /** The predicted CF input of an item with this text embedding. */
    float[] predict(float[] text) {
        return predict(new float[][] {text})[0];
    }

    /** The predicted CF inputs of items with these text embeddings, in one batched search. */
    float[][] predict(float[][] texts) {
        return predict(texts, noneLeftOut(texts.length));
    }

    /** Predictions for many texts in one batched search; {@code leftOut[q]}: a catalogue row q must not use. */
    private float[][] predict(float[][] texts, int[] leftOut) {
        float[][] out = new float[texts.length][];
        if (warmRows.length == 0) {
            Arrays.setAll(out, q -> new float[meanCf.length]);
            return out;
        }
        float[][] unitTexts = Arrays.stream(texts).map(TextToCf::unit).toArray(float[][]::new);
        Neighbours[] near = nearest(unitTexts, leftOut, neighbours);
        for (int q = 0; q < texts.length; q++) {
            // an empty text is near no item: the warm mean
            out[q] = isZero(unitTexts[q]) ? meanCf.clone() : weightedMean(near[q], neighbours, temperature);
        }
        return out;
    }

    /**
     * Every row's predicted CF input, each row left out of its own neighbours (what a warm item would get if its
     * interactions were unknown); {@code items} is the catalogue the predictor was fitted on.
     */
    float[][] predictAll(ItemInputs items) {
        return predict(items.text(), IntStream.range(0, items.numItems()).toArray());
    }

    /** The catalogue with every cold row's CF input replaced by its prediction (warm rows unchanged). */
    ItemInputs fillCold(ItemInputs items) {
        int[] cold = IntStream.range(0, items.numItems()).filter(i -> items.cold()[i]).toArray();
        float[][] predicted = predict(pick(items.text(), cold), noneLeftOut(cold.length));
        float[][] cf = items.cf().clone();
        for (int c = 0; c < cold.length; c++) {
            cf[cold[c]] = predicted[c];
        }
        return new ItemInputs(items.ids(), cf, items.text(), items.cold());
    }

    int neighbours() {
        return neighbours;
    }

    double temperature() {
        return temperature;
    }

    /** The nearest warm rows of a query, most similar first (at most {@code k}). */
    private record Neighbours(int[] rows, double[] similarities, int size) {
    }

    /**
     * The {@code k} nearest warm rows of each unit-length query, leaving out the warm row at catalogue row
     * {@code leftOut[q]} ({@link #NO_ROW}: none). Similarities come from matrix products on the engine, a block
     * of queries at a time, and only each query's top k + 1 leave it: the search costs queries x warm rows x text
     * width, which plain loops make slow on a whole catalogue.
     */
    private Neighbours[] nearest(float[][] unitQueries, int[] leftOut, int k) {
        int warm = warmRows.length;
        int dim = textDim;
        int fetched = Math.min(k + 1, warm);
        Neighbours[] out = new Neighbours[unitQueries.length];
        try (NDManager manager = Engines.pytorch().newBaseManager(Device.cpu())) {
            NDArray keys = manager.create(warmText, new Shape(warm, dim)).transpose();
            for (int start = 0; start < unitQueries.length; start += QUERY_BLOCK) {
                int end = Math.min(unitQueries.length, start + QUERY_BLOCK);
                try (NDManager block = manager.newSubManager()) {
                    float[][] rows = Arrays.copyOfRange(unitQueries, start, end);
                    NDList top = block.create(Matrices.flatten(rows), new Shape(rows.length, dim)).matMul(keys)
                            .topK(fetched, -1, true, true);
                    float[] sims = top.get(0).toFloatArray();
                    long[] index = top.get(1).toLongArray();
                    for (int q = start; q < end; q++) {
                        out[q] = keep(sims, index, (q - start) * fetched, fetched, leftOut[q], k);
                    }
                }
            }
        }
        return out;
    }

    /** One query's neighbours from its fetched top k + 1, without the left-out row. */
    private Neighbours keep(float[] sims, long[] index, int offset, int fetched, int leftOutRow, int k) {
        int[] rows = new int[Math.min(k, fetched)];
        double[] similarities = new double[rows.length];
        int size = 0;
        for (int r = 0; r < fetched && size < rows.length; r++) {
            int j = (int) index[offset + r];
            if (warmRows[j] != leftOutRow) {
                rows[size] = j;
                similarities[size++] = sims[offset + r];
            }
        }
        return new Neighbours(rows, similarities, size);
    }

    private float[] weightedMean(Neighbours near, int k, double temp) {
        float[] out = new float[meanCf.length];
        int used = Math.min(k, near.size());
        double total = 0;
        double[] sum = new double[out.length];
        for (int r = 0; r < used; r++) {
            double w = Math.exp((near.similarities()[r] - near.similarities()[0]) / temp);
            total += w;
            float[] cf = warmCf[near.rows()[r]];
            for (int c = 0; c < out.length; c++) {
                sum[c] += w * cf[c];
            }
        }
        for (int c = 0; c < out.length; c++) {
            out[c] = total > 0 ? (float) (sum[c] / total) : meanCf[c];
        }
        return out;
    }

    private static double squaredError(float[] predicted, float[] truth) {
        double sum = 0;
        for (int c = 0; c < truth.length; c++) {
            double e = predicted[c] - truth[c];
            sum += e * e;
        }
        return sum;
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int t = 0; t < a.length; t++) {
            s += a[t] * b[t];
        }
        return s;
    }

    private static float[] unit(float[] v) {
        double norm = Math.sqrt(dot(v, v));
        float[] out = new float[v.length];
        if (norm > 0) {
            for (int t = 0; t < v.length; t++) {
                out[t] = (float) (v[t] / norm);
            }
        }
        return out;
    }

    private static boolean isZero(float[] v) {
        for (float x : v) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    private static int[] noneLeftOut(int queries) {
        int[] rows = new int[queries];
        Arrays.fill(rows, NO_ROW);
        return rows;
    }

    private static float[][] pick(float[][] rows, int[] which) {
        return Arrays.stream(which).mapToObj(j -> rows[j]).toArray(float[][]::new);
    }

    private static int[] pick(int[] values, int[] which) {
        return Arrays.stream(which).map(j -> values[j]).toArray();
    }
}
