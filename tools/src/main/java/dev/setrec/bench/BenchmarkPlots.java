package dev.setrec.bench;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/** The PNG plots of BENCHMARKS.md (JFreeChart, drawn headless), each from rows of results.json. */
final class BenchmarkPlots {
    /** Where the plots go, relative to the folder of BENCHMARKS.md. */
    static final String FOLDER = "benchmarks/plots";
    private static final int WIDTH = 800;
    private static final int HEIGHT = 420;
    private static final String[] SETTINGS = {"all", "warm", "cold"};

    static {
        // no display on servers and CI; set before JFreeChart touches AWT
        System.setProperty("java.awt.headless", "true");
    }

    /** A plot: its file name in {@link #FOLDER}, its title (the image's alt text) and how to draw it. */
    record Plot(String file, String title, Supplier<JFreeChart> chart) {
        void save(Path folder) throws IOException {
            JFreeChart drawn = chart.get();
            drawn.getPlot().setBackgroundPaint(Color.WHITE);
            ChartUtils.saveChartAsPNG(folder.resolve(file).toFile(), drawn, WIDTH, HEIGHT);
        }
    }

    private BenchmarkPlots() {
    }

    /** Recall@10 of each model's row in the all, warm and cold settings. */
    static Plot quality(String dataset, List<JsonObject> rows) {
        String title = "Recall@10 on the test split of " + dataset;
        return new Plot("quality-" + dataset + ".png", title, () -> {
            DefaultCategoryDataset data = new DefaultCategoryDataset();
            for (JsonObject r : rows) {
                for (String setting : SETTINGS) {
                    data.addValue(r.getAsJsonObject("metrics").getAsJsonObject(setting).get("recall@10").getAsDouble(),
                            BenchmarkResults.text(r, "model"), setting);
                }
            }
            return ChartFactory.createBarChart(title, "setting", "Recall@10", data);
        });
    }

    /** p50 and p99 event-to-recommendation latency of each delivery mode at its offered load. */
    static Plot streamingLatency(List<JsonObject> rows) {
        String title = "Streaming: event-to-recommendation latency at the offered load";
        return new Plot("streaming-latency.png", title, () -> {
            DefaultCategoryDataset data = new DefaultCategoryDataset();
            for (JsonObject r : rows) {
                String mode = BenchmarkResults.text(r, "dataset") + ", " + BenchmarkResults.text(r, "variant");
                JsonObject m = r.getAsJsonObject("metrics");
                data.addValue(m.get("p50_ms").getAsDouble(), "p50", mode);
                data.addValue(m.get("p99_ms").getAsDouble(), "p99", mode);
            }
            return ChartFactory.createBarChart(title, "data set, delivery mode", "ms", data);
        });
    }

    /** The model server's p50 and p99 latency against the offered load (its load sweep). */
    static Plot serverLatency(List<JsonObject> rows) {
        String title = "Model server: latency against offered load";
        return new Plot("server-latency.png", title, () -> {
            XYSeriesCollection data = new XYSeriesCollection();
            for (JsonObject r : rows) {
                String dataset = BenchmarkResults.text(r, "dataset");
                XYSeries p50 = new XYSeries("p50, " + dataset);
                XYSeries p99 = new XYSeries("p99, " + dataset);
                for (JsonElement e : r.getAsJsonObject("metrics").getAsJsonArray("load_sweep")) {
                    JsonObject point = e.getAsJsonObject();
                    p50.add(point.get("offered_per_s").getAsDouble(), point.get("p50_ms").getAsDouble());
                    p99.add(point.get("offered_per_s").getAsDouble(), point.get("p99_ms").getAsDouble());
                }
                data.addSeries(p50);
                data.addSeries(p99);
            }
            JFreeChart chart = ChartFactory.createXYLineChart(title, "offered users/s", "ms", data,
                    PlotOrientation.VERTICAL, true, false, false);
            chart.getXYPlot().setRenderer(new XYLineAndShapeRenderer(true, true));
            return chart;
        });
    }

    /** All Recall@10 of the frozen and the refreshed model over each segment of the online replay. */
    static Plot online(List<JsonObject> rows) {
        String title = "Online: All Recall@10 per segment of the replay, frozen and refreshed";
        return new Plot("online-recall.png", title, () -> {
            XYSeriesCollection data = new XYSeriesCollection();
            for (JsonObject r : rows) {
                if (!r.has("segments")) {
                    continue;
                }
                String run = BenchmarkResults.text(r, "dataset") + ", " + BenchmarkResults.text(r, "variant");
                XYSeries frozen = new XYSeries("frozen, " + run);
                XYSeries refreshed = new XYSeries("refreshed, " + run);
                for (JsonElement e : r.getAsJsonArray("segments")) {
                    JsonObject segment = e.getAsJsonObject();
                    frozen.add(segment.get("segment").getAsDouble(), segment.get("frozen_recall@10").getAsDouble());
                    refreshed.add(segment.get("segment").getAsDouble(),
                            segment.get("refreshed_recall@10").getAsDouble());
                }
                data.addSeries(frozen);
                data.addSeries(refreshed);
            }
            JFreeChart chart = ChartFactory.createXYLineChart(title, "segment (a refresh after each)", "Recall@10",
                    data, PlotOrientation.VERTICAL, true, false, false);
            chart.getXYPlot().setRenderer(new XYLineAndShapeRenderer(true, true));
            return chart;
        });
    }
}
