package dev.setrec.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.setrec.data.Dataset;
import dev.setrec.data.Split;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The evaluator on {@link TestData#tiny()} with {@link FakeRecommender#NEAREST_TO_LAST} (score = -|item - last|,
 * ties to the lower id), so every ranking can be written down by hand.
 */
class EvaluatorTest {
    private static final double EPS = 1e-12;
    private static final Dataset DATA = TestData.tiny();

    @TempDir
    Path dir;

    private static double d(int rank) {
        return 1 / (Math.log(rank + 1) / Math.log(2));
    }

    /** The topk file as "setting/user" -> list, in file order. */
    private static Map<String, int[]> readLists(Path file) throws IOException {
        Map<String, int[]> lists = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file)) {
            String[] f = line.split("\t");
            lists.put(f[0] + "/" + f[1], Arrays.stream(f[2].split(",")).mapToInt(Integer::parseInt).toArray());
        }
        return lists;
    }

    private EvalOptions testOptions(boolean excludeSeen, int historyLength) {
        return new EvalOptions(Split.TEST, historyLength, excludeSeen, dir.resolve("topk.tsv"), false);
    }

    @Test
    void handComputedRankingsAndMetricsOnTest() throws IOException {
        FakeRecommender model = new FakeRecommender(60, 256, FakeRecommender.NEAREST_TO_LAST);
        EvalOptions options = testOptions(false, 50);
        EvalReport report = new Evaluator().evaluate(model, DATA, options);
        Map<String, int[]> lists = readLists(options.topkOut());
        // u0: history [1,2,3,4], last 4. ALL by distance: 4 | 3,5 | 2,6 | 1,7 | 0,8 | 9,10,... -> 5 at rank 3,
        // 12 at rank 13. WARM: 3,2,1,7,8,9,11,12,... -> 12 at rank 8. COLD: 4,5,6,0,10,17.. -> 5 at rank 2.
        assertArrayEquals(new int[] {4, 3, 5, 2, 6, 1, 7, 0, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19},
                lists.get("all/0"));
        assertArrayEquals(new int[] {3, 2, 1, 7, 8, 9, 11, 12, 13, 14, 15, 16, 30, 31, 32, 33, 34, 35, 36, 37},
                lists.get("warm/0"));
        assertArrayEquals(new int[] {4, 5, 6, 0, 10, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 50, 51},
                lists.get("cold/0"));
        // Users per setting: u1 skipped (no history), u2/u5 have no test item, u3 has no warm target.
        assertEquals(List.of("all/0", "all/3", "all/4", "warm/0", "warm/4", "cold/0", "cold/3", "cold/4"),
                List.copyOf(lists.keySet()));

        assertEquals(1, report.skippedNoHistory());
        // ALL: u0 GT {5,12}: hit rank 3 -> recall 1/2 @5 and @10, ndcg d3/(d1+d2) @5 and @10.
        //      u3 GT {25}: ranking 10,9,11,8,12,...,0 has no 25 -> 0.
        //      u4 history ..17, GT {18,13}: 17,16,18,15,19,14,20,13 -> ranks 3 and 8:
        //      recall@5 1/2, recall@10 1, ndcg@5 d3/(d1+d2), ndcg@10 (d3+d8)/(d1+d2).
        Metrics all = report.metrics(Setting.ALL);
        double idcg2 = d(1) + d(2);
        assertEquals(3, all.users());
        assertEquals((0.5 + 0 + 0.5) / 3, all.recallAt5(), EPS);
        assertEquals((0.5 + 0 + 1) / 3, all.recallAt10(), EPS);
        assertEquals((d(3) / idcg2 + 0 + d(3) / idcg2) / 3, all.ndcgAt5(), EPS);
        assertEquals((d(3) / idcg2 + 0 + (d(3) + d(8)) / idcg2) / 3, all.ndcgAt10(), EPS);
        // Target ranks count the items scoring strictly higher (a tie is not above): u0's 5 (-1) has only 4 above,
        // its 12 (-8) has 0..11; u4's 18 (-1) has 17 above, its 13 (-4) has 14..20.
        double[] ranks = all.userTargetRanks();
        assertEquals((1 + 12) / 2.0, ranks[0], EPS);
        assertEquals((1 + 7) / 2.0, ranks[2], EPS);
        // WARM: u0 GT {12} at rank 8; u4 GT {13}: warm by distance from 17 = 16,15,14,13 -> rank 4.
        Metrics warm = report.metrics(Setting.WARM);
        assertEquals(2, warm.users());
        assertEquals((0 + 1) / 2.0, warm.recallAt5(), EPS);
        assertEquals(1.0, warm.recallAt10(), EPS);
        assertEquals((0 + d(4)) / 2, warm.ndcgAt5(), EPS);
        assertEquals((d(8) + d(4)) / 2, warm.ndcgAt10(), EPS);
        // COLD: u0 GT {5} rank 2; u3 GT {25}: 10,6,5,4,17,18,19,0,20,21,.. -> rank 14 (miss); u4 GT {18} rank 2.
        Metrics cold = report.metrics(Setting.COLD);
        assertEquals(3, cold.users());
        assertEquals(2.0 / 3, cold.recallAt5(), EPS);
        assertEquals(2.0 / 3, cold.recallAt10(), EPS);
        assertEquals(2 * d(2) / 3, cold.ndcgAt5(), EPS);
        assertEquals(2 * d(2) / 3, cold.ndcgAt10(), EPS);
    }

    @Test
    void warmAndColdListsAreMasked() throws IOException {
        Dataset data = TestData.random(7);
        Path file = dir.resolve("random.tsv");
        new Evaluator().evaluate(new FakeRecommender(data.numItems(), 16, TestData::hashScore), data,
                new EvalOptions(Split.TEST, 50, false, file, false));
        int warm = 0;
        int cold = 0;
        for (String line : Files.readAllLines(file)) {
            String[] f = line.split("\t");
            for (String item : f[2].split(",")) {
                boolean isCold = data.isCold(Integer.parseInt(item));
                if (f[0].equals("warm")) {
                    assertFalse(isCold, line);
                    warm++;
                } else if (f[0].equals("cold")) {
                    assertTrue(isCold, line);
                    cold++;
                }
            }
        }
        assertTrue(warm > 0 && cold > 0, "both settings must have been exercised");
    }

    @Test
    void excludeSeenRemovesExactlyTheHistoryFedToTheModel() throws IOException {
        FakeRecommender model = new FakeRecommender(60, 256, FakeRecommender.NEAREST_TO_LAST);
        EvalOptions options = testOptions(true, 3);
        new Evaluator().evaluate(model, DATA, options);
        Map<String, int[]> lists = readLists(options.topkOut());
        // u0: history (last 3) [2,3,4], last 4; without 2,3,4 by distance: 5 | 6 | 1,7 | 0,8 | 9 | 10 ...
        assertArrayEquals(new int[] {5, 6, 1, 7, 0, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22},
                lists.get("all/0"));
        // u4: history (last 3) [15,16,17]; 13 and 14 were cut off by truncation, so they stay rankable:
        // 18 (1), 19 (2), 14 (3), 20 (3), 13 (4), 21 (4), ...
        int[] u4 = lists.get("all/4");
        assertArrayEquals(new int[] {18, 19, 14, 20, 13, 21}, Arrays.copyOf(u4, 6));
        for (Map.Entry<String, int[]> e : lists.entrySet()) {
            int user = Integer.parseInt(e.getKey().split("/")[1]);
            for (int seen : DATA.history(user, Split.TEST, 3)) {
                assertFalse(Arrays.stream(e.getValue()).anyMatch(i -> i == seen), e.getKey() + " has " + seen);
            }
        }
    }

    @Test
    void validUsesTrainOnlyHistory() throws IOException {
        FakeRecommender model = new FakeRecommender(60, 256, FakeRecommender.NEAREST_TO_LAST);
        EvalReport report = new Evaluator().evaluate(model, DATA, EvalOptions.defaults(Split.VALID));
        // Valid targets: u0 [4], u3 [10], u4 [17]; u1's empty valid list means "not evaluated", not "skipped".
        assertHistories(model, new int[][] {{1, 2, 3}, {9}, {11, 12, 13, 14, 15, 16}});
        assertEquals(0, report.skippedNoHistory());
        assertEquals(3, report.metrics(Setting.ALL).users());
        assertEquals(Split.VALID, report.split());
    }

    @Test
    void testUsesTrainPlusValidTruncatedToHistoryLength() throws IOException {
        FakeRecommender model = new FakeRecommender(60, 256, FakeRecommender.NEAREST_TO_LAST);
        new Evaluator().evaluate(model, DATA, new EvalOptions(Split.TEST, 3, false, null, false));
        assertHistories(model, new int[][] {{2, 3, 4}, {9, 10}, {15, 16, 17}});
    }

    @Test
    void batchSizeDoesNotChangeResults() throws IOException {
        Dataset data = TestData.random(11);
        String expectedJson = null;
        List<String> expectedLines = null;
        for (int batch : new int[] {1, 7, 256}) {
            FakeRecommender model = new FakeRecommender(data.numItems(), batch, TestData::hashScore);
            Path file = dir.resolve("b" + batch + ".tsv");
            EvalReport report = new Evaluator().evaluate(model, data,
                    new EvalOptions(Split.TEST, 50, false, file, false));
            int users = model.histories.size();
            assertEquals((users + batch - 1) / batch, model.callSizes.size(), "one score() call per batch");
            assertTrue(model.callSizes.stream().allMatch(n -> n <= batch));
            if (expectedJson == null) {
                expectedJson = report.toJson(null);
                expectedLines = Files.readAllLines(file);
            } else {
                assertEquals(expectedJson, report.toJson(null));
                assertEquals(expectedLines, Files.readAllLines(file));
            }
        }
    }

    @Test
    void rejectsMismatchedCatalogueAndTrainSplit() {
        FakeRecommender model = new FakeRecommender(59, 256, FakeRecommender.NEAREST_TO_LAST);
        assertThrows(IllegalArgumentException.class,
                () -> new Evaluator().evaluate(model, DATA, EvalOptions.defaults(Split.TEST)));
        assertThrows(IllegalArgumentException.class, () -> EvalOptions.defaults(Split.TRAIN));
    }

    private static void assertHistories(FakeRecommender model, int[][] expected) {
        assertEquals(expected.length, model.histories.size());
        for (int i = 0; i < expected.length; i++) {
            assertArrayEquals(expected[i], model.histories.get(i), "history " + i);
        }
    }
}
