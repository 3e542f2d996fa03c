package dev.setrec.jobs.quickstart;

import dev.setrec.models.Promotion;
import dev.setrec.schemas.ModelVersion;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * What the refresh job published on model-versions during a run, in order, and the names the run shows for the
 * versions it serves: its own models' names (the quick SETRec and its refit) and, for a version a refresh promoted,
 * "refresh" and the stamp of its name. Fed by {@link LiveView} (any thread), read by the board and the report.
 */
public final class RefreshOutcomes {
    private static final int SHORT_VERSION = 12;

    private final Supplier<Map<String, String>> runModelNames;
    private final String schedule;
    private final List<ModelVersion> outcomes = new CopyOnWriteArrayList<>();
    private final Map<String, String> refreshedNames = new HashMap<>();

    /**
     * @param runModelNames the run's own models' names by the version their recommendations carry
     * @param schedule how the refresh runs, in words ("every 2 min", "off (--no-refresh)")
     */
    public RefreshOutcomes(Supplier<Map<String, String>> runModelNames, String schedule) {
        this.runModelNames = runModelNames;
        this.schedule = schedule;
    }

    /** A refresh's outcome as read from model-versions; returns its console line. */
    public String accept(ModelVersion outcome) {
        outcomes.add(outcome);
        if (outcome.getPromoted() && outcome.getVersion() != null) {
            String name = outcome.getVersion().toString();
            Promotion.modelVersionOf(name).ifPresent(version -> named(version,
                    "refresh " + name.substring(0, name.length() - version.length() - 1)));
        }
        return line(outcome);
    }

    private synchronized void named(String modelVersion, String name) {
        refreshedNames.put(modelVersion, name);
    }

    /** The outcomes so far, in the order they were published. */
    public List<ModelVersion> outcomes() {
        return List.copyOf(outcomes);
    }

    /** The names of the served models by the version their recommendations carry: the run's and the refreshed. */
    public synchronized Map<String, String> modelNames() {
        Map<String, String> names = new HashMap<>(runModelNames.get());
        names.putAll(refreshedNames);
        return names;
    }

    /** A served model's short name: its name where the run knows it, else its version's first characters. */
    public String shortName(String modelVersion) {
        String name = modelNames().get(modelVersion);
        return name != null ? name
                : "SETRec " + modelVersion.substring(0, Math.min(SHORT_VERSION, modelVersion.length()));
    }

    /** The refresh's schedule and its outcomes so far, counted: "refresh every 2 min: 1 promoted, 2 refused". */
    public String describe() {
        long promoted = outcomes.stream().filter(ModelVersion::getPromoted).count();
        return format("refresh %s: %d promoted, %d refused", schedule, promoted, outcomes.size() - promoted);
    }

    /**
     * One line per outcome: "PROMOTED name: All R@10 candidate vs serving on the slice, newly warm items" or
     * "REFUSED: reason", with the window it learned from and how long it took.
     */
    public static String line(ModelVersion outcome) {
        long seconds = Math.round((outcome.getFinishedTime().toEpochMilli()
                - outcome.getStartedTime().toEpochMilli()) / 1000.0);
        String window = format("(window %,d interactions, %d s)", outcome.getWindowEvents(), seconds);
        if (!outcome.getPromoted()) {
            return format("REFUSED: %s %s", outcome.getReason(), window);
        }
        return format("PROMOTED %s: All R@10 %s vs %s serving on the slice, %d newly warm items %s",
                outcome.getVersion(), recall(outcome.getCandidateAllRecall10()),
                recall(outcome.getServingAllRecall10()), outcome.getNewlyWarm(), window);
    }

    static String recall(Double value) {
        return Optional.ofNullable(value).filter(Double::isFinite).map(v -> format("%.4f", v)).orElse("-");
    }

    private static String format(String pattern, Object... args) {
        return String.format(Locale.ROOT, pattern, args);
    }
}
