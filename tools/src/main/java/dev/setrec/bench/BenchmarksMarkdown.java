package dev.setrec.bench;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The appendix of BENCHMARKS.md: every row of results.json in full, one table per benchmark and data set, with how
 * each row was made. The machine is left out: {@link BenchmarksReport} states it once.
 */
final class BenchmarksMarkdown {
    static final String[] SETTINGS = {"all", "warm", "cold"};
    static final String[] METRICS = {"recall@5", "recall@10", "ndcg@5", "ndcg@10"};
    private static final int LINE = 120;

    private BenchmarksMarkdown() {
    }

    static void append(StringBuilder md, BenchmarkResults results) {
        md.append("\n## Appendix: every row\n");
        List<JsonObject> quality = results.all().stream()
                .filter(r -> "quality".equals(BenchmarkResults.text(r, "benchmark")))
                .sorted(Comparator.comparing((JsonObject r) -> BenchmarkResults.text(r, "dataset"))
                        .thenComparing(r -> Objects.requireNonNullElse(BenchmarkResults.text(r, "fit"), ""))
                        .thenComparing(r -> BenchmarkResults.text(r, "model"))
                        .thenComparing(r -> BenchmarkResults.text(r, "variant")))
                .collect(Collectors.toList());
        for (String dataset : quality.stream().map(r -> BenchmarkResults.text(r, "dataset")).distinct().toList()) {
            md.append("\n### Quality: ").append(dataset).append(" (test split)\n\n");
            md.append("| model | variant | fit on |");
            for (String s : SETTINGS) {
                for (String m : METRICS) {
                    md.append(' ').append(capitalize(s)).append(' ').append(abbreviate(m)).append(" |");
                }
            }
            md.append(" train min | params |\n|---|---|---|");
            md.append("---:|".repeat(SETTINGS.length * METRICS.length + 2)).append('\n');
            for (JsonObject r : quality) {
                if (!dataset.equals(BenchmarkResults.text(r, "dataset"))) {
                    continue;
                }
                JsonObject metrics = r.getAsJsonObject("metrics");
                md.append("| ").append(BenchmarkResults.text(r, "model")).append(" | ")
                        .append(BenchmarkResults.text(r, "variant")).append(" | ")
                        .append(orDash(BenchmarkResults.text(r, "fit"))).append(" |");
                for (String s : SETTINGS) {
                    for (String m : METRICS) {
                        md.append(' ').append(SeedSpread.format(metrics, s, m)).append(" |");
                    }
                }
                md.append(String.format(Locale.ROOT, " %.1f | %s |\n", metrics.get("train_minutes").getAsDouble(),
                        metrics.has("params") ? metrics.get("params").getAsString() : "-"));
            }
            md.append("\nHow each row was made:\n\n");
            for (JsonObject r : quality) {
                if (dataset.equals(BenchmarkResults.text(r, "dataset"))) {
                    md.append("- ").append(BenchmarkResults.text(r, "model")).append(" / ")
                            .append(BenchmarkResults.text(r, "variant")).append(": `")
                            .append(BenchmarkResults.text(r, "command")).append("`, ")
                            .append(BenchmarkResults.text(r, "date"))
                            .append(r.has(SeedSpread.SEEDS) ? "; seeds " + seeds(r) : "")
                            .append(r.has("details") ? "; " + BenchmarkResults.text(r, "details") : "").append('\n');
                }
            }
        }
        appendStreaming(md, results.rows("streaming"));
        appendServer(md, results.rows("server"));
        appendOnline(md, results.rows("online"));
        appendReliability(md, results.rows("reliability"));
        appendQuickstart(md, results.rows("quickstart"));
    }

    private static String seeds(JsonObject row) {
        return row.getAsJsonArray(SeedSpread.SEEDS).asList().stream().map(JsonElement::getAsString)
                .collect(Collectors.joining(", "));
    }

    /** One table per data set, a row per delivery mode. */
    private static void appendStreaming(StringBuilder md, List<JsonObject> streaming) {
        for (String dataset : streaming.stream().map(r -> BenchmarkResults.text(r, "dataset")).distinct().toList()) {
            md.append("\n### Streaming: ").append(dataset).append("\n\n")
                    .append(paragraph("The job on an in-process Kafka broker and a local Flink cluster, fed with "
                            + "the data set's "
                            + "held-back interactions. Events/s: recommendations per second with events published flat "
                            + "out, between the first and the last tenth of them to arrive (in brackets: those the "
                            + "model scored, the others are fallbacks). Latency: arrival at a reader minus the Kafka "
                            + "timestamp of the triggering event, at the offered load. Onboarding: from a new item's "
                            + "event to the first recommendation triggered by an interaction on it. Fallback share: "
                            + "popularity rankings in place of the model's (scoring timed out, failed or was full) "
                            + "among the recommendations.")).append('\n')
                    .append("| mode | events/s (by the model) | p50 ms | p99 ms | item onboarding ms (median / max) "
                            + "| offered events/s ")
                    .append("| fallback share (flat out / at load) | command | date |\n")
                    .append("|---|---:|---:|---:|---:|---:|---:|---|---|\n");
            for (JsonObject r : streaming) {
                if (!dataset.equals(BenchmarkResults.text(r, "dataset"))) {
                    continue;
                }
                JsonObject m = r.getAsJsonObject("metrics");
                md.append(String.format(Locale.ROOT, "| %s | %.1f (%.1f) | %d | %d | %d / %d | %.1f | %.4f / %.4f | "
                        + "`%s` | %s |\n",
                        BenchmarkResults.text(r, "variant"), m.get("events_per_s").getAsDouble(),
                        m.get("model_events_per_s").getAsDouble(),
                        m.get("p50_ms").getAsLong(), m.get("p99_ms").getAsLong(), m.get("item_onboard_ms").getAsLong(),
                        m.get("item_onboard_max_ms").getAsLong(), m.get("offered_per_s").getAsDouble(),
                        m.get("throughput_fallback_share").getAsDouble(), m.get("fallback_share").getAsDouble(),
                        BenchmarkResults.text(r, "command"), BenchmarkResults.text(r, "date")));
            }
            md.append("\nHow each row was made:\n\n");
            for (JsonObject r : streaming) {
                if (dataset.equals(BenchmarkResults.text(r, "dataset"))) {
                    md.append("- ").append(BenchmarkResults.text(r, "variant")).append(": ")
                            .append(BenchmarkResults.text(r, "details")).append(refreshBeside(r)).append('\n');
                }
            }
        }
    }

    /** How much of a streaming row's latency phase a refresh trained beside the job, where one ran. */
    private static String refreshBeside(JsonObject row) {
        JsonObject m = row.getAsJsonObject("metrics");
        return m.has("refresh_training_share") ? String.format(Locale.ROOT, "; a refresh trained during %.3f of the "
                + "latency phase, %d refreshes ended in it", m.get("refresh_training_share").getAsDouble(),
                m.get("refreshes_ended").getAsInt()) : "";
    }

    /** The model server: capacity with and without dynamic batching, then latency against offered load. */
    private static void appendServer(StringBuilder md, List<JsonObject> server) {
        if (server.isEmpty()) {
            return;
        }
        md.append("\n### Model server\n\n")
                .append(paragraph("`./setrec serve` in the benchmark's JVM, driven over HTTP on the loopback by a "
                        + "load generator on the same cores. Users/s: requests answered per second flat out (one "
                        + "user's history per request, its top ten); batching off: the same server scoring one history "
                        + "per forward pass. Latency: open loop (requests leave on a fixed schedule; latency from the "
                        + "scheduled time) at fractions of the measured users/s.")).append('\n')
                .append("| data set | users/s (dynamic batching) | users/s (batching off) | speed-up | offered "
                        + "users/s: p50 / p99 ms ")
                .append("| command | date |\n|---|---:|---:|---:|---|---|---|\n");
        for (JsonObject r : server) {
            JsonObject m = r.getAsJsonObject("metrics");
            StringBuilder sweep = new StringBuilder();
            for (var p : m.getAsJsonArray("load_sweep")) {
                JsonObject point = p.getAsJsonObject();
                sweep.append(sweep.isEmpty() ? "" : "; ").append(String.format(Locale.ROOT, "%.1f: %.1f / %.1f",
                        point.get("offered_per_s").getAsDouble(), point.get("p50_ms").getAsDouble(),
                        point.get("p99_ms").getAsDouble()));
            }
            md.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.1fx | %s | `%s` | %s |\n",
                    BenchmarkResults.text(r, "dataset"), m.get("users_per_s").getAsDouble(),
                    m.get("batch1_users_per_s").getAsDouble(), m.get("speedup_vs_batch1").getAsDouble(), sweep,
                    BenchmarkResults.text(r, "command"), BenchmarkResults.text(r, "date")));
        }
        md.append("\nHow each row was made:\n\n");
        for (JsonObject r : server) {
            md.append("- ").append(BenchmarkResults.text(r, "dataset")).append(": ")
                    .append(BenchmarkResults.text(r, "details")).append('\n');
        }
    }

    /** The prequential replay: frozen against refreshed Recall@10 per setting, freshness, each refresh's outcome. */
    private static void appendOnline(StringBuilder md, List<JsonObject> online) {
        if (online.isEmpty()) {
            return;
        }
        md.append("\n### Online: a model refreshed from the stream\n\n")
                .append(paragraph("`./setrec bench online` replays the held-back interactions (valid, then test) in "
                        + "order; after every event the user's top ten is scored against that user's next item. "
                        + "Frozen: the model as trained on the train split. Refreshed: the same model refreshed "
                        + "from the newest interactions between equal segments of the replay, each new version "
                        + "served only where it beat the serving one on the window's newest slice. Lift: "
                        + "refreshed / frozen. Freshness: the interval one segment stands for plus the longest "
                        + "refresh (the wait of an interaction until a served version has learned from it)."))
                .append('\n')
                .append("| data set | variant | All frozen / refreshed (lift) | Warm | Cold | freshness s "
                        + "| command | date |\n|---|---|---|---|---|---:|---|---|\n");
        for (JsonObject r : online) {
            JsonObject m = r.getAsJsonObject("metrics");
            md.append("| ").append(BenchmarkResults.text(r, "dataset")).append(" | ")
                    .append(BenchmarkResults.text(r, "variant"));
            for (String setting : List.of("all", "warm", "cold")) {
                JsonObject s = m.getAsJsonObject(setting);
                md.append(String.format(Locale.ROOT, " | %.4f / %.4f (%.2fx)", s.get("frozen_recall@10").getAsDouble(),
                        s.get("refreshed_recall@10").getAsDouble(), s.get("online_recall_lift").getAsDouble()));
            }
            md.append(String.format(Locale.ROOT, " | %.0f | `%s` | %s |\n", m.get("freshness_s").getAsDouble(),
                    BenchmarkResults.text(r, "command"), BenchmarkResults.text(r, "date")));
        }
        md.append("\nHow each row was made:\n\n");
        for (JsonObject r : online) {
            md.append("- ").append(BenchmarkResults.text(r, "dataset")).append(" / ")
                    .append(BenchmarkResults.text(r, "variant")).append(": ")
                    .append(BenchmarkResults.text(r, "details")).append("; refreshes: ")
                    .append(r.getAsJsonArray("refreshes")).append('\n');
        }
    }

    /**
     * Reliability rows, one table per data set and kind of variant (its first word): faults injected into the running
     * job and bad input sent to it (toys / faults), state size with many users (synthetic / state-...), the
     * real-cluster scenarios (synthetic / cluster-...). The columns are the rows' metrics, as the benchmark wrote
     * them.
     */
    private static void appendReliability(StringBuilder md, List<JsonObject> reliability) {
        if (reliability.isEmpty()) {
            return;
        }
        md.append("\n### Reliability\n\n")
                .append(paragraph("`./setrec bench reliability` injects faults into the running job and sends it "
                        + "every kind of bad input (docs/input.md); `./setrec bench state` measures the state the job "
                        + "keeps (docs/reliability.md says what each figure means); `./setrec bench cluster` runs the "
                        + "real-cluster scenarios with their long loops (docs/cluster.md)."));
        // one table per data set and kind of variant (faults, state, cluster): each kind has its own metrics
        Map<String, List<JsonObject>> tables = reliability.stream().collect(Collectors.groupingBy(
                r -> BenchmarkResults.text(r, "dataset") + " " + BenchmarkResults.text(r, "variant").split("-")[0],
                LinkedHashMap::new, Collectors.toList()));
        for (List<JsonObject> rows : tables.values()) {
            String dataset = BenchmarkResults.text(rows.get(0), "dataset");
            List<String> metrics = rows.stream().flatMap(r -> r.getAsJsonObject("metrics").keySet().stream())
                    .distinct().toList();
            md.append("\n| data set | variant | ").append(String.join(" | ", metrics))
                    .append(" | command | date |\n|---|---|")
                    .append("---:|".repeat(metrics.size())).append("---|---|\n");
            for (JsonObject r : rows) {
                JsonObject m = r.getAsJsonObject("metrics");
                md.append("| ").append(dataset).append(" | ").append(BenchmarkResults.text(r, "variant"));
                for (String metric : metrics) {
                    md.append(" | ").append(m.has(metric) ? m.get(metric).getAsString() : "-");
                }
                md.append(" | `").append(BenchmarkResults.text(r, "command")).append("` | ")
                        .append(BenchmarkResults.text(r, "date")).append(" |\n");
            }
            rows.stream().filter(r -> r.has("details") && r.get("details").isJsonArray())
                    .forEach(r -> appendScenarios(md, dataset, r));
        }
    }

    /** A new user's first quickstart: how soon something is recommended, and how soon SETRec serves. */
    private static void appendQuickstart(StringBuilder md, List<JsonObject> quickstart) {
        if (quickstart.isEmpty()) {
            return;
        }
        md.append("\n### First quickstart\n\n")
                .append(paragraph("`./setrec bench quickstart` runs `./setrec quickstart` in a fresh clone (the build "
                        + "included, Maven's cache as it is): seconds from its launch to the first recommendation "
                        + "(the popularity fallback, while the quick SETRec trains in the background) and to the "
                        + "first recommendation of SETRec.")).append('\n')
                .append("| data set | first recommendation s | SETRec serving s | command | date |\n")
                .append("|---|---:|---:|---|---|\n");
        for (JsonObject r : quickstart) {
            JsonObject m = r.getAsJsonObject("metrics");
            md.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | `%s` | %s |\n",
                    BenchmarkResults.text(r, "dataset"), m.get("first_rec_s").getAsDouble(),
                    m.get("setrec_serving_s").getAsDouble(), BenchmarkResults.text(r, "command"),
                    BenchmarkResults.text(r, "date")));
        }
    }

    /** The scenarios behind a fault-injection row: one line each, with what it counted and what broke. */
    private static void appendScenarios(StringBuilder md, String dataset, JsonObject row) {
        md.append('\n').append(paragraph("Scenarios of the " + dataset + " / " + BenchmarkResults.text(row, "variant")
                        + " row. Held: every check of the scenario's fault-injection test passed. Recovery: from the "
                        + "task-manager loss until every interaction was answered within a second again "
                        + "(docs/reliability.md says how each is measured).")).append('\n')
                .append("| scenario | delivery | faults | held | interactions | lost | duplicates | restarts ")
                .append("| recovery s | wall s | broken guarantees |\n")
                .append("|---|---|---|---|---:|---:|---:|---:|---:|---:|---|\n");
        for (var d : row.getAsJsonArray("details")) {
            JsonObject scenario = d.getAsJsonObject();
            md.append("| ").append(cell(scenario, "scenario")).append(" | ").append(cell(scenario, "delivery"))
                    .append(" | ").append(cell(scenario, "faults")).append(" | ")
                    .append(scenario.get("held").getAsBoolean() ? "yes" : "no");
            for (String figure : new String[] {"events", "lost", "duplicates", "restarts", "recovery_s", "wall_s"}) {
                md.append(" | ").append(cell(scenario, figure));
            }
            md.append(" | ").append(cell(scenario, "problems")).append(" |\n");
        }
    }

    /** A value as a table cell: "-" where absent, a list joined by "; ", pipes escaped. */
    static String cell(JsonObject o, String key) {
        if (!o.has(key) || o.get(key).isJsonNull()) {
            return "-";
        }
        String text;
        if (o.get(key).isJsonArray()) {
            List<String> values = new ArrayList<>();
            o.getAsJsonArray(key).forEach(v -> values.add(v.getAsString()));
            text = values.isEmpty() ? "-" : String.join("; ", values);
        } else {
            text = o.get(key).getAsString();
        }
        return text.replace("|", "\\|").replace('\n', ' ');
    }

    /** Prose as a markdown paragraph in lines of at most 120 characters, ending with a line break. */
    static String paragraph(String text) {
        StringBuilder out = new StringBuilder();
        int lineStart = 0;
        for (String word : text.split(" ")) {
            if (out.length() > lineStart && out.length() - lineStart + 1 + word.length() > LINE) {
                out.append('\n');
                lineStart = out.length();
            } else if (out.length() > lineStart) {
                out.append(' ');
            }
            out.append(word);
        }
        return out.append('\n').toString();
    }

    private static String orDash(String s) {
        return s == null ? "-" : s;
    }

    private static String capitalize(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private static String abbreviate(String metric) {
        return metric.replace("recall@", "R@").replace("ndcg@", "N@");
    }
}
