package dev.setrec.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A quality row of a seeded model (SASRec, SETRec) over several seeds: its metrics are the mean over the seeds, each
 * setting's metric has its sample standard deviation beside it ("recall@10_std"), "seeds" lists the seeds and
 * "per_seed" keeps each seed's own metrics, date and details. Seeds may be run apart (a session each): a fresh seed
 * joins the row's earlier seeds when its command is theirs but for the seeds, and replaces its own earlier result.
 */
final class SeedSpread {
    static final String SEEDS = "seeds";
    static final String PER_SEED = "per_seed";
    static final String STD = "_std";
    private static final Pattern SEED_OPTIONS = Pattern.compile("\\s+--seeds?(=|\\s+)\\S+");

    private SeedSpread() {
    }

    /**
     * A fresh one-seed row ({@code seed}) as it goes into the results: joined with {@code earlier}, the row of the
     * same key already there (null: none), where that row's seeds were run with the same command but for the seeds.
     */
    static JsonObject join(JsonObject fresh, long seed, JsonObject earlier) {
        Map<Long, JsonObject> bySeed = new TreeMap<>();
        if (earlier != null && earlier.has(PER_SEED) && sameButSeeds(earlier, fresh)) {
            for (JsonElement e : earlier.getAsJsonArray(PER_SEED)) {
                bySeed.put(e.getAsJsonObject().get("seed").getAsLong(), e.getAsJsonObject());
            }
        }
        JsonObject own = new JsonObject();
        own.addProperty("seed", seed);
        own.addProperty("date", BenchmarkResults.text(fresh, "date"));
        own.addProperty("details", BenchmarkResults.text(fresh, "details"));
        own.add("metrics", fresh.getAsJsonObject("metrics").deepCopy());
        bySeed.put(seed, own);

        JsonObject row = fresh.deepCopy();
        List<JsonObject> runs = new ArrayList<>(bySeed.values());
        row.add("metrics", meanAndSpread(runs));
        JsonArray seeds = new JsonArray();
        bySeed.keySet().forEach(seeds::add);
        row.add(SEEDS, seeds);
        JsonArray perSeed = new JsonArray();
        runs.forEach(perSeed::add);
        row.add(PER_SEED, perSeed);
        if (runs.size() > 1) {
            row.addProperty("details", runs.stream().map(SeedSpread::describe).collect(Collectors.joining("; ")));
        }
        return row;
    }

    private static String describe(JsonObject run) {
        String details = BenchmarkResults.text(run, "details");
        return "seed " + run.get("seed").getAsLong() + " (" + BenchmarkResults.text(run, "date") + ")"
                + (details != null ? ": " + details : "");
    }

    /** The mean of every figure over the runs; with two runs or more, each setting's metrics' sample deviation too. */
    private static JsonObject meanAndSpread(List<JsonObject> runs) {
        JsonObject mean = runs.get(0).getAsJsonObject("metrics").deepCopy();
        for (String setting : BenchmarksMarkdown.SETTINGS) {
            JsonObject out = mean.getAsJsonObject(setting);
            for (String metric : BenchmarksMarkdown.METRICS) {
                double[] values = runs.stream().mapToDouble(r -> r.getAsJsonObject("metrics")
                        .getAsJsonObject(setting).get(metric).getAsDouble()).toArray();
                out.addProperty(metric, mean(values));
                if (values.length > 1) {
                    out.addProperty(metric + STD, sampleStd(values));
                }
            }
        }
        mean.addProperty("train_minutes", mean(runs.stream().mapToDouble(r -> r.getAsJsonObject("metrics")
                .get("train_minutes").getAsDouble()).toArray()));
        return mean;
    }

    /** A figure with its spread where the row has one: "0.0214 ± 0.0012". */
    static String format(JsonObject metrics, String setting, String metric) {
        JsonObject values = metrics.getAsJsonObject(setting);
        String mean = String.format(Locale.ROOT, "%.4f", values.get(metric).getAsDouble());
        return values.has(metric + STD)
                ? mean + String.format(Locale.ROOT, " ± %.4f", values.get(metric + STD).getAsDouble()) : mean;
    }

    private static boolean sameButSeeds(JsonObject a, JsonObject b) {
        return withoutSeeds(BenchmarkResults.text(a, "command")).equals(withoutSeeds(BenchmarkResults.text(b,
                "command")));
    }

    private static String withoutSeeds(String command) {
        return command == null ? "" : SEED_OPTIONS.matcher(command).replaceAll("");
    }

    private static double mean(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return sum / values.length;
    }

    private static double sampleStd(double[] values) {
        double mean = mean(values);
        double squares = 0;
        for (double v : values) {
            squares += (v - mean) * (v - mean);
        }
        return Math.sqrt(squares / (values.length - 1));
    }
}
