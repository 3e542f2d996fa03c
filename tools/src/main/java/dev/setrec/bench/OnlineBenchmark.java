package dev.setrec.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.setrec.data.Dataset;
import dev.setrec.data.Split;
import dev.setrec.jobs.quickstart.ReplayPlan;
import dev.setrec.model.Recommender;
import dev.setrec.models.ModelDirs;
import dev.setrec.models.ModelFolder;
import dev.setrec.models.Promotion;
import dev.setrec.models.Refresh;
import dev.setrec.text.TextEncoder;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Prequential ("test, then train") replay of a data set's held-back interactions, valid then test, each user's order
 * kept ({@link ReplayPlan}): after every event the user gets a top ten, scored against that user's next real item
 * (Recall@10 of one target: a hit or not; Warm and Cold by whether that item had train interactions). Two pipelines
 * see the same events: the frozen model, and the same model refreshed ({@link Refresh}) after each of
 * {@code refreshes} equal segments of the replay, from a window of the newest interactions (the train split's last
 * items of each user, then every replayed one); a refused refresh leaves the serving version in place.
 * <p>
 * Freshness: the replay has no wall clock of its own. At one refresh per {@code interval} of traffic, an interaction
 * waits at most the interval for the refresh that learns from it, then that refresh's measured run time:
 * freshness_s = interval + the longest refresh.
 */
public final class OnlineBenchmark {
    private static final int TOP = 10;
    private static final int HISTORY = 50;
    private static final int BATCH = 256;

    /**
     * @param refreshes refreshes during the replay (the replay is cut into refreshes + 1 equal segments)
     * @param windowEvents the newest interactions a refresh learns from
     * @param interval the traffic time one segment stands for (freshness only)
     */
    public record Settings(int refreshes, int windowEvents, Duration interval, Refresh.Settings refresh, long seed) {
        public Settings {
            if (refreshes < 1 || windowEvents < 1) {
                throw new IllegalArgumentException("--refreshes and --window-events must be positive");
            }
        }
    }

    /** Hits and events of one pipeline, All / Warm / Cold. */
    private static final class Tally {
        private final long[] hits = new long[3];
        private final long[] events = new long[3];

        void add(boolean hit, boolean cold) {
            for (int setting : new int[] {0, cold ? 2 : 1}) {
                events[setting]++;
                hits[setting] += hit ? 1 : 0;
            }
        }

        double recall(int setting) {
            return events[setting] == 0 ? Double.NaN : (double) hits[setting] / events[setting];
        }
    }

    private static final String[] SETTINGS = {"all", "warm", "cold"};

    private final Dataset data;
    private final Path model;
    private final TextEncoder encoder;
    private final Settings settings;
    private final String command;
    private final PrintStream log;

    public OnlineBenchmark(Dataset data, Path model, TextEncoder encoder, Settings settings, String command,
                           PrintStream log) {
        this.data = data;
        this.model = model;
        this.encoder = encoder;
        this.settings = settings;
        this.command = command;
        this.log = log;
    }

    /** Runs the replay; the row of benchmark "online". */
    public JsonObject run() throws IOException {
        List<ReplayPlan.Event> events = ReplayPlan.of(data, settings.seed(), 0).events();
        Path folder = Files.createTempDirectory("setrec-online-models");
        try {
            Promotion.Decision initial = Promotion.decide(model, folder, data, Split.VALID, Clock.systemUTC());
            if (!initial.promoted()) {
                throw new IllegalArgumentException("--model " + model + ": " + initial.reason());
            }
            return replay(events, folder);
        } finally {
            dev.setrec.util.Directories.deleteTree(folder);
        }
    }

    private JsonObject replay(List<ReplayPlan.Event> events, Path folder) throws IOException {
        Map<String, List<Integer>> histories = trainHistories();
        List<Refresh.Event> window = trainTail();
        Tally frozen = new Tally();
        Tally refreshed = new Tally();
        JsonArray refreshes = new JsonArray();
        JsonArray bySegment = new JsonArray();
        double longestRefresh = 0;
        int segments = settings.refreshes() + 1;
        try (Recommender frozenModel = ModelDirs.load(folder.resolve(newest(folder)))) {
            Recommender serving = null;
            try {
                for (int s = 0; s < segments; s++) {
                    List<ReplayPlan.Event> segment = events.subList(s * events.size() / segments,
                            (s + 1) * events.size() / segments);
                    Tally frozenHere = new Tally();
                    Tally refreshedHere = new Tally();
                    if (serving == null) { // no version promoted yet: both pipelines serve the frozen model
                        score(frozenModel, segment, histories, frozen, frozenHere, refreshed, refreshedHere);
                    } else {
                        score(frozenModel, segment, histories, frozen, frozenHere);
                        score(serving, segment, histories, refreshed, refreshedHere);
                    }
                    log.printf(Locale.ROOT, "segment %d/%d (%d events): Recall@10 frozen %.4f, refreshed %.4f%n",
                            s + 1, segments, segment.size(), frozenHere.recall(0), refreshedHere.recall(0));
                    bySegment.add(segmentFigures(s + 1, frozenHere, refreshedHere));
                    learn(segment, histories, window, s * events.size() / segments);
                    if (s == segments - 1) {
                        break;
                    }
                    long start = System.nanoTime();
                    Refresh.Outcome outcome = Refresh.run(folder, newest(window), List.of(), encoder,
                            settings.refresh(), Clock.systemUTC(), log);
                    double seconds = (System.nanoTime() - start) / 1e9;
                    longestRefresh = Math.max(longestRefresh, seconds);
                    refreshes.add(describe(outcome, seconds));
                    log.printf(Locale.ROOT, "refresh %d: %s in %.0f s (%s)%n", s + 1,
                            outcome.promoted() ? "promoted " + outcome.version() : "refused", seconds,
                            outcome.reason());
                    if (outcome.promoted()) {
                        if (serving != null) {
                            serving.close();
                        }
                        serving = ModelDirs.load(folder.resolve(outcome.version()));
                    }
                }
            } finally {
                if (serving != null) {
                    serving.close();
                }
            }
        }
        JsonObject row = row(frozen, refreshed, refreshes, longestRefresh);
        row.add("segments", bySegment);
        return row;
    }

    /** All Recall@10 of both pipelines over one segment of the replay (the plot's points). */
    private static JsonObject segmentFigures(int segment, Tally frozen, Tally refreshed) {
        JsonObject figures = new JsonObject();
        figures.addProperty("segment", segment);
        figures.addProperty("events", frozen.events[0]);
        figures.addProperty("frozen_recall@10", frozen.recall(0));
        figures.addProperty("refreshed_recall@10", refreshed.recall(0));
        return figures;
    }

    private JsonObject row(Tally frozen, Tally refreshed, JsonArray refreshes, double longestRefresh) {
        JsonObject metrics = new JsonObject();
        for (int setting = 0; setting < SETTINGS.length; setting++) {
            JsonObject m = new JsonObject();
            m.addProperty("frozen_recall@10", frozen.recall(setting));
            m.addProperty("refreshed_recall@10", refreshed.recall(setting));
            m.addProperty("online_recall_lift", refreshed.recall(setting) / frozen.recall(setting));
            m.addProperty("events", frozen.events[setting]);
            metrics.add(SETTINGS[setting], m);
        }
        metrics.addProperty("all_lift", rounded(refreshed.recall(0) / frozen.recall(0)));
        metrics.addProperty("cold_lift", rounded(refreshed.recall(2) / frozen.recall(2)));
        metrics.addProperty("freshness_s", settings.interval().toSeconds() + longestRefresh);
        metrics.addProperty("longest_refresh_s", longestRefresh);
        String variant = "refresh-" + settings.refreshes();
        JsonObject row = BenchmarkResults.row("online", data.name(), "setrec", variant, "valid+test", metrics,
                command);
        row.add("refreshes", refreshes);
        row.add("targets", Targets.check(targets(variant), variant, 0, metrics));
        row.addProperty("details", String.format(Locale.ROOT, "%d refreshes over %d-event windows, an interval "
                + "standing for %d s of traffic", settings.refreshes(), settings.windowEvents(),
                settings.interval().toSeconds()));
        return row;
    }

    /** Three decimals: the lift as the page shows it, no float noise in the JSON. */
    private static double rounded(double lift) {
        return Math.round(lift * 1000) / 1000.0;
    }

    /** Issue 17's targets for a replay with refreshes (the row's variant). */
    private static List<Targets.Target> targets(String variant) {
        String source = "refresh issue: prequential replay on 2 cores";
        return List.of(new Targets.Target("all_lift", true, 1.15, List.of(variant), 0, source),
                new Targets.Target("cold_lift", true, 1.0, List.of(variant), 0, source),
                new Targets.Target("freshness_s", false, 600, List.of(variant), 0, source));
    }

    private static JsonObject describe(Refresh.Outcome outcome, double seconds) {
        JsonObject r = new JsonObject();
        r.addProperty("promoted", outcome.promoted());
        r.addProperty("reason", outcome.reason());
        r.addProperty("seconds", seconds);
        r.addProperty("newly_warm", outcome.newlyWarm());
        if (outcome.candidate() != null) {
            r.addProperty("candidate_recall@10", outcome.candidate().allRecallAt10());
        }
        if (outcome.serving() != null) {
            r.addProperty("serving_recall@10", outcome.serving().allRecallAt10());
        }
        return r;
    }

    /** Scores every event of {@code segment} by {@code model}: the user's history through it, against the next item. */
    private void score(Recommender model, List<ReplayPlan.Event> segment, Map<String, List<Integer>> histories,
                       Tally... tallies) {
        Map<String, List<Integer>> seen = new HashMap<>();
        List<int[]> batch = new ArrayList<>(BATCH);
        List<Integer> targets = new ArrayList<>(BATCH);
        for (ReplayPlan.Event e : segment) {
            List<Integer> history = seen.computeIfAbsent(e.userId(),
                    u -> new ArrayList<>(histories.getOrDefault(u, List.of())));
            history.add(row(e.itemId()));
            if (e.nextItemId() == null) {
                continue;
            }
            batch.add(last(history));
            targets.add(row(e.nextItemId()));
            if (batch.size() == BATCH) {
                scoreBatch(model, batch, targets, tallies);
            }
        }
        scoreBatch(model, batch, targets, tallies);
    }

    private void scoreBatch(Recommender model, List<int[]> batch, List<Integer> targets, Tally... tallies) {
        if (batch.isEmpty()) {
            return;
        }
        int n = model.numItems();
        float[] scores = new float[batch.size() * n];
        model.score(batch, scores);
        for (int b = 0; b < batch.size(); b++) {
            int target = targets.get(b);
            float own = scores[b * n + target];
            int above = 0;
            for (int i = b * n; i < (b + 1) * n && above < TOP; i++) {
                above += scores[i] > own ? 1 : 0;
            }
            boolean cold = data.isCold(target);
            for (Tally tally : tallies) {
                tally.add(above < TOP, cold);
            }
        }
        batch.clear();
        targets.clear();
    }

    /** The segment's events join the users' histories and the refresh window (times follow the replay order). */
    private static void learn(List<ReplayPlan.Event> segment, Map<String, List<Integer>> histories,
                              List<Refresh.Event> window, int firstIndex) {
        for (int k = 0; k < segment.size(); k++) {
            ReplayPlan.Event e = segment.get(k);
            histories.computeIfAbsent(e.userId(), u -> new ArrayList<>()).add(row(e.itemId()));
            window.add(new Refresh.Event(e.userId(), e.itemId(), firstIndex + k));
        }
    }

    private Map<String, List<Integer>> trainHistories() {
        Map<String, List<Integer>> histories = new HashMap<>();
        for (int u = 0; u < data.numUsers(); u++) {
            List<Integer> items = new ArrayList<>();
            for (int item : data.sequence(u, Split.TRAIN)) {
                items.add(item);
            }
            histories.put(data.userExternalId(u), items);
        }
        return histories;
    }

    /**
     * The train split as window events: the split has no time order across users, so a user's k-th last train item
     * gets time -k, and a bounded window keeps every user's last items first.
     */
    private List<Refresh.Event> trainTail() {
        List<Refresh.Event> events = new ArrayList<>();
        for (int u = 0; u < data.numUsers(); u++) {
            int[] items = data.sequence(u, Split.TRAIN);
            for (int p = 0; p < items.length; p++) {
                events.add(new Refresh.Event(data.userExternalId(u), Integer.toString(items[p]), p - items.length));
            }
        }
        return events;
    }

    private List<Refresh.Event> newest(List<Refresh.Event> window) {
        return window.stream().sorted((a, b) -> Long.compare(b.timeMillis(), a.timeMillis()))
                .limit(settings.windowEvents()).toList();
    }

    private static String newest(Path folder) throws IOException {
        return ModelFolder.completeVersions(folder).get(0).getFileName().toString();
    }

    private static int[] last(List<Integer> history) {
        int from = Math.max(0, history.size() - HISTORY);
        return history.subList(from, history.size()).stream().mapToInt(Integer::intValue).toArray();
    }

    private static int row(String itemId) {
        return Integer.parseInt(itemId);
    }
}
