package dev.setrec.model;

import com.google.gson.JsonObject;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Ranks every user's catalogue by how often each item occurs in the fitted sequences (the popularity floor). */
public final class MostPop implements Recommender {
    public static final String TYPE = "mostpop";
    private static final String COUNTS = "popularity.txt";

    private final float[] counts;

    private MostPop(float[] counts) {
        this.counts = counts;
    }

    /** Counts item occurrences in {@code sequences} over a catalogue of {@code numItems}. */
    public static MostPop fit(int numItems, Iterable<int[]> sequences) {
        float[] counts = new float[numItems];
        for (int[] seq : sequences) {
            for (int item : seq) {
                counts[item]++;
            }
        }
        return new MostPop(counts);
    }

    /** How often {@code item} occurs in the fitted sequences. */
    float count(int item) {
        return counts[item];
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public int numItems() {
        return counts.length;
    }

    @Override
    public void score(List<int[]> histories, float[] out) {
        for (int b = 0; b < histories.size(); b++) {
            System.arraycopy(counts, 0, out, b * counts.length, counts.length);
        }
    }

    @Override
    public JsonObject describe() {
        return new JsonObject();
    }

    @Override
    public void save(Path dir) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(dir.resolve(COUNTS))) {
            for (float c : counts) {
                w.write(Long.toString((long) c));
                w.newLine();
            }
        }
    }

    public static MostPop load(Path dir, ModelManifest manifest) throws IOException {
        Path file = ModelManifest.requireFile(dir, COUNTS);
        float[] counts = new float[manifest.numItems()];
        try (BufferedReader r = Files.newBufferedReader(file)) {
            for (int i = 0; i < counts.length; i++) {
                String line = r.readLine();
                if (line == null) {
                    throw new IOException(file + ":" + (i + 1) + ": file ends early (expected " + counts.length
                            + " counts)");
                }
                try {
                    counts[i] = Long.parseLong(line.trim());
                } catch (NumberFormatException e) {
                    throw new IOException(file + ":" + (i + 1) + ": '" + line + "' is not a count");
                }
            }
        }
        return new MostPop(counts);
    }
}
