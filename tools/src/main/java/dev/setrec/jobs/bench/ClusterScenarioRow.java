package dev.setrec.jobs.bench;

import com.google.gson.JsonObject;
import dev.setrec.bench.BenchmarkResults;
import dev.setrec.model.setrec.SetRec;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.TreeSet;

/**
 * The benchmark row of one scoring mode's real-cluster scenarios ({@code cluster-tests/scenarios}), read from what
 * their run left behind: the metrics the scenarios wrote ({@code <mode>/metrics.properties} under the run's cluster
 * folder) and failsafe's report of the mode's test class (how many scenarios ran, failed, were skipped).
 */
public final class ClusterScenarioRow {
    /** The scenarios' model is generated (SmallModel), like the state benchmark's users. */
    private static final String DATASET = "synthetic";

    private ClusterScenarioRow() {
    }

    /**
     * The row of scoring mode {@code mode} ("in-process" or "remote").
     *
     * @param clusterDir the scenarios' cluster folder (target/cluster of cluster-tests/scenarios)
     * @param report     failsafe's XML report of the mode's test class
     */
    public static JsonObject read(String mode, Path clusterDir, Path report, String command) throws IOException {
        Path metricsFile = clusterDir.resolve(mode).resolve("metrics.properties");
        if (!Files.exists(metricsFile)) {
            throw new IOException("no figures of the " + mode + " scenarios: " + metricsFile + " is missing (did "
                    + "their cluster start? see the logs beside it)");
        }
        Properties figures = new Properties();
        try (Reader in = Files.newBufferedReader(metricsFile)) {
            figures.load(in);
        }
        JsonObject metrics = new JsonObject();
        for (String key : new TreeSet<>(figures.stringPropertyNames())) {
            double value = Double.parseDouble(figures.getProperty(key));
            if (value == Math.rint(value)) {
                metrics.addProperty(key, (long) value);
            } else {
                metrics.addProperty(key, Math.round(value * 100) / 100.0);
            }
        }
        addScenarioCounts(metrics, report);
        return BenchmarkResults.row("reliability", DATASET, SetRec.TYPE, "cluster-" + mode, "none", metrics, command);
    }

    /** scenarios_run and scenarios_failed from a failsafe (JUnit XML) report; skipped scenarios do not count. */
    private static void addScenarioCounts(JsonObject metrics, Path report) throws IOException {
        if (!Files.exists(report)) {
            throw new IOException("no test report " + report + ": the scenarios did not run to their end");
        }
        try {
            var suite = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(report.toFile())
                    .getDocumentElement();
            int tests = Integer.parseInt(suite.getAttribute("tests"));
            int skipped = Integer.parseInt(suite.getAttribute("skipped"));
            int failed = Integer.parseInt(suite.getAttribute("failures"))
                    + Integer.parseInt(suite.getAttribute("errors"));
            metrics.addProperty("scenarios_run", tests - skipped);
            metrics.addProperty("scenarios_failed", failed);
        } catch (Exception e) {
            throw new IOException("cannot read the test report " + report + ": " + e.getMessage(), e);
        }
    }
}
