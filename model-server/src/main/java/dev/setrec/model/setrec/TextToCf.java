package dev.setrec.model.setrec;

/**
 * The CF input of an item with no interactions, predicted from its text embedding: a ridge regression from text
 * embeddings to CF embeddings fitted on the warm rows of a catalogue. A cold item then enters the CF channel where
 * warm items with similar text sit, instead of at one shared point (the warm mean) that scores every cold item
 * alike; with too little signal the ridge shrinks towards that mean. The ridge strength is chosen by the squared
 * error on a fixed fifth of the warm rows, then the map is refitted on all of them. A deterministic function of
 * the warm rows, so a saved model (whose item table holds them) refits the same map when it is loaded.
 */
final class TextToCf {
    /** Ridge strengths tried, relative to the Gram matrix's mean diagonal (rows x mean text variance). */
    private static final double[] STRENGTHS = {1e-4, 1e-3, 1e-2, 1e-1, 1, 10};
    private static final int HOLD_OUT_EVERY = 5;
    /** Fewer warm rows than this: no held-out choice, the middle strength. */
    private static final int MIN_ROWS_TO_CHOOSE = 50;

    private final double[] textMean;
    private final double[] cfMean;
    /** (textDim, cfDim), applied to the centred text embedding. */
    private final double[][] weights;
    private final double strength;

    private TextToCf(double[] textMean, double[] cfMean, double[][] weights, double strength) {
        this.textMean = textMean;
        this.cfMean = cfMean;
        this.weights = weights;
        this.strength = strength;
    }

    /** Fits the map on the warm rows of {@code items} (none: every prediction is zero). */
    static TextToCf fit(ItemInputs items) {
        Moments fitPart = new Moments(items.textDim(), items.cfDim());
        Moments heldOut = new Moments(items.textDim(), items.cfDim());
        boolean[] heldOutRows = new boolean[items.numItems()];
        int warm = 0;
        for (int i = 0; i < items.numItems(); i++) {
            if (!items.cold()[i]) {
                heldOutRows[i] = warm++ % HOLD_OUT_EVERY == 0;
                (heldOutRows[i] ? heldOut : fitPart).add(items.text()[i], items.cf()[i]);
            }
        }
        Moments all = fitPart.plus(heldOut);
        double chosen = STRENGTHS[STRENGTHS.length / 2];
        if (warm >= MIN_ROWS_TO_CHOOSE) {
            double bestError = Double.POSITIVE_INFINITY;
            for (double s : STRENGTHS) {
                double error = fitPart.solve(s * fitPart.ridgeScale()).squaredError(items, heldOutRows);
                if (error < bestError) {
                    bestError = error;
                    chosen = s;
                }
            }
        }
        return all.solve(chosen * all.ridgeScale());
    }

    /** The predicted CF input of an item with this text embedding. */
    float[] predict(float[] text) {
        float[] out = new float[cfMean.length];
        for (int c = 0; c < out.length; c++) {
            double v = cfMean[c];
            for (int t = 0; t < text.length; t++) {
                v += (text[t] - textMean[t]) * weights[t][c];
            }
            out[c] = (float) v;
        }
        return out;
    }

    /** Every row's predicted CF input (what a warm item would get if its interactions were unknown). */
    float[][] predictAll(ItemInputs items) {
        float[][] out = new float[items.numItems()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = predict(items.text()[i]);
        }
        return out;
    }

    /** The catalogue with every cold row's CF input replaced by its prediction (warm rows unchanged). */
    ItemInputs fillCold(ItemInputs items) {
        float[][] cf = items.cf().clone();
        for (int i = 0; i < cf.length; i++) {
            if (items.cold()[i]) {
                cf[i] = predict(items.text()[i]);
            }
        }
        return new ItemInputs(items.ids(), cf, items.text(), items.cold());
    }

    /** The ridge strength used, absolute. */
    double strength() {
        return strength;
    }

    private double squaredError(ItemInputs items, boolean[] rows) {
        double sum = 0;
        for (int i = 0; i < rows.length; i++) {
            if (rows[i]) {
                float[] p = predict(items.text()[i]);
                for (int c = 0; c < p.length; c++) {
                    double e = p[c] - items.cf()[i][c];
                    sum += e * e;
                }
            }
        }
        return sum;
    }

    /** Sums over rows of (text, CF) pairs, enough for the centred ridge solution. */
    private static final class Moments {
        private final int dt;
        private final int dc;
        private long count;
        private final double[] textSum;
        private final double[] cfSum;
        /** Upper triangle of the sum of text outer products. */
        private final double[][] textText;
        private final double[][] textCf;

        Moments(int dt, int dc) {
            this.dt = dt;
            this.dc = dc;
            this.textSum = new double[dt];
            this.cfSum = new double[dc];
            this.textText = new double[dt][dt];
            this.textCf = new double[dt][dc];
        }

        void add(float[] text, float[] cf) {
            count++;
            for (int c = 0; c < dc; c++) {
                cfSum[c] += cf[c];
            }
            for (int a = 0; a < dt; a++) {
                double xa = text[a];
                textSum[a] += xa;
                if (xa == 0) {
                    continue;
                }
                double[] row = textText[a];
                for (int b = a; b < dt; b++) {
                    row[b] += xa * text[b];
                }
                double[] cross = textCf[a];
                for (int c = 0; c < dc; c++) {
                    cross[c] += xa * cf[c];
                }
            }
        }

        Moments plus(Moments other) {
            Moments sum = new Moments(dt, dc);
            sum.count = count + other.count;
            for (int a = 0; a < dt; a++) {
                sum.textSum[a] = textSum[a] + other.textSum[a];
                for (int b = a; b < dt; b++) {
                    sum.textText[a][b] = textText[a][b] + other.textText[a][b];
                }
                for (int c = 0; c < dc; c++) {
                    sum.textCf[a][c] = textCf[a][c] + other.textCf[a][c];
                }
            }
            for (int c = 0; c < dc; c++) {
                sum.cfSum[c] = cfSum[c] + other.cfSum[c];
            }
            return sum;
        }

        /** The centred Gram matrix's mean diagonal, the unit of the ridge strengths (positive). */
        double ridgeScale() {
            double trace = 0;
            for (int a = 0; a < dt; a++) {
                double m = count == 0 ? 0 : textSum[a] / count;
                trace += textText[a][a] - count * m * m;
            }
            return Math.max(trace / dt, 1e-9);
        }

        /** The ridge map of these rows (centred on their means). */
        TextToCf solve(double ridge) {
            double n = Math.max(1, count);
            double[] tm = new double[dt];
            double[] cm = new double[dc];
            for (int a = 0; a < dt; a++) {
                tm[a] = textSum[a] / n;
            }
            for (int c = 0; c < dc; c++) {
                cm[c] = cfSum[c] / n;
            }
            double[][] gram = new double[dt][dt];
            double[][] cross = new double[dt][dc];
            for (int a = 0; a < dt; a++) {
                for (int b = a; b < dt; b++) {
                    double g = textText[a][b] - count * tm[a] * tm[b];
                    gram[a][b] = g;
                    gram[b][a] = g;
                }
                gram[a][a] += ridge;
                for (int c = 0; c < dc; c++) {
                    cross[a][c] = textCf[a][c] - count * tm[a] * cm[c];
                }
            }
            return new TextToCf(tm, cm, Cholesky.solve(gram, cross), ridge);
        }
    }

    /** Solves A X = B for a symmetric positive definite A (overwritten). */
    static final class Cholesky {
        private Cholesky() {
        }

        static double[][] solve(double[][] a, double[][] b) {
            int n = a.length;
            for (int j = 0; j < n; j++) {
                double d = a[j][j];
                for (int k = 0; k < j; k++) {
                    d -= a[j][k] * a[j][k];
                }
                if (d <= 0) {
                    throw new IllegalStateException("matrix is not positive definite");
                }
                a[j][j] = Math.sqrt(d);
                for (int i = j + 1; i < n; i++) {
                    double s = a[i][j];
                    for (int k = 0; k < j; k++) {
                        s -= a[i][k] * a[j][k];
                    }
                    a[i][j] = s / a[j][j];
                }
            }
            int m = b[0].length;
            double[][] x = new double[n][m];
            for (int c = 0; c < m; c++) {
                double[] y = new double[n];
                for (int i = 0; i < n; i++) {
                    double s = b[i][c];
                    for (int k = 0; k < i; k++) {
                        s -= a[i][k] * y[k];
                    }
                    y[i] = s / a[i][i];
                }
                for (int i = n - 1; i >= 0; i--) {
                    double s = y[i];
                    for (int k = i + 1; k < n; k++) {
                        s -= a[k][i] * x[k][c];
                    }
                    x[i][c] = s / a[i][i];
                }
            }
            return x;
        }
    }
}
