package dev.setrec.model.setrec;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The text-to-CF map that gives cold items their CF input. */
class TextToCfTest {
    private static final int TEXT = 12;
    private static final int CF = 4;

    /** Items whose CF embedding is a fixed linear function of their text plus noise; every 4th item cold. */
    private static ItemInputs linearItems(int n, double noise, long seed) {
        Random random = new Random(seed);
        double[][] map = new double[TEXT][CF];
        for (double[] row : map) {
            for (int c = 0; c < CF; c++) {
                row[c] = random.nextGaussian();
            }
        }
        float[][] text = new float[n][TEXT];
        float[][] cf = new float[n][CF];
        boolean[] cold = new boolean[n];
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < TEXT; t++) {
                text[i][t] = (float) random.nextGaussian();
            }
            for (int c = 0; c < CF; c++) {
                double v = 0.5 + noise * random.nextGaussian();
                for (int t = 0; t < TEXT; t++) {
                    v += text[i][t] * map[t][c];
                }
                cf[i][c] = (float) v;
            }
            cold[i] = i % 4 == 0;
        }
        return ItemInputs.numbered(cf, text, cold);
    }

    @Test
    void coldRowsGetTheCfTheirTextPredictsAndWarmRowsStay() {
        ItemInputs items = linearItems(400, 0.01, 1);
        TextToCf map = TextToCf.fit(items);
        ItemInputs filled = map.fillCold(items);
        for (int i = 0; i < items.numItems(); i++) {
            if (items.cold()[i]) {
                // the cold rows were never seen by the fit, yet their true CF is recovered
                assertArrayEquals(items.cf()[i], filled.cf()[i], 0.05f, "cold row " + i);
            } else {
                assertSame(items.cf()[i], filled.cf()[i], "warm row " + i + " must be kept as it is");
            }
        }
    }

    @Test
    void whereTextSaysNothingTheRidgeShrinksTowardsTheWarmMean() {
        ItemInputs signal = linearItems(400, 0.01, 2);
        // the same CF rows against unrelated text
        ItemInputs noise = new ItemInputs(signal.ids(), signal.cf(), linearItems(400, 0.01, 3).text(),
                signal.cold());
        TextToCf fromSignal = TextToCf.fit(signal);
        TextToCf fromNoise = TextToCf.fit(noise);
        double truth = coldSpread(signal, TextToCf.fit(signal), true);
        assertTrue(coldSpread(signal, fromSignal, false) > 0.9 * truth, "informative text keeps the spread");
        assertTrue(coldSpread(noise, fromNoise, false) < 0.25 * truth,
                "unrelated text must leave cold rows near the warm mean");
        assertTrue(fromNoise.strength() > fromSignal.strength(), "noise must choose a stronger ridge");
    }

    /** RMS distance of the cold rows' predicted (or, with {@code actual}, true) CF from the warm mean. */
    private static double coldSpread(ItemInputs items, TextToCf map, boolean actual) {
        double[] mean = new double[CF];
        int warm = 0;
        for (int i = 0; i < items.numItems(); i++) {
            if (!items.cold()[i]) {
                warm++;
                for (int c = 0; c < CF; c++) {
                    mean[c] += items.cf()[i][c];
                }
            }
        }
        double sum = 0;
        int cold = 0;
        for (int i = 0; i < items.numItems(); i++) {
            if (items.cold()[i]) {
                cold++;
                float[] v = actual ? items.cf()[i] : map.predict(items.text()[i]);
                for (int c = 0; c < CF; c++) {
                    double e = v[c] - mean[c] / warm;
                    sum += e * e;
                }
            }
        }
        return Math.sqrt(sum / cold);
    }

    @Test
    void aCatalogueWithoutWarmRowsPredictsZeros() {
        ItemInputs allCold = ItemInputs.numbered(new float[][] {{1, 2}, {3, 4}}, new float[][] {{1, 0, 0}, {0, 1, 0}},
                new boolean[] {true, true});
        assertArrayEquals(new float[] {0, 0}, TextToCf.fit(allCold).predict(new float[] {0, 0, 1}));
    }

    @Test
    void choleskySolvesASymmetricPositiveDefiniteSystem() {
        double[][] a = {{4, 2, 0}, {2, 5, 1}, {0, 1, 3}};
        double[][] x = {{1, -1}, {2, 0}, {-3, 2}};
        double[][] b = new double[3][2];
        for (int i = 0; i < 3; i++) {
            for (int c = 0; c < 2; c++) {
                for (int k = 0; k < 3; k++) {
                    b[i][c] += a[i][k] * x[k][c];
                }
            }
        }
        double[][] solved = TextToCf.Cholesky.solve(a, b);
        for (int i = 0; i < 3; i++) {
            for (int c = 0; c < 2; c++) {
                assertEquals(x[i][c], solved[i][c], 1e-9);
            }
        }
    }
}
