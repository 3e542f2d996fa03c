package dev.setrec.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.setrec.data.Split;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The --json shape (contract keys first, in order) and the console table. */
class EvaluatorReportTest {
    private static EvalReport report() throws IOException {
        FakeRecommender model = new FakeRecommender(60, 2, FakeRecommender.NEAREST_TO_LAST);
        return new Evaluator().evaluate(model, TestData.tiny(), EvalOptions.defaults(Split.TEST));
    }

    @Test
    void jsonHasTheContractKeysInOrder() throws IOException {
        String text = report().toJson(null);
        JsonObject json = JsonParser.parseString(text).getAsJsonObject();
        assertEquals(List.of("all", "warm", "cold", "beta", "split", "exclude_seen", "skipped_no_history"),
                List.copyOf(json.keySet()));
        for (String setting : List.of("all", "warm", "cold")) {
            assertEquals(List.of("recall@5", "recall@10", "ndcg@5", "ndcg@10", "users"),
                    List.copyOf(json.getAsJsonObject(setting).keySet()));
        }
        assertTrue(json.get("beta").isJsonNull());
        assertTrue(text.contains("\"beta\": null"), "beta is written, as null");
        assertTrue(text.contains("\"users\": 3,") || text.contains("\"users\": 3\n"), "users is an integer");
        assertEquals(2, json.getAsJsonObject("warm").get("users").getAsInt());
        assertEquals("test", json.get("split").getAsString());
        assertEquals(false, json.get("exclude_seen").getAsBoolean());
        assertEquals(1, json.get("skipped_no_history").getAsInt());
        assertTrue(text.startsWith("{\n  \"all\": {\n    \"recall@5\": "), "pretty printed");
    }

    @Test
    void jsonCarriesTheScoreMixWithBetaInTheContractsPlace() throws IOException {
        Map<String, Double> mix = new java.util.LinkedHashMap<>();
        mix.put("beta", 0.3);
        mix.put("beta_cold", 0.6);
        mix.put("cold_shift", 1.5);
        JsonObject json = JsonParser.parseString(report().toJson(mix)).getAsJsonObject();
        assertEquals(List.of("all", "warm", "cold", "beta", "beta_cold", "cold_shift", "split", "exclude_seen",
                "skipped_no_history"), List.copyOf(json.keySet()));
        assertEquals(0.3, json.get("beta").getAsDouble());
        assertEquals(1.5, json.get("cold_shift").getAsDouble());
    }

    @Test
    void tableIsFixedWidthWithFourDecimals() throws IOException {
        // ALL recall@10 on the tiny data set is (1/2 + 0 + 1)/3 = 0.5 (see EvaluatorTest).
        String[] lines = report().toTable().split("\n");
        assertEquals(5, lines.length);
        assertEquals(lines[0].length(), lines[1].length());
        assertTrue(lines[1].matches("all +3 +0\\.3333 +0\\.5000 +\\d\\.\\d{4} +\\d\\.\\d{4}"), lines[1]);
        assertEquals("split=test exclude_seen=false skipped_no_history=1", lines[4]);
    }
}
