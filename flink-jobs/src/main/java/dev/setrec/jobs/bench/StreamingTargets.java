package dev.setrec.jobs.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import java.util.List;

/**
 * The streaming issue's targets, checked by the benchmark itself so that BENCHMARKS.md states for each whether it
 * was met and by how much it was missed. They are reported, not tuned for.
 */
final class StreamingTargets {
    /**
     * @param atLeast        whether the measured value must be at least (else at most) the target
     * @param modes          the delivery modes (variants) the target is for
     * @param minOfferedRate the target holds only under at least this offered load (events/s asked for); 0 = any
     */
    private record Target(String metric, boolean atLeast, double target, List<String> modes, double minOfferedRate,
                          String source) {
    }

    private static final String AT_LEAST_ONCE = "at_least_once";
    private static final String EXACTLY_ONCE = "exactly_once";
    private static final List<Target> TARGETS = List.of(
            new Target("events_per_s", true, 1000, List.of(AT_LEAST_ONCE), 0,
                    "streaming issue: at-least-once on 2 cores"),
            new Target("p99_ms", false, 250, List.of(AT_LEAST_ONCE), 1000,
                    "streaming issue: at-least-once on 2 cores, at 1000 events/s offered"),
            // the issue does not name a mode here; exactly-once adds the wait for the commit and is held to it too
            new Target("item_onboard_max_ms", false, 1000, List.of(AT_LEAST_ONCE, EXACTLY_ONCE), 0,
                    "streaming issue: a new item recommendable within a second of its event (every one measured)"));

    private StreamingTargets() {
    }

    /** The checks that apply to a row of this mode, run at {@code offeredRate} events/s asked for. */
    static JsonArray check(String variant, double offeredRate, JsonObject metrics) {
        JsonArray out = new JsonArray();
        for (Target t : TARGETS) {
            if (!t.modes().contains(variant) || offeredRate < t.minOfferedRate()) {
                continue;
            }
            double measured = metrics.get(t.metric()).getAsDouble();
            double shortBy = t.atLeast() ? t.target() - measured : measured - t.target();
            JsonObject check = new JsonObject();
            check.addProperty("metric", t.metric());
            check.addProperty("comparison", t.atLeast() ? "at_least" : "at_most");
            check.addProperty("target", t.target());
            check.addProperty("measured", measured);
            check.addProperty("met", shortBy <= 0);
            check.addProperty("gap", Math.round(Math.max(0, shortBy) * 1e4) / 1e4); // no float noise in the JSON
            check.addProperty("source", t.source());
            out.add(check);
        }
        return out;
    }
}
