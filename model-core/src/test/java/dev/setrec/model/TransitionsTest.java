package dev.setrec.model;

import com.google.gson.JsonObject;
import dev.setrec.data.Dataset;
import dev.setrec.data.Split;
import dev.setrec.eval.EvalOptions;
import dev.setrec.eval.EvalReport;
import dev.setrec.eval.Evaluator;
import dev.setrec.eval.Setting;
import dev.setrec.models.ModelDirs;
import dev.setrec.models.Training;
import dev.setrec.testing.PlantedSequences;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TransitionsTest {
    private static final int ITEMS = 8;
    /**
     * After 0 come 1 (twice), 2 and 3 (once each); popularity: 0:4, 1:2, 3:2, 4:2, 7:2, 2:1, 6:1, 5:0. Nothing ever
     * follows 1, 2 or 5.
     */
    private static final List<int[]> SEQUENCES = List.of(new int[] {0, 1}, new int[] {0, 1}, new int[] {0, 2},
            new int[] {0, 3, 4}, new int[] {3, 4}, new int[] {6, 7, 7});

    private static final Transitions MODEL = Transitions.fit(ITEMS, SEQUENCES);

    @Test
    void ranksTheLastItemsSuccessorsByCountThenPopularityAndTheRestBelowByPopularity() {
        // 1 (count 2), then 3 and 2 (count 1; 3 is the more popular), then the others by popularity: 0 (4) sits
        // below 2 (popularity 1) because it never followed 0; 4 and 7 tie on popularity 2 and keep id order.
        assertArrayEquals(new int[] {1, 3, 2, 0, 4, 7, 6, 5}, ranking(MODEL, new int[] {0}));
        assertArrayEquals(ranking(MODEL, new int[] {0}), ranking(MODEL, new int[] {6, 7, 4, 0}),
                "only the last item of the history counts");
        // Only 7 itself ever followed 7; only 4 ever followed 3.
        assertArrayEquals(new int[] {7, 0, 1, 3, 4, 2, 6, 5}, ranking(MODEL, new int[] {7}));
        assertArrayEquals(new int[] {4, 0, 1, 3, 7, 2, 6, 5}, ranking(MODEL, new int[] {0, 3}));
    }

    @Test
    void everySuccessorScoresStrictlyAboveEveryOtherItem() {
        float[] row = scores(MODEL, new int[] {0});
        float lowestSuccessor = Math.min(row[1], Math.min(row[2], row[3]));
        for (int item : new int[] {0, 4, 5, 6, 7}) {
            assertTrue(row[item] < lowestSuccessor, "item " + item + " scores " + row[item] + " against "
                    + lowestSuccessor);
        }
    }

    @Test
    void aLastItemWithoutSuccessorsIsRankedByPopularityAlone() {
        float[] popularity = scores(MostPop.fit(ITEMS, SEQUENCES), new int[] {0});
        for (int last : new int[] {1, 2, 5}) {
            assertArrayEquals(popularity, scores(MODEL, new int[] {0, 3, last}), "last item " + last);
        }
    }

    @Test
    void scoresInABatchEqualScoresAlone() {
        List<int[]> histories = List.of(new int[] {0}, new int[] {1}, new int[] {6, 7}, new int[] {3});
        float[] batch = new float[histories.size() * ITEMS];
        MODEL.score(histories, batch);
        for (int b = 0; b < histories.size(); b++) {
            assertArrayEquals(scores(MODEL, histories.get(b)), Arrays.copyOfRange(batch, b * ITEMS, (b + 1) * ITEMS));
        }
    }

    @Test
    void aMillionItemCatalogueKeepsOnlyThePairsSeen() {
        int items = 1_000_000;
        Transitions model = Transitions.fit(items, List.of(new int[] {999_999, 5, 999_999, 7}, new int[] {
            999_999, 7}));
        assertEquals(3, model.describe().get("pairs").getAsInt());
        float[] row = new float[items];
        model.score(List.<int[]>of(new int[] {999_999}), row);
        assertTrue(row[7] > row[5] && row[5] > row[999_999] && row[999_999] > row[0], "7, 5, 999999, rest");
    }

    @Test
    void saveAndLoadGiveIdenticalScoresAndVersion(@TempDir Path dir) throws IOException {
        ModelIO.save(MODEL, dir.resolve("a"), new JsonObject());
        ModelIO.save(MODEL, dir.resolve("b"), new JsonObject());
        assertEquals(ModelIO.readManifest(dir.resolve("a")).version(),
                ModelIO.readManifest(dir.resolve("b")).version());
        try (Recommender loaded = ModelDirs.load(dir.resolve("a"))) {
            assertEquals(Transitions.TYPE, loaded.type());
            assertEquals(ITEMS, loaded.numItems());
            for (int last = 0; last < ITEMS; last++) {
                assertArrayEquals(scores(MODEL, new int[] {last}), scores(loaded, new int[] {last}), "last " + last);
            }
        }
    }

    @Test
    void aModifiedFileIsRefusedByTheVersionHash(@TempDir Path dir) throws IOException {
        ModelIO.save(MODEL, dir, new JsonObject());
        Files.writeString(dir.resolve("transitions.tsv"), "from\tto\tcount\n");
        IOException e = assertThrows(IOException.class, () -> ModelDirs.load(dir));
        assertTrue(e.getMessage().contains("corrupt or was modified"), e.getMessage());
    }

    @Test
    void corruptTransitionFilesAreRefusedWithFileLineAndReason(@TempDir Path dir) throws IOException {
        ModelIO.save(MODEL, dir, new JsonObject());
        ModelManifest manifest = ModelIO.readManifest(dir);
        Path file = dir.resolve("transitions.tsv");
        List<String> lines = Files.readAllLines(file);
        assertEquals(List.of("from\tto\tcount", "0\t1\t2", "0\t2\t1", "0\t3\t1", "3\t4\t2", "6\t7\t1", "7\t7\t1"),
                lines);

        assertLoadFails(dir, manifest, file, l -> l.subList(0, l.size() - 1), "transitions.tsv:7: file ends early");
        assertLoadFails(dir, manifest, file, l -> with(l, l.size(), "7\t6\t1"), "transitions.tsv:8: more transitions");
        assertLoadFails(dir, manifest, file, l -> with(l, 3, "0\t3"), "transitions.tsv:4: expected 3 tab-separated");
        assertLoadFails(dir, manifest, file, l -> with(l, 2, "0\tx\t1"), "transitions.tsv:3: to 'x' is not an");
        assertLoadFails(dir, manifest, file, l -> with(l, 2, "0\t8\t1"), "transitions.tsv:3: to 8 is outside 0..7");
        assertLoadFails(dir, manifest, file, l -> with(l, 2, "0\t2\t0"), "transitions.tsv:3: count 0 is outside");
        assertLoadFails(dir, manifest, file, l -> with(l, 2, "0\t1\t5"), "transitions.tsv:3: transitions out of order");
        assertLoadFails(dir, manifest, file, l -> with(l, 0, "a\tb\tc"), "transitions.tsv:1: expected the header");
        assertLoadFails(dir, manifest, file, l -> List.of(), "transitions.tsv:1: expected the header");

        Files.write(file, lines);
        JsonObject noPairs = new JsonObject();
        IOException e = assertThrows(IOException.class, () -> Transitions.load(dir, withConfig(manifest, noPairs)));
        assertTrue(e.getMessage().contains("model.json: config has no 'pairs'"), e.getMessage());
        JsonObject tooMany = new JsonObject();
        tooMany.addProperty("pairs", 1_000_000_000);
        e = assertThrows(IOException.class, () -> Transitions.load(dir, withConfig(manifest, tooMany)));
        assertTrue(e.getMessage().contains("'pairs' 1000000000 is not between 0 and the 14 item occurrences"),
                e.getMessage());
        Files.delete(file);
        e = assertThrows(IOException.class, () -> Transitions.load(dir, manifest));
        assertTrue(e.getMessage().contains("is missing transitions.tsv"), e.getMessage());
    }

    @Test
    void theEvaluatorFindsEveryPlantedNextItemFirst() throws IOException {
        // Every walk follows the chain, so each test item is the one successor of the user's valid item.
        Dataset chain = PlantedSequences.generate(300, 60, 10, 1.0, 5);
        Training.Trained trained = Training.fit(Transitions.TYPE, chain, Training.Fit.TRAIN, Training.Options
                .defaults(), new PrintStream(OutputStream.nullOutputStream()));
        EvalReport report = new Evaluator().evaluate(trained.model(), chain, EvalOptions.defaults(Split.TEST));
        assertEquals(300, report.metrics(Setting.ALL).users());
        assertEquals(1.0, report.metrics(Setting.ALL).recallAt10());
        assertEquals(1.0, report.metrics(Setting.ALL).ndcgAt10());
        assertEquals(1.0, report.metrics(Setting.WARM).ndcgAt10());
        assertEquals(0, report.metrics(Setting.COLD).users());
    }

    @Test
    void coldItemsHaveNoCountsSoALastColdItemFallsBackToPopularityInEverySetting() throws IOException {
        // Items 0..24 are warm, 25..29 occur only in valid and test: every test history ends on a cold item.
        int users = 60;
        int[][] train = new int[users][];
        int[][] valid = new int[users][];
        int[][] test = new int[users][];
        for (int u = 0; u < users; u++) {
            train[u] = new int[] {u % 25, (u + 1) % 25, (u * 7 + 2) % 25};
            valid[u] = new int[] {25 + u % 5};
            test[u] = new int[] {25 + (u + 1) % 5, (u + 3) % 25};
        }
        Dataset data = Dataset.of("cold", 30, train, valid, test);
        List<int[]> sequences = Training.sequences(data, Training.Fit.TRAIN);
        EvalReport transitions = new Evaluator().evaluate(Transitions.fit(30, sequences), data,
                EvalOptions.defaults(Split.TEST));
        EvalReport popularity = new Evaluator().evaluate(MostPop.fit(30, sequences), data,
                EvalOptions.defaults(Split.TEST));
        for (Setting s : Setting.values()) {
            assertTrue(transitions.metrics(s).users() > 0, s.name());
            assertEquals(popularity.metrics(s).recallAt10(), transitions.metrics(s).recallAt10(), s.name());
            assertEquals(popularity.metrics(s).ndcgAt10(), transitions.metrics(s).ndcgAt10(), s.name());
        }
    }

    private static void assertLoadFails(Path dir, ModelManifest manifest, Path file, UnaryOperator<List<String>> edit,
                                        String expected) throws IOException {
        List<String> original = Files.readAllLines(file);
        Files.write(file, edit.apply(original));
        try {
            IOException e = assertThrows(IOException.class, () -> Transitions.load(dir, manifest), expected);
            assertTrue(e.getMessage().contains(expected), e.getMessage());
        } finally {
            Files.write(file, original);
        }
    }

    private static List<String> with(List<String> lines, int at, String line) {
        List<String> out = new ArrayList<>(lines);
        if (at < out.size()) {
            out.set(at, line);
        } else {
            out.add(line);
        }
        return out;
    }

    private static ModelManifest withConfig(ModelManifest m, JsonObject config) {
        return new ModelManifest(m.format(), m.type(), m.numItems(), m.version(), config, m.training());
    }

    private static float[] scores(Recommender model, int[] history) {
        float[] row = new float[model.numItems()];
        model.score(List.of(history), row);
        return row;
    }

    /** Items best first; equal scores by lower id, as the evaluator ranks. */
    private static int[] ranking(Recommender model, int[] history) {
        float[] row = scores(model, history);
        return IntStream.range(0, row.length).boxed()
                .sorted(Comparator.<Integer>comparingDouble(i -> -row[i]).thenComparingInt(i -> i))
                .mapToInt(Integer::intValue).toArray();
    }
}
