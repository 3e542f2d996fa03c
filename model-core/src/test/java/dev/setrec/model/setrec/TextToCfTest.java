package dev.setrec.model.setrec;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The text-to-CF predictor that gives cold items (and CF dropout) their CF input. */
class TextToCfTest {
    private static final int TEXT = 12;
    private static final int CF = 4;
    private static final int CLUSTERS = 20;

    /**
     * Items in 20 clusters: an item's text is its cluster's text centre plus noise, its CF embedding its cluster's
     * CF centre plus a little noise; a quarter of them cold. Text says which cluster, so it predicts CF. Text
     * dimension 0 is left at zero (free for an item unlike every cluster).
     */
    private static ItemInputs clusteredItems(int n, long seed) {
        Random random = new Random(seed);
        float[][] textCentre = gaussianRows(random, CLUSTERS, TEXT, 1);
        float[][] cfCentre = gaussianRows(random, CLUSTERS, CF, 1);
        float[][] text = new float[n][TEXT];
        float[][] cf = new float[n][CF];
        boolean[] cold = new boolean[n];
        for (int i = 0; i < n; i++) {
            int cluster = random.nextInt(CLUSTERS);
            for (int t = 1; t < TEXT; t++) {
                text[i][t] = textCentre[cluster][t] + (float) (0.1 * random.nextGaussian());
            }
            for (int c = 0; c < CF; c++) {
                cf[i][c] = cfCentre[cluster][c] + (float) (0.02 * random.nextGaussian());
            }
            cold[i] = random.nextInt(4) == 0;
        }
        return ItemInputs.numbered(cf, text, cold);
    }

    private static float[][] gaussianRows(Random random, int rows, int dim, double scale) {
        float[][] out = new float[rows][dim];
        for (float[] row : out) {
            for (int j = 0; j < dim; j++) {
                row[j] = (float) (scale * random.nextGaussian());
            }
        }
        return out;
    }

    @Test
    void coldRowsGetTheCfOfTheirTextNeighboursAndWarmRowsStay() {
        ItemInputs items = clusteredItems(400, 1);
        TextToCf predictor = TextToCf.fit(items);
        ItemInputs filled = predictor.fillCold(items);
        assertTrue(predictor.neighbours() <= 20, "tight clusters of about 15 warm items want few neighbours, not "
                + predictor.neighbours());
        for (int i = 0; i < items.numItems(); i++) {
            if (items.cold()[i]) {
                // the cold rows were never seen by the fit, yet their cluster's CF is recovered
                assertArrayEquals(items.cf()[i], filled.cf()[i], 0.1f, "cold row " + i);
            } else {
                assertSame(items.cf()[i], filled.cf()[i], "warm row " + i + " must be kept as it is");
            }
        }
    }

    @Test
    void aWarmRowIsLeftOutOfItsOwnPredictionForCfDropout() {
        ItemInputs clustered = clusteredItems(200, 2);
        // a warm row gets a text orthogonal to every other item's, and a CF far from every cluster's
        int row = firstWarm(clustered);
        float[][] text = clustered.text().clone();
        float[][] cf = clustered.cf().clone();
        text[row] = new float[TEXT];
        text[row][0] = 100;
        cf[row] = new float[] {50, 50, 50, 50};
        ItemInputs items = new ItemInputs(clustered.ids(), cf, text, clustered.cold());
        TextToCf predictor = TextToCf.fit(items);
        float[] withItself = predictor.predict(text[row]);
        assertTrue(withItself[0] > 25, "its own text finds it first: " + withItself[0]);
        float[] leftOut = predictor.predictAll(items)[row];
        assertTrue(leftOut[0] < 10, "without itself the prediction comes from other items: " + leftOut[0]);
    }

    private static int firstWarm(ItemInputs items) {
        int row = 0;
        while (items.cold()[row]) {
            row++;
        }
        return row;
    }

    @Test
    void anEmptyTextGetsTheWarmMeanAndNoWarmRowsGiveZeros() {
        ItemInputs items = ItemInputs.numbered(new float[][] {{1, 2}, {3, 6}, {9, 9}},
                new float[][] {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}, new boolean[] {false, false, true});
        assertArrayEquals(new float[] {2, 4}, TextToCf.fit(items).predict(new float[3]), 1e-6f);
        ItemInputs allCold = ItemInputs.numbered(new float[][] {{1, 2}, {3, 4}}, new float[][] {{1, 0, 0}, {0, 1, 0}},
                new boolean[] {true, true});
        assertArrayEquals(new float[] {0, 0}, TextToCf.fit(allCold).predict(new float[] {0, 0, 1}));
    }
}
