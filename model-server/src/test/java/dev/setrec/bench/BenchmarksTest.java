package dev.setrec.bench;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import dev.setrec.model.Training;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchmarksTest {
    static JsonObject row(String model, String variant, double recall10) {
        JsonObject metrics = new JsonObject();
        for (String s : new String[] {"all", "warm", "cold"}) {
            JsonObject m = new JsonObject();
            m.addProperty("recall@5", recall10 / 2);
            m.addProperty("recall@10", recall10);
            m.addProperty("ndcg@5", recall10 / 3);
            m.addProperty("ndcg@10", recall10 / 4);
            m.addProperty("users", 17);
            metrics.add(s, m);
        }
        metrics.addProperty("train_minutes", 1.5);
        JsonObject r = new JsonObject();
        r.addProperty("benchmark", "quality");
        r.addProperty("dataset", "toys");
        r.addProperty("model", model);
        r.addProperty("variant", variant);
        r.addProperty("split", "test");
        r.addProperty("fit", "train");
        r.add("metrics", metrics);
        r.addProperty("command", "./setrec bench quality");
        r.addProperty("machine", "test machine");
        r.addProperty("date", "2026-11-25");
        r.add("goals", Goals.check("toys", model, variant, Training.Fit.TRAIN, metrics));
        return r;
    }

    @Test
    void aNewResultReplacesTheOneWithTheSameKeyAndSurvivesARoundTrip(@TempDir Path dir) throws IOException {
        BenchmarkResults results = new BenchmarkResults();
        results.put(row("sasrec", "full", 0.01));
        results.put(row("mostpop", "full", 0.005));
        results.put(row("sasrec", "full", 0.02));
        assertEquals(2, results.all().size());
        Path file = dir.resolve("benchmarks/results.json");
        results.write(file);
        BenchmarkResults read = BenchmarkResults.read(file);
        assertEquals(results.all(), read.all());
        assertEquals(0.02, read.all().get(1).getAsJsonObject("metrics").getAsJsonObject("all").get("recall@10")
                .getAsDouble());
    }

    @Test
    void everyFigureInTheMarkdownIsInTheJson(@TempDir Path dir) throws IOException {
        BenchmarkResults results = new BenchmarkResults();
        results.put(row("sasrec", "full", 0.0142));
        results.put(row("setrec", "full", 0.0175));
        Path md = dir.resolve("BENCHMARKS.md");
        BenchmarksMarkdown.write(results, md, dir.resolve("absent-notes.md"));
        String markdown = Files.readString(md);
        String json = new Gson().toJson(results.all());
        assertTrue(markdown.contains("| sasrec | full | train |"), markdown);
        assertTrue(markdown.contains("| toys | setrec | all recall@10 | 0.0189 | 0.0175 | no | 0.0014 |"), markdown);
        Matcher numbers = Pattern.compile("\\b\\d+\\.\\d+\\b").matcher(markdown);
        while (numbers.find()) {
            double value = Double.parseDouble(numbers.group());
            boolean found = false;
            Matcher inJson = Pattern.compile("-?\\d+\\.\\d+(E-?\\d+)?").matcher(json);
            while (inJson.find() && !found) {
                found = Math.abs(Double.parseDouble(inJson.group()) - value) < 0.00005 + value * 1e-3;
            }
            assertTrue(found, "figure " + numbers.group() + " of BENCHMARKS.md is not in results.json");
        }
    }
}
