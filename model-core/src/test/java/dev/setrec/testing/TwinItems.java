package dev.setrec.testing;

import dev.setrec.data.Dataset;

import java.util.Arrays;
import java.util.Random;

/**
 * Generated data whose cold-start signal is in the item text only. Items 0..w-1 are warm; item w+i is the cold
 * "twin" of warm item i: nearly the same text, never in train. Users walk a successor chain over the warm items;
 * each test target is the cold twin of the item the chain predicts. A CF-only model cannot tell the cold twins
 * apart (they share one fallback CF vector); a model that grounds on text tokens can.
 */
public final class TwinItems {
    public final Dataset data;
    public final float[][] text;
    public final float[][] cf;
    public final int warm;

    private TwinItems(Dataset data, float[][] text, float[][] cf, int warm) {
        this.data = data;
        this.text = text;
        this.cf = cf;
        this.warm = warm;
    }

    public static TwinItems generate(int numUsers, int warm, int length, int textDim, int cfDim, long seed) {
        Random random = new Random(seed);
        int n = 2 * warm;
        float[][] text = new float[n][textDim];
        float[][] cf = new float[n][cfDim];
        for (int i = 0; i < warm; i++) {
            text[i] = unit(random, textDim);
            float[] noise = unit(random, textDim);
            for (int j = 0; j < textDim; j++) {
                text[warm + i][j] = text[i][j] + 0.1f * noise[j];
            }
            cf[i] = unit(random, cfDim);
        }
        for (int j = 0; j < cfDim; j++) { // cold items get the mean warm CF vector, as SASRec's cold rows do
            float mean = 0;
            for (int i = 0; i < warm; i++) {
                mean += cf[i][j] / warm;
            }
            for (int i = warm; i < n; i++) {
                cf[i][j] = mean;
            }
        }
        int[] successor = new int[warm];
        for (int i = 0; i < warm; i++) {
            successor[i] = (i * 7 + 3) % warm;
        }
        int[][] train = new int[numUsers][];
        int[][] valid = new int[numUsers][];
        int[][] test = new int[numUsers][];
        for (int u = 0; u < numUsers; u++) {
            int[] walk = new int[length];
            walk[0] = random.nextInt(warm);
            for (int t = 1; t < length; t++) {
                walk[t] = successor[walk[t - 1]];
            }
            train[u] = Arrays.copyOf(walk, length - 2);
            valid[u] = new int[] {walk[length - 2]};
            test[u] = new int[] {warm + walk[length - 1]};
        }
        return new TwinItems(Dataset.of("twins", n, train, valid, test), text, cf, warm);
    }

    private static float[] unit(Random random, int dim) {
        float[] v = new float[dim];
        double norm = 0;
        for (int j = 0; j < dim; j++) {
            v[j] = (float) random.nextGaussian();
            norm += v[j] * v[j];
        }
        for (int j = 0; j < dim; j++) {
            v[j] /= (float) Math.sqrt(norm);
        }
        return v;
    }
}
