package dev.setrec.models;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.setrec.data.Dataset;
import dev.setrec.data.ItemText;
import dev.setrec.data.Split;
import dev.setrec.eval.EvalOptions;
import dev.setrec.eval.EvalReport;
import dev.setrec.eval.Evaluator;
import dev.setrec.eval.Metrics;
import dev.setrec.eval.Setting;
import dev.setrec.model.ModelIO;
import dev.setrec.model.ModelManifest;
import dev.setrec.model.Recommender;
import dev.setrec.model.setrec.ItemInputs;
import dev.setrec.model.setrec.ScoreMix;
import dev.setrec.model.setrec.SetRec;
import dev.setrec.model.setrec.SetRecTrainer;
import dev.setrec.model.setrec.SetRecTraining;
import dev.setrec.nn.Engines;
import dev.setrec.text.ItemTexts;
import dev.setrec.text.TextEncoder;
import dev.setrec.util.Directories;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A warm-started refresh of the SETRec model a models folder serves, from a window of recent interactions: the
 * serving weights are fine-tuned on the window's older events, the choices (epochs, score mix) and the decision are
 * made on its newest held-back slice ({@link RefreshWindow}; one half of its users chooses, the other decides), and
 * a version that beats the serving one there beyond chance is refitted on the whole window and added to the folder.
 * A SETRec network has no per-item parameter (items enter by their CF input and their text), so the catalogue grows
 * by the new items' texts, and an item the serving model knew only by its text gets a CF input learned from the
 * window's interactions with it: it becomes warm. No Flink type here: the refresh job and ./setrec refresh both
 * call {@link #run}.
 */
public final class Refresh {
    /** What the record of a refreshed model says as "fit". */
    public static final String FIT = "refresh";
    /**
     * How the lines of a refresh's report begin where a reader follows it: the first line, the training's start,
     * and the outcome, promoted or refused (a refusal may come before any training).
     */
    public static final String REPORT_BEGINS = "refresh of ";
    public static final String TRAINING_BEGINS = "fine-tuning on the window";
    public static final String PROMOTED = "refresh PROMOTED";
    public static final String REFUSED = "refresh REFUSED";
    /** The highest chance that the candidate's lead is luck at which it is still promoted (see leadByChance). */
    static final double MAX_CHANCE = 0.05;

    /** One interaction of the window: external user and item ids, event time in epoch millis. */
    public record Event(String user, String item, long timeMillis) {
    }

    /** An item known by its text (items that arrived on the items topic; the serving model may not know them). */
    public record NewItem(String id, ItemText text) {
    }

    /**
     * heldBackShare: newest share of the window's events held back for choices and the decision (default 0.1);
     * maxEpochs (default 5), patience (2), learningRate (default 3e-4), seed; minEvents: fewer events -> no refresh.
     * Serializable: the refresh job's refresher ships them with the job graph.
     */
    public record Settings(double heldBackShare, int maxEpochs, int patience, float learningRate, long seed,
                           int minEvents) implements Serializable {
        public static final Settings DEFAULT = new Settings(0.1, 5, 2, 3e-4f, 42, 1000);

        public Settings {
            if (!(heldBackShare > 0 && heldBackShare < 1)) {
                throw new IllegalArgumentException("the held-back share must be above 0 and below 1, got "
                        + heldBackShare);
            }
            if (maxEpochs < 1 || patience < 0 || !(learningRate > 0) || minEvents < 0) {
                throw new IllegalArgumentException("need max epochs >= 1, patience >= 0, a learning rate > 0 and "
                        + "min events >= 0");
            }
        }
    }

    /**
     * promoted: whether a new version went into the folder; version: its folder name (null when refused);
     * candidate/serving: figures on the held-back slice's deciding users (Promotion.Figures; null where not
     * evaluated);
     * newlyWarm: items whose CF input was learned from the window; record: what model.json keeps as "training".
     */
    public record Outcome(boolean promoted, String reason, String version, Promotion.Figures candidate,
                          Promotion.Figures serving, int newlyWarm, JsonObject record) {
    }

    private Refresh() {
    }

    /**
     * Refreshes the version {@code modelsFolder} serves from {@code window}, its catalogue grown by the
     * {@code newItems} it does not know (their text embedded with {@code encoder}). Bad input (no models folder, no
     * loadable SETRec version in it) is an IllegalArgumentException; a window too small to learn or decide from,
     * or a candidate not better than the serving version on the held-back slice (by the rule of
     * {@link Promotion#worseThanServing}, and beyond chance), is a refusal that writes nothing.
     */
    public static Outcome run(Path modelsFolder, List<Event> window, List<NewItem> newItems, TextEncoder encoder,
                              Settings settings, Clock clock, PrintStream log) throws IOException {
        long start = System.nanoTime();
        Path servingDir = servingSetRec(modelsFolder);
        ModelManifest manifest = ModelIO.readManifest(servingDir);
        Engines.trainOnThisThread(); // whichever thread started the engine
        try (SetRec serving = load(servingDir)) {
            ItemInputs grown = grownCatalogue(serving, newItems, encoder, log);
            RefreshWindow slice = RefreshWindow.of(window, grown, settings.heldBackShare());
            JsonObject record = windowRecord(servingDir, window.size(), slice, settings);
            log.printf(Locale.ROOT, REPORT_BEGINS + "%s: %d events (%d of items unknown dropped), %d users, %d items "
                    + "(%d new); held back from %s: %d users%n", ModelFolder.name(servingDir), slice.used(),
                    slice.dropped(), slice.data().numUsers(), grown.numItems(),
                    grown.numItems() - serving.numItems(), record.get("cut_time").getAsString(),
                    slice.heldBackUsers());
            Optional<String> tooSmall = tooSmall(slice, settings);
            if (tooSmall.isPresent()) {
                return refused(tooSmall.get(), null, null, 0, record, start, log);
            }
            Dataset data = slice.data();
            EvalReport servingReport;
            try (SetRec baseline = serving.withCatalogue(grown)) {
                servingReport = decidingReport(baseline, slice);
            }
            Promotion.Figures servingFigures = Promotion.figures(servingReport, SetRec.TYPE, servingDir,
                    manifest.version());
            SetRecTraining training = training(manifest.training(), settings);
            record.add("setrec_training", new Gson().toJsonTree(training));
            int[] learned = slice.coldRowsWithEvents(Training.Fit.TRAIN);
            log.printf(Locale.ROOT, TRAINING_BEGINS + " before the slice (CF inputs learned for %d items the "
                    + "model knew only by their text)%n", learned.length);
            Training.Trained candidate = fineTune(serving, grown, learned, training,
                    Training.sequences(data, Training.Fit.TRAIN), slice.choice(), log);
            EvalReport candidateReport;
            try (Recommender model = candidate.model()) {
                candidateReport = decidingReport(model, slice);
            }
            Promotion.Figures candidateFigures = Promotion.figures(candidateReport, SetRec.TYPE, null, "candidate");
            JsonObject chosen = chosenOnSlice(candidate.record());
            record.add("chosen_on_slice", chosen);
            JsonObject figures = new JsonObject();
            figures.add("candidate", figuresRecord(candidateFigures));
            figures.add("serving", figuresRecord(servingFigures));
            record.add("slice", figures);
            log.println("candidate: " + candidateFigures.describe());
            log.println("serving:   " + servingFigures.describe());
            Optional<String> worse = Promotion.worseThanServing(candidateFigures, servingFigures)
                    .or(() -> leadByChance(candidateReport, servingReport, record));
            if (worse.isPresent()) {
                return refused(worse.get(), candidateFigures, servingFigures, learned.length, record, start, log);
            }

            // the refit learns the CF inputs of the items the candidate learned, no other: what is promoted warms
            // only items whose warming the decision measured. An item first seen in the held-back slice stays cold
            // (its CF input predicted from text, the cold items' mix) until a later refresh's candidate learns it.
            int[] refitWarm = learned;
            log.printf(Locale.ROOT, "refitting on the whole window: %d epochs at the chosen score mix%n",
                    chosen.get("epochs").getAsInt());
            Training.Trained refit = fineTune(serving, grown, refitWarm,
                    training.forRefit(chosen.get("epochs").getAsInt(), SetRecTrainer.chosenMix(candidate.record(),
                            "best_")),
                    Training.sequences(data, Training.Fit.TRAIN_VALID), data, log);
            refit.record().entrySet().forEach(e -> record.add(e.getKey(), e.getValue()));
            record.addProperty("newly_warm", refitWarm.length);
            record.add("newly_warm_items", ids(grown, refitWarm));
            record.addProperty("train_minutes", (System.nanoTime() - start) / 6e10);
            String version;
            try (Recommender model = refit.model()) {
                version = addVersion(modelsFolder, model, record, clock);
            }
            String why = "the candidate beats the serving version on the held-back slice, beyond chance";
            log.printf(Locale.ROOT, PROMOTED + " as %s: %s (All Recall@10 %.4f over %.4f; %d items newly warm;"
                    + " %.1f s)%n", version, why, candidateFigures.allRecallAt10(), servingFigures.allRecallAt10(),
                    refitWarm.length, seconds(start));
            return new Outcome(true, why, version, candidateFigures, servingFigures, refitWarm.length, record);
        }
    }

    /** The model's evaluation on the deciding half of the held-back slice. */
    private static EvalReport decidingReport(Recommender model, RefreshWindow slice) throws IOException {
        return new Evaluator().evaluate(model, slice.decision(), EvalOptions.defaults(Split.VALID));
    }

    /**
     * Why the candidate's lead on the deciding users could be luck, if it could. Two one-sided sign tests over the
     * deciding users, each asking whether the candidate is better for so many of the users the two models tell apart
     * that a coin would rarely do as well: one on each user's Recall@10, one on each user's mean target rank in the
     * whole catalogue. The lead is real where either test's chance, doubled for having asked twice (Bonferroni), is
     * below {@link #MAX_CHANCE}. A strictly higher mean Recall@10 alone is no guard: on a window of noise the
     * candidate wins half the time. Why both: a gain that a few users' items make (newly warm ones) shows in their
     * hits while every other rank shifts a little each way, which would drown it in the rank test; a gain spread over
     * many users shows in their ranks while, at the hit rates of real data (a few per cent), the few users with a hit
     * under either model are too few for the hit test. Records both tests.
     */
    private static Optional<String> leadByChance(EvalReport candidate, EvalReport serving, JsonObject record) {
        Metrics ours = candidate.metrics(Setting.ALL);
        Metrics theirs = serving.metrics(Setting.ALL);
        SignTest hits = SignTest.of(ours.userRecallsAt10(), theirs.userRecallsAt10(), true);
        SignTest ranks = SignTest.of(ours.userTargetRanks(), theirs.userTargetRanks(), false);
        double chance = Math.min(1, 2 * Math.min(hits.chance(), ranks.chance()));
        JsonObject test = new JsonObject();
        test.add("recall@10", hits.toJson());
        test.add("target_rank", ranks.toJson());
        test.addProperty("chance", chance);
        record.add("sign_test", test);
        return chance < MAX_CHANCE ? Optional.empty() : Optional.of(String.format(Locale.ROOT, "the lead could be "
                + "chance: Recall@10 better for %d deciding users and worse for %d, their items ranked higher for %d "
                + "and lower for %d (one-sided sign tests: chance %.3f, not below %.2f)", hits.better(),
                hits.worse(), ranks.better(), ranks.worse(), chance, MAX_CHANCE));
    }

    /** A one-sided sign test of paired per-user figures: how often the candidate is better, and the chance of it. */
    private record SignTest(int better, int worse, double chance) {
        static SignTest of(double[] candidate, double[] serving, boolean higherIsBetter) {
            int better = 0;
            int worse = 0;
            for (int u = 0; u < candidate.length; u++) {
                int order = Double.compare(candidate[u], serving[u]) * (higherIsBetter ? 1 : -1);
                better += order > 0 ? 1 : 0;
                worse += order < 0 ? 1 : 0;
            }
            return new SignTest(better, worse, binomialTail(better, better + worse));
        }

        JsonObject toJson() {
            JsonObject json = new JsonObject();
            json.addProperty("users_better", better);
            json.addProperty("users_worse", worse);
            json.addProperty("chance", chance);
            return json;
        }
    }

    /** P(X >= k) for X ~ Binomial(n, 1/2), summed in log space (2^-n underflows for large n). */
    static double binomialTail(int k, int n) {
        double logPmf = -n * Math.log(2);
        double tail = 0;
        for (int j = 0; j <= n; j++) {
            if (j >= k) {
                tail += Math.exp(logPmf);
            }
            logPmf += Math.log(n - j) - Math.log(j + 1);
        }
        return Math.min(1, tail);
    }

    /** The newest complete version of the folder, which must be a SETRec model. */
    private static Path servingSetRec(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            throw new IllegalArgumentException("models folder " + folder + " does not exist");
        }
        Promotion.requireModelsFolder(folder);
        Path serving = Promotion.servingVersion(folder).orElseThrow(() -> new IllegalArgumentException(
                "the models folder " + folder + " holds no complete version to refresh"));
        String type;
        try {
            type = ModelIO.readManifest(serving).type();
        } catch (IOException e) {
            throw new IllegalArgumentException("the serving version cannot be read: " + e.getMessage(), e);
        }
        if (!SetRec.TYPE.equals(type)) {
            throw new IllegalArgumentException("the serving version " + serving + " is a " + type
                    + " model; only SETRec models are refreshed");
        }
        return serving;
    }

    private static SetRec load(Path dir) {
        try {
            return (SetRec) ModelDirs.load(dir);
        } catch (IOException e) {
            throw new IllegalArgumentException("the serving version cannot be loaded: " + e.getMessage(), e);
        }
    }

    /**
     * The serving catalogue and, after it, the new items it does not know: their text embedded, their CF input
     * predicted from it, cold. A new item the serving model knows keeps its row.
     */
    private static ItemInputs grownCatalogue(SetRec serving, List<NewItem> newItems, TextEncoder encoder,
                                             PrintStream log) {
        ItemInputs known = serving.items();
        Set<String> knownIds = new HashSet<>(Arrays.asList(known.ids()));
        Map<String, ItemText> unknown = new LinkedHashMap<>();
        for (NewItem item : newItems) {
            if (!knownIds.contains(item.id())) {
                unknown.put(item.id(), item.text());
            }
        }
        if (unknown.isEmpty()) {
            return known;
        }
        if (encoder.dim() != known.textDim()) {
            throw new IllegalArgumentException("the text encoder " + encoder.id() + " gives vectors of " + encoder.dim()
                    + " values, the serving model's item texts have " + known.textDim());
        }
        float[][] text = ItemTexts.embedAll(encoder, unknown.values().toArray(ItemText[]::new), log);
        boolean[] cold = new boolean[text.length];
        Arrays.fill(cold, true);
        return known.append(new ItemInputs(unknown.keySet().toArray(String[]::new), serving.predictCf(text), text,
                cold));
    }

    /** Why the window is too small to learn or decide from, if it is. */
    private static Optional<String> tooSmall(RefreshWindow slice, Settings settings) {
        if (slice.used() < settings.minEvents()) {
            return Optional.of(slice.used() + " events of known or new items in the window, fewer than the "
                    + settings.minEvents() + " a refresh needs");
        }
        if (slice.heldBackUsers() < 2) {
            return Optional.of("fewer than 2 users of the held-back slice have an earlier event in the window to be "
                    + "scored from (one half of them chooses, the other decides)");
        }
        if (!slice.hasTrainingTargets()) {
            return Optional.of("no user has two events before the held-back slice to learn from");
        }
        return Optional.empty();
    }

    /**
     * How the refresh trains: the loss settings of the serving model's own training where its record keeps them
     * (else the defaults), with the refresh's epochs, patience, learning rate and seed; no warm-up, no weight average
     * and no time budget (all three are for a start from random weights, not for a few epochs from trained ones).
     */
    private static SetRecTraining training(JsonObject servingRecord, Settings settings) {
        SetRecTraining base = null;
        if (servingRecord.has("setrec_training")) {
            try {
                base = new Gson().fromJson(servingRecord.get("setrec_training"), SetRecTraining.class);
            } catch (RuntimeException e) { // a record of another shape: the defaults
                base = null;
            }
        }
        return (base == null ? SetRecTraining.DEFAULT : base).toBuilder().learningRate(settings.learningRate())
                .maxEpochs(settings.maxEpochs()).patience(settings.patience()).seed(settings.seed()).fixedEpochs(0)
                .timeBudgetMinutes(0).fixedMix(ScoreMix.Fixed.NONE).warmupSteps(0).weightAverage(0f).build();
    }

    /**
     * The serving weights fine-tuned on {@code sequences} over the grown catalogue, the CF inputs of {@code learned}
     * (rows the serving model knew by text only) learned with them; then the text-to-CF map refitted with those
     * rows warm (it is a function of the warm rows). Returns the model and its training record.
     */
    private static Training.Trained fineTune(SetRec serving, ItemInputs grown, int[] learned,
                                             SetRecTraining training, List<int[]> sequences, Dataset data,
                                             PrintStream log) {
        try (SetRec warm = serving.warmStart(grown.warmed(learned), training)) {
            JsonObject run = new SetRecTrainer(training, log).train(warm, sequences, data, learned);
            return new Training.Trained(warm.warmStart(warm.items(), training), run);
        }
    }

    /** What the candidate chose on the slice: the epochs a refit runs, the score mix, its slice Recall@10. */
    private static JsonObject chosenOnSlice(JsonObject run) {
        JsonObject chosen = new JsonObject();
        chosen.addProperty("epochs", Math.max(1, run.get("best_epoch").getAsInt()));
        chosen.add("valid_recall@10", run.get("best_valid_recall@10"));
        ScoreMix mix = SetRecTrainer.chosenMix(run, "best_");
        chosen.addProperty("beta", mix.beta());
        chosen.addProperty("beta_cold", mix.betaCold());
        chosen.addProperty("cold_shift", mix.coldShift());
        chosen.addProperty("stop_reason", run.get("stop_reason").getAsString());
        return chosen;
    }

    private static JsonObject windowRecord(Path servingDir, int windowEvents, RefreshWindow slice,
                                           Settings settings) {
        JsonObject record = new JsonObject();
        record.addProperty("fit", FIT);
        record.addProperty("from_version", ModelFolder.name(servingDir));
        record.addProperty("window_events", windowEvents);
        record.addProperty("events_used", slice.used());
        record.addProperty("events_dropped_unknown_item", slice.dropped());
        record.addProperty("users", slice.data().numUsers());
        record.addProperty("held_back_share", settings.heldBackShare());
        record.addProperty("cut_time", slice.cutMillis() == Long.MAX_VALUE ? "-"
                : Instant.ofEpochMilli(slice.cutMillis()).toString());
        record.addProperty("held_back_users", slice.heldBackUsers());
        record.addProperty("deciding_users", slice.heldBackUsers() / 2);
        return record;
    }

    private static JsonObject figuresRecord(Promotion.Figures figures) {
        JsonObject json = new JsonObject();
        json.addProperty("version", figures.version());
        json.addProperty("all_recall@10", figures.allRecallAt10());
        json.addProperty("cold_recall@10", figures.coldRecallAt10());
        json.addProperty("cold_users", figures.coldUsers());
        return json;
    }

    private static JsonArray ids(ItemInputs items, int[] rows) {
        JsonArray ids = new JsonArray();
        for (int row : rows) {
            ids.add(items.ids()[row]);
        }
        return ids;
    }

    private static Outcome refused(String reason, Promotion.Figures candidate, Promotion.Figures serving,
                                   int newlyWarm, JsonObject record, long start, PrintStream log) {
        record.addProperty("refused", reason);
        log.printf(Locale.ROOT, REFUSED + ": %s (%.1f s)%n", reason, seconds(start));
        return new Outcome(false, reason, null, candidate, serving, newlyWarm, record);
    }

    /**
     * Saves the model as the folder's next version: written and hashed under a dot name in the folder, then moved
     * into place by {@link ModelFolder#addVersion} (a rename, atomic), so no reader sees it half written.
     */
    private static String addVersion(Path folder, Recommender model, JsonObject record, Clock clock)
            throws IOException {
        Path staged = Files.createTempDirectory(folder, ".refresh-");
        try {
            ModelIO.save(model, staged, record);
            String name = Promotion.nextVersionName(folder, ModelIO.readManifest(staged).version(), clock);
            ModelFolder.addVersion(folder, name, dir -> Files.move(staged, dir, StandardCopyOption.ATOMIC_MOVE));
            return name;
        } finally {
            Directories.deleteTree(staged);
        }
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
