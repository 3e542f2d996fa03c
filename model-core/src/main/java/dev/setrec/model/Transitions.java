package dev.setrec.model;

import com.google.gson.JsonObject;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The first-order transitions floor: ranks the items that directly followed the history's last item in the fitted
 * sequences by how often they did (ties by popularity), and every other item below them by popularity
 * ({@link MostPop}). The counts are kept sparse, a row of (next item, count) per item, so memory grows with the
 * number of distinct pairs seen, never with the square of the catalogue.
 *
 * <p>Scores are two-tier and exact in float: an item without a transition from the last item scores its
 * popularity; the successors score {@code maxPopularity + 1 + r}, where r is the dense rank of (count, popularity)
 * among the successors of that item (0 for the lowest), so every successor ranks strictly above every other item.
 */
public final class Transitions implements Recommender {
    public static final String TYPE = "transitions";
    private static final String FILE = "transitions.tsv";
    private static final String HEADER = "from\tto\tcount";
    /** model.json config key of the number of distinct pairs; load checks the file against it. */
    private static final String PAIRS = "pairs";
    /** Floats hold every integer up to 2^24 exactly; tier scores above it could tie or swap. */
    private static final long EXACT_IN_FLOAT = 1L << 24;

    private final MostPop popularity;
    /** The successors of item i are next[k] (seen count[k] times) for k in [rowStart[i], rowStart[i + 1]). */
    private final int[] rowStart;
    private final int[] next;
    private final int[] count;
    /** The tier score of each pair (see the class comment), fixed at fit or load so scoring only copies. */
    private final float[] score;

    private Transitions(MostPop popularity, int[] rowStart, int[] next, int[] count) {
        this.popularity = popularity;
        this.rowStart = rowStart;
        this.next = next;
        this.count = count;
        this.score = tierScores();
    }

    /** Counts, over {@code sequences} (items 0..numItems-1), how often each item directly follows another. */
    public static Transitions fit(int numItems, Iterable<int[]> sequences) {
        int[] rowStart = new int[numItems + 1];
        for (int[] seq : sequences) {
            for (int t = 1; t < seq.length; t++) {
                rowStart[seq[t - 1] + 1]++;
            }
        }
        for (int i = 0; i < numItems; i++) {
            rowStart[i + 1] += rowStart[i];
        }
        // Every occurrence of a pair first, grouped by source item; each row is then sorted and merged into counts.
        int[] next = new int[rowStart[numItems]];
        int[] fill = Arrays.copyOf(rowStart, numItems);
        for (int[] seq : sequences) {
            for (int t = 1; t < seq.length; t++) {
                next[fill[seq[t - 1]]++] = seq[t];
            }
        }
        int[] count = new int[next.length];
        int pairs = 0;
        for (int i = 0; i < numItems; i++) {
            int from = rowStart[i];
            int to = rowStart[i + 1];
            rowStart[i] = pairs;
            Arrays.sort(next, from, to);
            for (int k = from; k < to; k++) {
                if (pairs > rowStart[i] && next[pairs - 1] == next[k]) {
                    count[pairs - 1]++;
                } else {
                    next[pairs] = next[k];
                    count[pairs++] = 1;
                }
            }
        }
        rowStart[numItems] = pairs;
        return new Transitions(MostPop.fit(numItems, sequences), rowStart, Arrays.copyOf(next, pairs),
                Arrays.copyOf(count, pairs));
    }

    private float[] tierScores() {
        long maxPopularity = 0;
        for (int i = 0; i < numItems(); i++) {
            maxPopularity = Math.max(maxPopularity, (long) popularity.count(i));
        }
        int maxDegree = 0;
        for (int i = 0; i < numItems(); i++) {
            maxDegree = Math.max(maxDegree, rowStart[i + 1] - rowStart[i]);
        }
        float[] scores = new float[next.length];
        long[] keys = new long[maxDegree];
        for (int i = 0; i < numItems(); i++) {
            int from = rowStart[i];
            int degree = rowStart[i + 1] - from;
            for (int k = 0; k < degree; k++) {
                keys[k] = rankKey(from + k);
            }
            Arrays.sort(keys, 0, degree);
            int distinct = 0;
            for (int k = 0; k < degree; k++) {
                if (distinct == 0 || keys[distinct - 1] != keys[k]) {
                    keys[distinct++] = keys[k];
                }
            }
            if (maxPopularity + distinct > EXACT_IN_FLOAT) {
                throw new IllegalArgumentException("item " + i + " has " + distinct + " ranks of successors above a "
                        + "popularity of " + maxPopularity + ": more than a float ranks exactly (" + EXACT_IN_FLOAT
                        + ")");
            }
            for (int k = 0; k < degree; k++) {
                scores[from + k] = maxPopularity + 1 + Arrays.binarySearch(keys, 0, distinct, rankKey(from + k));
            }
        }
        return scores;
    }

    /** Orders a pair by its count, then by its next item's popularity (both below 2^31). */
    private long rankKey(int pair) {
        return ((long) count[pair] << 32) | (long) popularity.count(next[pair]);
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public int numItems() {
        return rowStart.length - 1;
    }

    @Override
    public void score(List<int[]> histories, float[] out) {
        popularity.score(histories, out);
        int n = numItems();
        for (int b = 0; b < histories.size(); b++) {
            int[] history = histories.get(b);
            int last = history[history.length - 1];
            for (int k = rowStart[last]; k < rowStart[last + 1]; k++) {
                out[b * n + next[k]] = score[k];
            }
        }
    }

    @Override
    public JsonObject describe() {
        JsonObject config = new JsonObject();
        config.addProperty(PAIRS, next.length);
        return config;
    }

    @Override
    public void save(Path dir) throws IOException {
        popularity.save(dir);
        try (BufferedWriter w = Files.newBufferedWriter(dir.resolve(FILE))) {
            w.write(HEADER);
            w.newLine();
            for (int i = 0; i < numItems(); i++) {
                for (int k = rowStart[i]; k < rowStart[i + 1]; k++) {
                    w.write(i + "\t" + next[k] + "\t" + count[k]);
                    w.newLine();
                }
            }
        }
    }

    /** Reads what {@link #save} wrote; a missing, short, long, unordered or malformed file is an IOException. */
    public static Transitions load(Path dir, ModelManifest manifest) throws IOException {
        MostPop popularity = MostPop.load(dir, manifest);
        Path file = ModelManifest.requireFile(dir, FILE);
        int numItems = manifest.numItems();
        long occurrences = 0;
        for (int i = 0; i < numItems; i++) {
            occurrences += (long) popularity.count(i);
        }
        int pairs = expectedPairs(dir, manifest, occurrences);
        int[] rowStart = new int[numItems + 1];
        int[] next = new int[pairs];
        int[] count = new int[pairs];
        try (BufferedReader r = Files.newBufferedReader(file)) {
            String header = r.readLine();
            if (!HEADER.equals(header)) {
                throw new IOException(file + ":1: expected the header 'from<TAB>to<TAB>count' but found "
                        + (header == null ? "an empty file" : "'" + header + "'"));
            }
            int previousFrom = -1;
            int previousTo = -1;
            for (int pair = 0; pair < pairs; pair++) {
                String at = file + ":" + (pair + 2) + ": ";
                String line = r.readLine();
                if (line == null) {
                    throw new IOException(at + "file ends early (model.json counts " + pairs + " transitions)");
                }
                String[] fields = line.split("\t", -1);
                if (fields.length != 3) {
                    throw new IOException(at + "expected 3 tab-separated fields (from, to, count) but found "
                            + fields.length);
                }
                int from = intField(fields[0], "from", 0, numItems - 1, at);
                int to = intField(fields[1], "to", 0, numItems - 1, at);
                if (from < previousFrom || from == previousFrom && to <= previousTo) {
                    throw new IOException(at + "transitions out of order (each pair once, sorted by from, then to)");
                }
                rowStart[from + 1]++;
                next[pair] = to;
                count[pair] = intField(fields[2], "count", 1, Integer.MAX_VALUE, at);
                previousFrom = from;
                previousTo = to;
            }
            if (r.readLine() != null) {
                throw new IOException(file + ":" + (pairs + 2) + ": more transitions than the " + pairs
                        + " that model.json counts");
            }
        }
        for (int i = 0; i < numItems; i++) {
            rowStart[i + 1] += rowStart[i];
        }
        return new Transitions(popularity, rowStart, next, count);
    }

    /** The number of pairs model.json states, at most one per occurrence of an item (so a bad one cannot OOM). */
    private static int expectedPairs(Path dir, ModelManifest manifest, long occurrences) throws IOException {
        String at = dir.resolve(ModelManifest.FILE) + ": ";
        if (manifest.config() == null || !manifest.config().has(PAIRS)) {
            throw new IOException(at + "config has no '" + PAIRS + "' (the number of transitions)");
        }
        long pairs;
        try {
            pairs = manifest.config().get(PAIRS).getAsLong();
        } catch (NumberFormatException | ClassCastException | IllegalStateException e) {
            throw new IOException(at + "config '" + PAIRS + "' is not a number");
        }
        if (pairs < 0 || pairs > occurrences) {
            throw new IOException(at + "config '" + PAIRS + "' " + pairs + " is not between 0 and the "
                    + occurrences + " item occurrences of popularity.txt");
        }
        return (int) pairs;
    }

    private static int intField(String text, String name, int min, int max, String at) throws IOException {
        int value;
        try {
            value = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IOException(at + name + " '" + text + "' is not an integer");
        }
        if (value < min || value > max) {
            throw new IOException(at + name + " " + value + " is outside " + min + ".." + max);
        }
        return value;
    }
}
