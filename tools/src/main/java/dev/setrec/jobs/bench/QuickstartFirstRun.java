package dev.setrec.jobs.bench;

import com.google.gson.JsonObject;
import dev.setrec.bench.BenchmarkResults;
import dev.setrec.jobs.quickstart.Milestones;
import dev.setrec.model.setrec.SetRec;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The benchmark row of a first quickstart, read from its console line by line: the data set from its "data: NAME:
 * ..." line, and the milestone lines ({@link Milestones}), timed from the launch of {@code ./setrec quickstart}.
 */
public final class QuickstartFirstRun {
    private static final Pattern DATA = Pattern.compile("^data: ([^:\\s]+): ");

    private String dataset;
    private final Map<String, Double> launchSeconds = new HashMap<>();

    /** One console line; lines that say nothing timed are passed over. */
    public void read(String line) {
        Matcher data = DATA.matcher(line);
        if (data.find() && dataset == null) {
            dataset = data.group(1);
        }
        Optional<Milestones.Milestone> milestone = Milestones.parse(line);
        milestone.filter(m -> !Double.isNaN(m.launchSeconds()))
                .ifPresent(m -> launchSeconds.putIfAbsent(m.name(), m.launchSeconds()));
    }

    /** Whether the console said the data set and both milestones. */
    public boolean complete() {
        return dataset != null && launchSeconds.containsKey(Milestones.FIRST_RECOMMENDATION)
                && launchSeconds.containsKey(Milestones.SETREC_SERVING);
    }

    /** Benchmark quickstart, metrics first_rec_s and setrec_serving_s; only when {@link #complete()}. */
    public JsonObject row(String command) {
        if (!complete()) {
            throw new IllegalStateException("the console did not say the data set and both milestones");
        }
        JsonObject metrics = new JsonObject();
        metrics.addProperty("first_rec_s", launchSeconds.get(Milestones.FIRST_RECOMMENDATION));
        metrics.addProperty("setrec_serving_s", launchSeconds.get(Milestones.SETREC_SERVING));
        return BenchmarkResults.row("quickstart", dataset, SetRec.TYPE, "fresh-clone", "none", metrics, command);
    }
}
