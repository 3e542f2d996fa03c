package dev.setrec.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import java.util.List;

/**
 * Speed targets of the issues, checked by the benchmarks themselves so that BENCHMARKS.md states for each whether it
 * was met and by how much it was missed. They are reported, not tuned for.
 */
public final class Targets {
    /**
     * @param atLeast        whether the measured value must be at least (else at most) the target
     * @param variants       the variants (modes) of a benchmark the target is for
     * @param minOfferedRate the target holds only under at least this offered load; 0 = any
     */
    public record Target(String metric, boolean atLeast, double target, List<String> variants, double minOfferedRate,
                         String source) {
    }

    private Targets() {
    }

    /** The checks of {@code targets} that apply to a row of {@code variant}, run at {@code offeredRate}. */
    public static JsonArray check(List<Target> targets, String variant, double offeredRate, JsonObject metrics) {
        JsonArray out = new JsonArray();
        for (Target t : targets) {
            if (!t.variants().contains(variant) || offeredRate < t.minOfferedRate()) {
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
