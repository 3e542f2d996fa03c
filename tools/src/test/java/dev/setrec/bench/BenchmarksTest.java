package dev.setrec.bench;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.setrec.models.Training;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchmarksTest {
    private static final String MACHINE = "2 cores (Some CPU @ 2.20GHz), 23 GiB RAM, no GPU used, Java 17.0.13, Linux";

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
        JsonObject r = rowOf("quality", "toys", model, variant);
        r.addProperty("split", "test");
        r.addProperty("fit", "train");
        r.add("metrics", metrics);
        stamp(r, "./setrec bench quality", "test machine", "2026-11-25");
        r.add("goals", Goals.check("toys", model, variant, Training.Fit.TRAIN, metrics));
        return r;
    }

    /** A streaming row as ./setrec bench streaming writes it, with a met and a missed target. */
    static JsonObject streamingRow(String mode, double eventsPerSecond, long p99Millis) {
        JsonObject metrics = new JsonObject();
        metrics.addProperty("events_per_s", eventsPerSecond);
        metrics.addProperty("model_events_per_s", 0.9 * eventsPerSecond);
        metrics.addProperty("p50_ms", 43);
        metrics.addProperty("p99_ms", p99Millis);
        metrics.addProperty("item_onboard_ms", 318);
        metrics.addProperty("item_onboard_max_ms", 1207);
        metrics.addProperty("offered_per_s", 998.7);
        metrics.addProperty("fallback_share", 0.0012);
        metrics.addProperty("throughput_fallback_share", 0.0345);
        JsonObject r = rowOf("streaming", "toys", "setrec", mode);
        r.add("metrics", metrics);
        JsonArray targets = new JsonArray();
        targets.add(target("events_per_s", "at_least", 1000, eventsPerSecond, Math.max(0, 1000 - eventsPerSecond),
                "streaming issue: 2 cores"));
        targets.add(target("item_onboard_max_ms", "at_most", 1000, 1207, 207, "streaming issue: within a second"));
        r.add("targets", targets);
        stamp(r, "./setrec bench streaming --events 20000 --rate 1000 --seconds 20", MACHINE, "2026-11-26");
        r.addProperty("details", "checkpoints every 1000 ms; throughput: 20000 events flat out");
        return r;
    }

    private static JsonObject serverRow() {
        JsonObject metrics = new JsonObject();
        metrics.addProperty("users_per_s", 1450.2);
        metrics.addProperty("batch1_users_per_s", 310.4);
        metrics.addProperty("speedup_vs_batch1", 4.7);
        metrics.addProperty("p50_ms_half_load", 11.2);
        metrics.addProperty("p99_ms_half_load", 38.9);
        JsonArray sweep = new JsonArray();
        for (double[] p : new double[][] {{0.25, 362.5, 8.5, 21.3}, {0.5, 725.1, 11.2, 38.9}}) {
            JsonObject point = new JsonObject();
            point.addProperty("fraction_of_capacity", p[0]);
            point.addProperty("offered_per_s", p[1]);
            point.addProperty("achieved_per_s", p[1]);
            point.addProperty("p50_ms", p[2]);
            point.addProperty("p99_ms", p[3]);
            sweep.add(point);
        }
        metrics.add("load_sweep", sweep);
        JsonObject r = rowOf("server", "toys", "setrec", "dynamic-batching");
        r.add("metrics", metrics);
        JsonArray targets = new JsonArray();
        targets.add(target("p99_ms_half_load", "at_most", 50, 38.9, 0, "server issue: p99 at half load"));
        r.add("targets", targets);
        stamp(r, "./setrec bench server --model M", MACHINE, "2026-11-26");
        r.addProperty("details", "64 requests in flight for 15 s");
        return r;
    }

    /** An online row as ./setrec bench online writes it: the All lift met, the Cold one missed. */
    private static JsonObject onlineRow() {
        JsonObject metrics = new JsonObject();
        for (String s : new String[] {"all", "warm", "cold"}) {
            JsonObject m = new JsonObject();
            m.addProperty("frozen_recall@10", 0.0125);
            m.addProperty("refreshed_recall@10", 0.0161);
            m.addProperty("online_recall_lift", 1.288);
            m.addProperty("events", 900);
            metrics.add(s, m);
        }
        metrics.addProperty("all_lift", 1.288);
        metrics.addProperty("cold_lift", 0.962);
        metrics.addProperty("freshness_s", 412.5);
        metrics.addProperty("longest_refresh_s", 112.5);
        JsonObject r = rowOf("online", "toys", "setrec", "refresh-3");
        r.addProperty("split", "valid+test");
        r.add("metrics", metrics);
        JsonArray segments = new JsonArray();
        for (int s = 1; s <= 4; s++) {
            JsonObject segment = new JsonObject();
            segment.addProperty("segment", s);
            segment.addProperty("events", 225);
            segment.addProperty("frozen_recall@10", 0.0125);
            segment.addProperty("refreshed_recall@10", 0.0125 + 0.001 * s);
            segments.add(segment);
        }
        r.add("segments", segments);
        r.add("refreshes", new JsonArray());
        JsonArray targets = new JsonArray();
        targets.add(target("all_lift", "at_least", 1.15, 1.288, 0, "refresh issue"));
        targets.add(target("cold_lift", "at_least", 1.0, 0.962, 0.038, "refresh issue"));
        r.add("targets", targets);
        stamp(r, "./setrec bench online --model M", MACHINE, "2026-12-08");
        r.addProperty("details", "3 refreshes over 60000-event windows");
        return r;
    }

    /** A reliability row as ./setrec bench reliability writes it: one scenario held, one broke. */
    private static JsonObject reliabilityRow() {
        JsonObject metrics = new JsonObject();
        metrics.addProperty("faults_survived", 1);
        metrics.addProperty("faults_injected", 4);
        metrics.addProperty("bad_input_kinds", 38);
        metrics.addProperty("events_lost", 0);
        metrics.addProperty("duplicates_exactly_once", 0);
        metrics.addProperty("duplicates_at_least_once", 17);
        metrics.addProperty("recovery_s", 4.25);
        JsonArray details = new JsonArray();
        details.add(scenario("task manager lost, exactly_once", "exactly_once", List.of("a task manager lost"),
                List.of(), 4.25));
        details.add(scenario("model server down, killed and paused", "at_least_once",
                List.of("down at the start", "killed", "paused"), List.of("no answer while the server was paused",
                        "answers later than PT5S: 2, the first 2: u|1@163; u|2@164"), null));
        JsonObject r = rowOf("reliability", "toys", "setrec", "faults");
        r.addProperty("split", "none");
        r.add("metrics", metrics);
        r.add("details", details);
        stamp(r, "./setrec bench reliability", MACHINE, "2026-12-07");
        return r;
    }

    /** A reliability row without details: {@code metric} = {@code value}. */
    private static JsonObject reliabilityRow(String dataset, String variant, String metric, double value) {
        JsonObject metrics = new JsonObject();
        metrics.addProperty(metric, value);
        JsonObject r = rowOf("reliability", dataset, "setrec", variant);
        r.addProperty("split", "none");
        r.add("metrics", metrics);
        stamp(r, "./setrec bench " + variant.split("-")[0], "2 cores", "2026-12-07");
        return r;
    }

    /** A results row's key: benchmark, data set, model and variant. */
    private static JsonObject rowOf(String benchmark, String dataset, String model, String variant) {
        JsonObject r = new JsonObject();
        r.addProperty("benchmark", benchmark);
        r.addProperty("dataset", dataset);
        r.addProperty("model", model);
        r.addProperty("variant", variant);
        return r;
    }

    /** How, where and when the row was measured. */
    private static void stamp(JsonObject row, String command, String machine, String date) {
        row.addProperty("command", command);
        row.addProperty("machine", machine);
        row.addProperty("date", date);
    }

    @Test
    void reliabilityRowsOfOneDataSetGetATableForEachKindOfVariant() {
        BenchmarkResults results = new BenchmarkResults();
        results.put(reliabilityRow("synthetic", "state-1000-users", "state_bytes_per_user", 102));
        results.put(reliabilityRow("synthetic", "cluster-in-process", "recovery_s", 9.5));
        results.put(reliabilityRow("synthetic", "cluster-remote", "recovery_s", 7.25));
        StringBuilder md = new StringBuilder();
        BenchmarksMarkdown.append(md, results);
        String markdown = md.toString();
        assertTrue(markdown.contains("| data set | variant | state_bytes_per_user | command | date |\n"
                + "|---|---|---:|---|---|\n| synthetic | state-1000-users | 102.0 | `./setrec bench state` |"),
                markdown);
        assertTrue(markdown.contains("| data set | variant | recovery_s | command | date |\n"
                + "|---|---|---:|---|---|\n| synthetic | cluster-in-process | 9.5 | `./setrec bench cluster` "
                + "| 2026-12-07 |\n| synthetic | cluster-remote | 7.25 |"), markdown);
    }

    @Test
    void aFirstQuickstartRowGetsItsOwnTable() {
        JsonObject r = rowOf("quickstart", "generated-e673473f", "setrec", "fresh-clone");
        JsonObject metrics = new JsonObject();
        metrics.addProperty("first_rec_s", 113.9);
        metrics.addProperty("setrec_serving_s", 226.7);
        r.add("metrics", metrics);
        stamp(r, "./setrec bench quickstart", MACHINE, "2026-12-07");
        BenchmarkResults results = new BenchmarkResults();
        results.put(r);
        StringBuilder md = new StringBuilder();
        BenchmarksMarkdown.append(md, results);
        String markdown = md.toString();
        assertTrue(markdown.contains("### First quickstart"), markdown);
        assertTrue(markdown.contains("| data set | first recommendation s | SETRec serving s | command | date |\n"
                + "|---|---:|---:|---|---|\n| generated-e673473f | 113.9 | 226.7 | `./setrec bench quickstart` | "
                + "2026-12-07 |\n"), markdown);
        assertEveryFigureIsIn(markdown, new Gson().toJson(results.all()));
    }

    private static JsonObject scenario(String name, String delivery, List<String> faults, List<String> problems,
                                       Double recovery) {
        JsonObject s = new JsonObject();
        s.addProperty("scenario", name);
        s.addProperty("delivery", delivery);
        JsonArray faultNames = new JsonArray();
        faults.forEach(faultNames::add);
        s.add("faults", faultNames);
        s.addProperty("held", problems.isEmpty());
        s.addProperty("events", 251);
        s.addProperty("lost", 0);
        s.addProperty("duplicates", 0);
        s.addProperty("restarts", 1);
        if (recovery != null) {
            s.addProperty("recovery_s", recovery);
        }
        s.addProperty("wall_s", 48.5);
        JsonArray broken = new JsonArray();
        problems.forEach(broken::add);
        s.add("problems", broken);
        return s;
    }

    private static JsonObject target(String metric, String comparison, double target, double measured, double gap,
                                     String source) {
        JsonObject t = new JsonObject();
        t.addProperty("metric", metric);
        t.addProperty("comparison", comparison);
        t.addProperty("target", target);
        t.addProperty("measured", measured);
        t.addProperty("met", gap == 0);
        t.addProperty("gap", gap);
        t.addProperty("source", source);
        return t;
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
    void seedsRunApartJoinOneRowWithTheirMeanAndSpreadAndAnotherCommandStartsAgain() {
        JsonObject first = SeedSpread.join(row("setrec", "full", 0.0200), 42, null);
        assertEquals(List.of(42L), seedsOf(first));
        assertFalse(first.getAsJsonObject("metrics").getAsJsonObject("all").has("recall@10_std"), "one seed");

        JsonObject second = SeedSpread.join(row("setrec", "full", 0.0220), 43, first);
        JsonObject third = SeedSpread.join(row("setrec", "full", 0.0240), 44, second);
        assertEquals(List.of(42L, 43L, 44L), seedsOf(third));
        JsonObject all = third.getAsJsonObject("metrics").getAsJsonObject("all");
        assertEquals(0.0220, all.get("recall@10").getAsDouble(), 1e-12);
        assertEquals(0.0020, all.get("recall@10_std").getAsDouble(), 1e-12, "the sample standard deviation");

        JsonObject rerun = SeedSpread.join(row("setrec", "full", 0.0260), 42, third);
        assertEquals(List.of(42L, 43L, 44L), seedsOf(rerun), "a seed run again replaces its own result");
        assertEquals(0.0240, rerun.getAsJsonObject("metrics").getAsJsonObject("all").get("recall@10").getAsDouble(),
                1e-12);

        JsonObject otherCommand = row("setrec", "full", 0.0300);
        otherCommand.addProperty("command", "./setrec bench quality --lr 0.002 --seeds 43");
        assertEquals(List.of(43L), seedsOf(SeedSpread.join(otherCommand, 43, rerun)),
                "seeds of another configuration do not join");
    }

    private static List<Long> seedsOf(JsonObject row) {
        return row.getAsJsonArray(SeedSpread.SEEDS).asList().stream().map(e -> e.getAsLong()).toList();
    }

    @Test
    void aRowOverSeedsShowsItsMeanAndSpreadAndEveryFigureIsInTheJson(@TempDir Path dir) throws IOException {
        JsonObject spread = SeedSpread.join(row("setrec", "full", 0.0175), 42, null);
        JsonObject seed43 = row("setrec", "full", 0.0195);
        seed43.addProperty("command", "./setrec bench quality --seeds 43");
        spread = SeedSpread.join(seed43, 43, spread);
        BenchmarkResults results = new BenchmarkResults();
        results.put(row("sasrec", "full", 0.0142));
        results.put(spread);
        BenchmarksReport.write(results, dir);
        String markdown = Files.readString(dir.resolve("BENCHMARKS.md"));
        assertTrue(markdown.contains("| toys | setrec | 0.0185 ± 0.0014 | 0.0185 ± 0.0014 | 0.0185 ± 0.0014 |"),
                markdown);
        assertTrue(markdown.contains("; seeds 42, 43; seed 42 (2026-11-25); seed 43 (2026-11-25)"), markdown);
        assertEveryFigureIsIn(markdown, new Gson().toJson(results.all()));
    }

    @Test
    void everyFigureInTheMarkdownIsInTheJson(@TempDir Path dir) throws IOException {
        BenchmarkResults results = new BenchmarkResults();
        results.put(row("sasrec", "full", 0.0142));
        results.put(row("setrec", "full", 0.0175));
        results.put(streamingRow("exactly_once", 812.4, 1534));
        results.put(streamingRow("at_least_once", 1123.6, 187));
        results.put(serverRow());
        results.put(onlineRow());
        results.put(reliabilityRow());
        BenchmarksReport.write(results, dir);
        String markdown = Files.readString(dir.resolve("BENCHMARKS.md"));
        String json = new Gson().toJson(results.all());
        assertTrue(markdown.contains("| toys | refresh-3 | 1.288 | 0.962 | 412.5 |"), markdown);
        assertTrue(markdown.contains("| toys | online | refresh-3 | Cold Recall@10, refreshed / frozen ≥ 1.00 | 0.96 "
                + "| no | 0.04 |"), markdown);
        assertTrue(markdown.contains("| sasrec | full | train |"), markdown);
        assertTrue(markdown.contains("| toys | quality | setrec / full | all recall@10 ≥ 0.0189 | 0.0175 | no | "
                + "0.0014 |"),
                markdown);
        assertTrue(markdown.contains("| toys | setrec | 0.0175 | 0.0175 | 0.0175 | 0.0044 | 1.5 |"), markdown);
        assertTrue(markdown.contains("| at_least_once | 1123.6 (1011.2) | 43 | 187 | 318 / 1207 | 998.7 | 0.0345 / "
                + "0.0012 | "
                + "`./setrec bench streaming --events 20000 --rate 1000 --seconds 20` |"), markdown);
        assertTrue(markdown.indexOf("| at_least_once |") < markdown.indexOf("| exactly_once |"), markdown);
        assertTrue(markdown.contains("| toys | streaming | exactly_once | events/s ≥ 1000.0 | 812.4 | no | 187.6 |"),
                markdown);
        assertTrue(markdown.contains("| toys | streaming | at_least_once | item onboarding max ms ≤ 1000 | 1207 | "
                + "no | 207 |"),
                markdown);
        assertTrue(markdown.contains("| toys | 1450.2 | 310.4 | 4.7x | 362.5: 8.5 / 21.3; 725.1: 11.2 / 38.9 | "
                + "`./setrec bench server --model M` |"), markdown);
        assertTrue(markdown.contains("| toys | server | dynamic-batching | p99 ms at half load ≤ 50.0 | 38.9 | yes "
                + "| 0.0 |"),
                markdown);
        assertTrue(markdown.contains("| toys | faults | 1 | 4 | 38 | 0 | 0 | 17 | 4.25 | "
                + "`./setrec bench reliability` |"), markdown);
        assertTrue(markdown.contains("| task manager lost, exactly_once | exactly_once | a task manager lost | yes "
                + "| 251 | 0 | 0 | 1 | 4.25 | 48.5 | - |"), markdown);
        assertTrue(markdown.contains("| model server down, killed and paused | at_least_once | down at the start; "
                + "killed; paused | no | 251 | 0 | 0 | 1 | - | 48.5 | no answer while the server was paused; answers "
                + "later than PT5S: 2, the first 2: u\\|1@163; u\\|2@164 |"), markdown);
        assertEveryFigureIsIn(markdown, json);
    }

    /** Every number of the page, integers too (ms, dates, the command's arguments), is a JSON value rounded. */
    private static void assertEveryFigureIsIn(String markdown, String json) {
        Pattern number = Pattern.compile("(?<![\\w.])\\d+(\\.\\d+)?(E-?\\d+)?");
        Matcher numbers = number.matcher(markdown);
        while (numbers.find()) {
            double value = Double.parseDouble(numbers.group());
            // a figure printed with d decimals is a JSON value rounded to d decimals
            double rounding = 0.5 * Math.pow(10, -(numbers.group(1) == null ? 0 : numbers.group(1).length() - 1));
            boolean found = false;
            Matcher inJson = number.matcher(json);
            while (inJson.find() && !found) {
                found = Math.abs(Double.parseDouble(inJson.group()) - value) <= rounding + 1e-9;
            }
            assertTrue(found, "figure " + numbers.group() + " of BENCHMARKS.md is not in results.json");
        }
    }

    @Test
    void theMachineIsStatedOnceAndThePlotsArePngImages(@TempDir Path dir) throws IOException {
        BenchmarkResults results = new BenchmarkResults();
        results.put(row("sasrec", "full", 0.0142));
        results.put(streamingRow("at_least_once", 1123.6, 187));
        results.put(serverRow());
        results.put(onlineRow());
        results.put(reliabilityRow());
        BenchmarksReport.write(results, dir);
        String markdown = Files.readString(dir.resolve("BENCHMARKS.md"));
        assertEquals(markdown.indexOf(MACHINE), markdown.lastIndexOf(MACHINE), markdown);
        assertTrue(markdown.contains("- test machine: quality\n"), markdown);
        markdown.lines().filter(line -> !line.startsWith("|") && !line.startsWith("- "))
                .forEach(line -> assertTrue(line.length() <= 120, "prose line over 120 characters: " + line));
        Matcher links = Pattern.compile("!\\[[^\\]]+]\\((benchmarks/plots/[^)]+\\.png)\\)").matcher(markdown);
        int plots = 0;
        while (links.find()) {
            BufferedImage image = ImageIO.read(dir.resolve(links.group(1)).toFile());
            assertTrue(image != null && image.getWidth() > 0, links.group(1) + " is not a PNG image");
            plots++;
        }
        assertEquals(4, plots, "a quality, a streaming, a server and an online plot: " + markdown);
    }

    @Test
    void theCommittedResultsRenderTheCommittedPage() throws IOException {
        Path root = repositoryRoot();
        String rendered = BenchmarksReport.render(BenchmarkResults.read(root.resolve("benchmarks/results.json")))
                .markdown();
        // not assertEquals: its message would print both pages
        assertTrue(rendered.equals(Files.readString(root.resolve("BENCHMARKS.md"))),
                "BENCHMARKS.md is not what benchmarks/results.json renders: run " + BenchmarksReport.REGENERATE
                        + " and commit it with the plots");
        assertEveryFigureIsIn(rendered, Files.readString(root.resolve("benchmarks/results.json")));
    }

    private static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("mvnw")) && Files.isDirectory(dir.resolve("benchmarks"))) {
                return dir;
            }
        }
        throw new AssertionError("no repository root above " + Path.of("").toAbsolutePath());
    }
}
