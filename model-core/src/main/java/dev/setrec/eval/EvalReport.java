package dev.setrec.eval;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.setrec.data.Split;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;

/**
 * The result of one evaluation: metrics per setting, plus how it was run and how many users were skipped for
 * having no history (they are reported, never silently dropped).
 */
public record EvalReport(Split split, boolean excludeSeen, int skippedNoHistory, Map<Setting, Metrics> metrics) {
    public EvalReport {
        if (!metrics.keySet().containsAll(EnumSet.allOf(Setting.class))) {
            throw new IllegalArgumentException("metrics must cover every setting");
        }
        metrics = Collections.unmodifiableMap(new EnumMap<>(metrics));
    }

    public Metrics metrics(Setting setting) {
        return metrics.get(setting);
    }

    /**
     * The {@code --json} report. The first keys are exactly the contract (DESIGN.md section 3):
     * {@code {"all":{"recall@5":..,"recall@10":..,"ndcg@5":..,"ndcg@10":..,"users":N},"warm":{..},"cold":{..},
     * "beta":..}}; the extra keys (the rest of the model's score mix, then split, exclude_seen, skipped_no_history)
     * come after them.
     *
     * @param mix the model's score mix in order, "beta" (its CF/semantic mixing weight) first, e.g. SETRec's
     *            beta_cold and cold_shift after it; null or without "beta" (written as null) when the model has none
     */
    public String toJson(Map<String, Double> mix) {
        JsonObject root = new JsonObject();
        for (Setting s : Setting.values()) {
            Metrics m = metrics(s);
            JsonObject o = new JsonObject();
            o.addProperty("recall@5", m.recallAt5());
            o.addProperty("recall@10", m.recallAt10());
            o.addProperty("ndcg@5", m.ndcgAt5());
            o.addProperty("ndcg@10", m.ndcgAt10());
            o.addProperty("users", m.users());
            root.add(s.label(), o);
        }
        Map<String, Double> keys = mix == null ? Map.of() : mix;
        root.addProperty("beta", keys.get("beta"));
        keys.forEach((key, value) -> root.addProperty(key, value)); // "beta" again: same place, same value
        root.addProperty("split", split.label());
        root.addProperty("exclude_seen", excludeSeen);
        root.addProperty("skipped_no_history", skippedNoHistory);
        return new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(root);
    }

    /** A fixed-width console table, 4 decimals, followed by one line on how it was run. */
    public String toTable() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-8s %8s %10s %10s %10s %10s%n",
                "setting", "users", "recall@5", "recall@10", "ndcg@5", "ndcg@10"));
        for (Setting s : Setting.values()) {
            Metrics m = metrics(s);
            sb.append(String.format(Locale.ROOT, "%-8s %8d %10.4f %10.4f %10.4f %10.4f%n",
                    s.label(), m.users(), m.recallAt5(), m.recallAt10(), m.ndcgAt5(), m.ndcgAt10()));
        }
        sb.append(String.format(Locale.ROOT, "split=%s exclude_seen=%b skipped_no_history=%d%n",
                split.label(), excludeSeen, skippedNoHistory));
        return sb.toString();
    }
}
