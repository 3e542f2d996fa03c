package dev.setrec.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.setrec.data.Dataset;
import dev.setrec.data.Split;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The --topk-out file against the contract, and an independent re-scoring of it against the JSON report. */
class TopKOutTest {
    private static final Pattern LINE = Pattern.compile("(all|warm|cold)\t\\d+\t\\d+(,\\d+){19}");
    private static final String[] SETTINGS = {"all", "warm", "cold"};

    @TempDir
    Path dir;

    @Test
    void formatAndOrderFollowTheContract() throws IOException {
        Path file = dir.resolve("nested/dir/topk.tsv"); // parent directories are created
        Dataset data = TestData.random(3);
        new Evaluator().evaluate(new FakeRecommender(data.numItems(), 32, TestData::hashScore), data,
                new EvalOptions(Split.TEST, 50, false, file, false));
        List<String> lines = Files.readAllLines(file);
        assertTrue(Files.readString(file).endsWith("\n"));
        int lastSetting = 0;
        int lastUser = -1;
        for (String line : lines) {
            assertTrue(LINE.matcher(line).matches(), line);
            String[] f = line.split("\t");
            int setting = List.of(SETTINGS).indexOf(f[0]);
            int user = Integer.parseInt(f[1]);
            assertTrue(setting > lastSetting || (setting == lastSetting && user > lastUser), "order at " + line);
            assertEquals(20, Set.of(f[2].split(",")).size(), "distinct items in " + line);
            lastSetting = setting;
            lastUser = user;
        }
        assertEquals(2, lastSetting, "the cold setting must be present");
    }

    @Test
    void independentRescoringMatchesJson() throws IOException {
        for (boolean excludeSeen : new boolean[] {false, true}) {
            Dataset data = TestData.random(5);
            Path file = dir.resolve("topk-" + excludeSeen + ".tsv");
            EvalReport report = new Evaluator().evaluate(
                    new FakeRecommender(data.numItems(), 10, TestData::hashScore), data,
                    new EvalOptions(Split.TEST, 4, excludeSeen, file, false));
            JsonObject json = JsonParser.parseString(report.toJson(null)).getAsJsonObject();
            Map<String, double[]> rescored = rescore(file, data);
            for (String setting : SETTINGS) {
                JsonObject m = json.getAsJsonObject(setting);
                double[] r = rescored.get(setting);
                assertEquals((int) r[4], m.get("users").getAsInt(), setting);
                assertTrue(r[4] > 0, setting + " must have users");
                assertEquals(r[0], m.get("recall@5").getAsDouble(), 1e-12, setting);
                assertEquals(r[1], m.get("recall@10").getAsDouble(), 1e-12, setting);
                assertEquals(r[2], m.get("ndcg@5").getAsDouble(), 1e-12, setting);
                assertEquals(r[3], m.get("ndcg@10").getAsDouble(), 1e-12, setting);
            }
        }
    }

    /**
     * Recomputes {recall@5, recall@10, ndcg@5, ndcg@10, users} per setting from the file alone and the data set's
     * test targets, without any of the evaluator's code: GT = the user's distinct test items of the setting's kind.
     * Every user with a test item and a history must have a line exactly when the GT is non-empty.
     */
    private static Map<String, double[]> rescore(Path file, Dataset data) throws IOException {
        Map<String, List<Integer>> lists = new HashMap<>();
        for (String line : Files.readAllLines(file)) {
            String[] f = line.split("\t");
            List<Integer> items = new ArrayList<>();
            for (String s : f[2].split(",")) {
                items.add(Integer.valueOf(s));
            }
            lists.put(f[0] + "/" + f[1], items);
        }
        Map<String, double[]> out = new HashMap<>();
        for (String setting : SETTINGS) {
            double[] sums = new double[5];
            for (int u = 0; u < data.numUsers(); u++) {
                if (data.sequence(u, Split.TEST).length == 0 || data.history(u, Split.TEST, 4).length == 0) {
                    continue;
                }
                Set<Integer> gt = new LinkedHashSet<>();
                for (int item : data.sequence(u, Split.TEST)) {
                    boolean cold = data.isCold(item);
                    if (setting.equals("all") || (setting.equals("cold") == cold)) {
                        gt.add(item);
                    }
                }
                List<Integer> ranked = lists.get(setting + "/" + u);
                assertEquals(gt.isEmpty(), ranked == null, setting + " line for user " + u);
                if (gt.isEmpty()) {
                    continue;
                }
                int[] ks = {5, 10};
                for (int i = 0; i < 2; i++) {
                    int k = ks[i];
                    double hits = 0;
                    double dcg = 0;
                    double idcg = 0;
                    for (int r = 1; r <= k; r++) {
                        if (gt.contains(ranked.get(r - 1))) {
                            hits++;
                            dcg += 1 / log2(r + 1);
                        }
                        if (r <= gt.size()) {
                            idcg += 1 / log2(r + 1);
                        }
                    }
                    sums[i] += hits / gt.size();
                    sums[2 + i] += dcg / idcg;
                }
                sums[4]++;
            }
            for (int i = 0; i < 4; i++) {
                sums[i] /= sums[4];
            }
            out.put(setting, sums);
        }
        return out;
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }
}
