package dev.setrec.jobs.quickstart;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.setrec.schemas.ModelVersion;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * A quickstart run as one self-contained HTML file, to open in any browser offline: the summary table (exactly the
 * run's final {@link LiveFigures.Snapshot}, the one the console prints), plots over time drawn by {@link SvgChart}
 * from the {@link RunTimeline}, inline CSS, no script to run. The same figures are embedded as JSON ({@code <script
 * type="application/json" id="run-figures">}) for tools and tests: {@code summary}, {@code samples} (each with
 * {@code atMillis} and {@code figures}), {@code modelNames}, {@code refreshes} (their console lines),
 * {@code startedMillis}, {@code endedMillis} and {@code data}. The markup is also well-formed XML, so that any XML
 * parser reads it.
 */
public final class RunReport {
    public static final String FIGURES_ELEMENT_ID = "run-figures";
    private static final int SHORT_VERSION = 12;
    private static final String STYLE = """
            body { font: 14px/1.4 system-ui, sans-serif; margin: 2em auto; max-width: 800px; color: #222; }
            h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 1.6em; }
            table { border-collapse: collapse; } td, th { padding: 2px 12px 2px 0; text-align: left; }
            td.number { text-align: right; font-variant-numeric: tabular-nums; }
            th[scope=rowgroup] { padding-top: 8px; color: #555; }
            svg { display: block; margin: 1em 0; }
            svg text { font: 11px system-ui, sans-serif; fill: #333; } svg text.title { font-size: 13px; }
            svg .grid { stroke: #e4e4e4; } svg .axis { stroke: #888; }
            svg .line { fill: none; stroke-width: 1.6; }
            svg line.marker { stroke: #555; stroke-dasharray: 4 3; } svg text.marker { fill: #555; }
            svg text.empty { fill: #999; text-anchor: middle; }
            """;

    /**
     * What the figures do not say about the run: the data replayed (in words), the names of the served models by
     * the version their recommendations carry (a version without a name is shown by its first characters) and the
     * refreshes' outcomes, in the order they were published.
     */
    public record Run(String data, Map<String, String> modelNames, List<ModelVersion> refreshes) {
        public Run {
            modelNames = Map.copyOf(modelNames);
            refreshes = List.copyOf(refreshes);
        }

        /** A run without refreshes. */
        public Run(String data, Map<String, String> modelNames) {
            this(data, modelNames, List.of());
        }

        String modelName(String version) {
            String name = modelNames.get(version);
            return name != null ? name : "model " + version.substring(0, Math.min(SHORT_VERSION, version.length()));
        }
    }

    private final Run run;
    private final long startedMillis;
    private final List<RunTimeline.Sample> samples;
    private final RunTimeline.Sample end;

    /** @param end the run's summary at its end: the last point of the plots and the whole summary table */
    RunReport(Run run, long startedMillis, List<RunTimeline.Sample> samples, RunTimeline.Sample end) {
        this.run = run;
        this.startedMillis = startedMillis;
        this.samples = new ArrayList<>(samples);
        this.samples.add(end);
        this.end = end;
    }

    /**
     * Writes the report of a run that ended with {@code summary} (at {@code endedMillis}) to {@code file}, with its
     * folders; the timeline is stopped first.
     */
    public static void write(Path file, Run run, RunTimeline timeline, LiveFigures.Snapshot summary,
                             long endedMillis) throws IOException {
        timeline.close();
        String html = new RunReport(run, timeline.startedMillis(), timeline.samples(),
                new RunTimeline.Sample(endedMillis, summary)).html();
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, html, StandardCharsets.UTF_8);
    }

    String html() {
        LiveFigures.Snapshot s = end.figures();
        StringBuilder html = new StringBuilder();
        html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n")
                .append("<title>SETRec quickstart, ")
                .append(Instant.ofEpochMilli(startedMillis)).append("</title>\n<style>\n").append(STYLE)
                .append("</style>\n</head>\n<body>\n<h1>SETRec quickstart run</h1>\n");
        html.append(format("<p>Started %s, ran %s, on %s.</p>%n", Instant.ofEpochMilli(startedMillis),
                clock(end.atMillis()), SvgChart.escape(run.data())));
        summaryTable(html, s);
        modelTable(html, s);
        refreshTable(html);
        html.append("<h2>Over time</h2>\n");
        double xMax = seconds(end.atMillis());
        html.append(SvgChart.draw("Events per second", xMax, List.of(
                perSecond("replayed events/s", LiveFigures.Snapshot::eventsSent),
                perSecond("recommendations/s", LiveFigures.Snapshot::recommendations)), List.of()));
        html.append(SvgChart.draw("Event-to-recommendation latency in ms (over the latest recommendations)", xMax,
                List.of(
                over("p50", x -> x.latencySamples() == 0 ? Double.NaN : x.latencyP50Millis()),
                over("p99", x -> x.latencySamples() == 0 ? Double.NaN : x.latencyP99Millis())), List.of()));
        html.append(recallByModel(s, xMax));
        html.append(SvgChart.draw("Dead letters by reason (so far)", xMax,
                s.deadLettersByReason().keySet().stream().map(reason -> over(reason,
                        x -> x.deadLettersByReason().getOrDefault(reason, 0L))).toList(), List.of()));
        html.append(SvgChart.draw("Cold items held back from the model (so far)", xMax, List.of(
                over("onboarded by their item event", LiveFigures.Snapshot::coldItemsOnboarded),
                over("seen in a top 10", LiveFigures.Snapshot::coldItemsRecommended)), List.of()));
        html.append(SvgChart.draw("Recommendations whose next item was a cold one (so far)", xMax, List.of(
                over("all", LiveFigures.Snapshot::coldTargets),
                over("next item in the top 10", LiveFigures.Snapshot::coldHits)), List.of()));
        html.append("<script type=\"application/json\" id=\"").append(FIGURES_ELEMENT_ID).append("\">\n")
                .append(figuresJson()).append("\n</script>\n</body>\n</html>\n");
        return html.toString();
    }

    /** Each row carries its figure's name and exact value as data attributes (the names of Snapshot's fields). */
    private static void summaryTable(StringBuilder html, LiveFigures.Snapshot s) {
        html.append("<h2>Summary</h2>\n<table>\n");
        group(html, "Replay");
        row(html, "plannedEvents", "events planned", s.plannedEvents());
        row(html, "eventsSent", "events sent", s.eventsSent());
        row(html, "badMessagesSent", "broken messages sent", s.badMessagesSent());
        row(html, "seedEvents", "history seed events sent", s.seedEvents());
        row(html, "seedsRecommended", "history seed events scored", s.seedsRecommended());
        group(html, "Recommendations");
        row(html, "recommendations", "recommendations", s.recommendations());
        row(html, "recommendations/s at the end", "data-figure=\"recommendationsPerSecond\"",
                Double.toString(s.recommendationsPerSecond()), format("%,.1f", s.recommendationsPerSecond()));
        row(html, "fallbacks", "popularity fallbacks", s.fallbacks());
        row(html, "latencySamples", "latency samples (the last ones)", s.latencySamples());
        row(html, "latencyP50Millis", "latency p50 (ms)", s.latencyP50Millis());
        row(html, "latencyP99Millis", "latency p99 (ms)", s.latencyP99Millis());
        group(html, "Quality");
        row(html, "withNextItem", "recommendations with a next item", s.withNextItem());
        row(html, "hitsAt10", "next item in the top 10", s.hitsAt10());
        row(html, "online Recall@10", "data-figure=\"recallAt10\"", Double.toString(s.recallAt10()),
                recall(s.recallAt10()));
        group(html, "Cold items");
        row(html, "coldItemsHeldBack", "held back from the model", s.coldItemsHeldBack());
        row(html, "coldItemsOnboarded", "onboarded by item events", s.coldItemsOnboarded());
        row(html, "coldItemsRecommended", "seen in a top 10", s.coldItemsRecommended());
        row(html, "coldTargets", "recommendations whose next item was cold", s.coldTargets());
        row(html, "coldHits", "of these, next item in the top 10", s.coldHits());
        group(html, "Dead letters");
        row(html, "deadLetters", "dead letters", s.deadLetters());
        s.deadLettersByReason().forEach((reason, count) -> row(html, "&#160;&#160;" + SvgChart.escape(reason),
                "data-figure=\"deadLettersByReason\" data-key=\"" + SvgChart.escape(reason) + "\"",
                Long.toString(count), format("%,d", count)));
        row(html, "unreadable", "unreadable output messages", s.unreadable());
        html.append("</table>\n");
    }

    private void modelTable(StringBuilder html, LiveFigures.Snapshot s) {
        html.append("<h2>Models</h2>\n<table>\n<tr><th>model</th><th>version</th><th>first recommendation</th>"
                + "<th>recommendations</th><th>with a next item</th><th>hits</th><th>Recall@10</th></tr>\n");
        for (Map.Entry<String, LiveFigures.ModelFigures> e : modelsInServingOrder(s)) {
            LiveFigures.ModelFigures m = e.getValue();
            html.append(format("<tr data-model=\"%s\"><td>%s</td><td>%s</td><td>%s</td><td class=\"number\">%,d</td>"
                            + "<td class=\"number\">%,d</td><td class=\"number\">%,d</td><td class=\"number\">%s</td>"
                            + "</tr>%n", SvgChart.escape(e.getKey()), SvgChart.escape(run.modelName(e.getKey())),
                    SvgChart.escape(e.getKey()), clock(m.firstArrivalMillis()),
                    m.recommendations(), m.withNextItem(), m.hitsAt10(), recall(m.recallAt10())));
        }
        html.append("</table>\n");
    }

    /** Each refresh's outcome, as the console said it, at the time it ended. */
    private void refreshTable(StringBuilder html) {
        if (run.refreshes().isEmpty()) {
            return;
        }
        html.append("<h2>Model versions</h2>\n<table>\n<tr><th>refresh ended</th><th>outcome</th></tr>\n");
        for (ModelVersion outcome : run.refreshes()) {
            html.append(format("<tr data-promoted=\"%s\"><td>%s</td><td>%s</td></tr>%n", outcome.getPromoted(),
                    clock(outcome.getFinishedTime().toEpochMilli()), SvgChart.escape(RefreshOutcomes.line(outcome))));
        }
        html.append("</table>\n");
    }

    /**
     * One line per model, its Recall@10 so far, from the time its first recommendation arrived to the time its last
     * one did (a model swapped out does not go on as a flat line); each start marked.
     */
    private String recallByModel(LiveFigures.Snapshot s, double xMax) {
        List<SvgChart.Line> lines = new ArrayList<>();
        List<SvgChart.Marker> starts = new ArrayList<>();
        for (Map.Entry<String, LiveFigures.ModelFigures> e : modelsInServingOrder(s)) {
            String version = e.getKey();
            long last = e.getValue().recommendations();
            double[] xs = new double[samples.size()];
            double[] ys = new double[samples.size()];
            boolean ended = false;
            for (int i = 0; i < xs.length; i++) {
                LiveFigures.ModelFigures m = samples.get(i).figures().byModel().get(version);
                xs[i] = seconds(samples.get(i).atMillis());
                ys[i] = m == null || ended ? Double.NaN : m.recallAt10();
                ended = m != null && m.recommendations() == last;
            }
            String name = run.modelName(version);
            lines.add(new SvgChart.Line(name, xs, ys));
            starts.add(new SvgChart.Marker(seconds(e.getValue().firstArrivalMillis()), name + " serves"));
        }
        return SvgChart.draw("Online Recall@10 by serving model (so far)", xMax, lines, starts);
    }

    private static List<Map.Entry<String, LiveFigures.ModelFigures>> modelsInServingOrder(LiveFigures.Snapshot s) {
        return s.byModel().entrySet().stream()
                .sorted(Comparator.comparingLong(e -> e.getValue().firstArrivalMillis())).toList();
    }

    /** A running total's rate between consecutive samples, at the later one's time. */
    private SvgChart.Line perSecond(String name, ToDoubleFunction<LiveFigures.Snapshot> total) {
        int n = samples.size() - 1;
        double[] xs = new double[n];
        double[] ys = new double[n];
        for (int i = 0; i < n; i++) {
            RunTimeline.Sample from = samples.get(i);
            RunTimeline.Sample to = samples.get(i + 1);
            long millis = to.atMillis() - from.atMillis();
            xs[i] = seconds(to.atMillis());
            ys[i] = millis <= 0 ? Double.NaN
                    : (total.applyAsDouble(to.figures()) - total.applyAsDouble(from.figures())) * 1000 / millis;
        }
        return new SvgChart.Line(name, xs, ys);
    }

    /** A figure at each sample; NaN where it has no value. */
    private SvgChart.Line over(String name, ToDoubleFunction<LiveFigures.Snapshot> figure) {
        double[] xs = new double[samples.size()];
        double[] ys = new double[samples.size()];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = seconds(samples.get(i).atMillis());
            ys[i] = figure.applyAsDouble(samples.get(i).figures());
        }
        return new SvgChart.Line(name, xs, ys);
    }

    private String figuresJson() {
        Gson gson = new Gson(); // escapes <, > and & in strings, so no "</script>" can end the element early
        JsonObject figures = new JsonObject();
        figures.addProperty("startedMillis", startedMillis);
        figures.addProperty("endedMillis", end.atMillis());
        figures.addProperty("data", run.data());
        figures.add("modelNames", gson.toJsonTree(run.modelNames()));
        figures.add("refreshes", gson.toJsonTree(run.refreshes().stream().map(RefreshOutcomes::line).toList()));
        figures.add("summary", gson.toJsonTree(end.figures()));
        JsonArray all = new JsonArray();
        samples.forEach(sample -> all.add(gson.toJsonTree(sample)));
        figures.add("samples", all);
        return gson.toJson(figures);
    }

    private double seconds(long atMillis) {
        return Math.max(0, atMillis - startedMillis) / 1000.0;
    }

    /** The time since the start, on a clock. */
    private String clock(long atMillis) {
        return SvgChart.clock(Math.round(seconds(atMillis)));
    }

    private static void group(StringBuilder html, String title) {
        html.append(format("<tr><th scope=\"rowgroup\" colspan=\"2\">%s</th></tr>%n", title));
    }

    private static void row(StringBuilder html, String figure, String label, long value) {
        row(html, label, "data-figure=\"" + figure + "\"", Long.toString(value), format("%,d", value));
    }

    /** A row of the summary table: its cell carries {@code attributes} and the exact value, and shows it as read. */
    private static void row(StringBuilder html, String label, String attributes, String value, String shown) {
        html.append(format("<tr><td>%s</td><td class=\"number\" %s data-value=\"%s\">%s</td></tr>%n", label,
                attributes, value, shown));
    }

    private static String recall(double value) {
        return Double.isNaN(value) ? "-" : format("%.4f", value);
    }

    private static String format(String pattern, Object... args) {
        return String.format(Locale.ROOT, pattern, args);
    }
}
