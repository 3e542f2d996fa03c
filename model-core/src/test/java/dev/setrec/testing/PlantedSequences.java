package dev.setrec.testing;

import dev.setrec.data.Dataset;
import dev.setrec.data.Split;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

/**
 * Generated interaction data with a planted sequential pattern: each user walks a fixed random successor chain
 * over the catalogue (with probability {@code followProbability}, else jumps to a random item). The last item of
 * each walk is the user's test item, the one before it the valid item, the rest train. Popularity carries almost
 * no signal here, while a sequential model can learn the chain.
 */
public final class PlantedSequences {
    private PlantedSequences() {
    }

    public static Dataset generate(int numUsers, int numItems, int length, double followProbability, long seed) {
        Random random = new Random(seed);
        int[] successor = new int[numItems];
        int[] perm = new int[numItems];
        for (int i = 0; i < numItems; i++) {
            perm[i] = i;
        }
        for (int i = numItems - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        for (int i = 0; i < numItems; i++) {
            successor[perm[i]] = perm[(i + 1) % numItems];
        }
        int[][] train = new int[numUsers][];
        int[][] valid = new int[numUsers][];
        int[][] test = new int[numUsers][];
        for (int u = 0; u < numUsers; u++) {
            int[] walk = new int[length];
            walk[0] = random.nextInt(numItems);
            for (int t = 1; t < length; t++) {
                walk[t] = random.nextDouble() < followProbability ? successor[walk[t - 1]] : random.nextInt(numItems);
            }
            train[u] = Arrays.copyOf(walk, length - 2);
            valid[u] = new int[] {walk[length - 2]};
            test[u] = new int[] {walk[length - 1]};
        }
        return Dataset.of("planted", numItems, train, valid, test);
    }

    /** Writes {@code data} as a data dir (interactions.tsv only) for tests of the command line. */
    public static void writeDataDir(Dataset data, Path dir) throws IOException {
        Files.createDirectories(dir);
        try (Writer w = Files.newBufferedWriter(dir.resolve("interactions.tsv"))) {
            w.write("user_id\titem_id\tsplit\n");
            for (int u = 0; u < data.numUsers(); u++) {
                for (Split s : Split.values()) {
                    for (int item : data.sequence(u, s)) {
                        w.write(u + "\t" + item + "\t" + s.label() + "\n");
                    }
                }
            }
        }
    }
}
