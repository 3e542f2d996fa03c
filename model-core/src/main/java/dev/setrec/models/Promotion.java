package dev.setrec.models;

import com.google.gson.JsonObject;
import dev.setrec.data.Dataset;
import dev.setrec.data.Split;
import dev.setrec.eval.EvalOptions;
import dev.setrec.eval.EvalReport;
import dev.setrec.eval.Evaluator;
import dev.setrec.eval.Metrics;
import dev.setrec.eval.Setting;
import dev.setrec.model.ModelIO;
import dev.setrec.model.Recommender;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Promotion with guardrails: a candidate model dir becomes a new version of a models folder (subfolders are
 * versions; the newest complete one, last by name with model.json and no leading dot, serves) only when it is
 * better than the serving version on a held-back slice. The candidate must load and score; where a version serves,
 * both are evaluated on the same slice and the candidate needs a strictly higher All Recall@10 and, where the slice
 * has cold users, a Cold Recall@10 not lower. A promoted candidate is copied in under a name that sorts after every
 * existing version, written atomically; a refusal writes nothing.
 */
public final class Promotion {
    /** Version names start with the UTC time of promotion; the job serves the last name. */
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT);
    private static final int STAMP_LENGTH = "yyyyMMdd-HHmmss".length();

    private Promotion() {
    }

    /** One model's figures on the slice; {@code dir} is null for a model not saved (yet). */
    public record Figures(Path dir, String type, String version, double allRecallAt10, double coldRecallAt10,
            int coldUsers) {
        public String describe() {
            String cold = coldUsers == 0 ? "no cold users"
                    : String.format(Locale.ROOT, "Cold Recall@10 %.4f (%d users)", coldRecallAt10, coldUsers);
            return String.format(Locale.ROOT, "%s %s (%s): All Recall@10 %.4f, %s", type, version,
                    dir == null ? "in memory" : dir, allRecallAt10, cold);
        }
    }

    /**
     * What was decided and why. {@code candidate} is null where the candidate is broken, {@code serving} where the
     * folder serves no version, {@code promotedDir} where the candidate was refused.
     */
    public record Decision(boolean promoted, String reason, Figures candidate, Figures serving, Path promotedDir) {
        public String promotedName() {
            return promotedDir == null ? null : promotedDir.getFileName().toString();
        }
    }

    /**
     * Decides on {@code candidate} against the version {@code modelsFolder} serves, evaluated on {@code split} of
     * {@code data}, and promotes it if it passes. Bad input (no models folder, a serving version that does not
     * fit the data) is an exception; a candidate that fails is a refusal.
     */
    public static Decision decide(Path candidate, Path modelsFolder, Dataset data, Split split, Clock clock)
            throws IOException {
        if (split == Split.TRAIN) {
            throw new IllegalArgumentException("the held-back slice must be valid or test, not train");
        }
        if (!Files.isDirectory(candidate)) {
            throw new IllegalArgumentException("candidate model dir " + candidate + " does not exist");
        }
        requireModelsFolder(modelsFolder);
        requireHeldBack(candidate, split);
        Figures challenger;
        try {
            challenger = evaluate(candidate, data, split);
        } catch (IOException | RuntimeException e) {
            return new Decision(false, "broken candidate " + candidate + ": " + e.getMessage(), null, null, null);
        }
        Optional<Path> servingDir = servingVersion(modelsFolder);
        Figures serving = null;
        if (servingDir.isPresent()) {
            try {
                serving = evaluate(servingDir.get(), data, split);
            } catch (IOException | RuntimeException e) {
                throw new IOException("the serving version " + servingDir.get() + " cannot be evaluated on this "
                        + "slice: " + e.getMessage(), e);
            }
            Optional<String> worse = worseThanServing(challenger, serving);
            if (worse.isPresent()) {
                return new Decision(false, worse.get(), challenger, serving, null);
            }
        }
        String name = nextVersionName(modelsFolder, challenger.version(), clock);
        Path promoted = ModelFolder.addCopy(modelsFolder, name, candidate);
        String why = serving == null ? "the folder serves no version yet and the candidate loads and scores"
                : "the candidate beats the serving version";
        return new Decision(true, why, challenger, serving, promoted);
    }

    /** Why the candidate does not beat the serving version, if it does not. */
    public static Optional<String> worseThanServing(Figures candidate, Figures serving) {
        if (candidate.allRecallAt10() <= serving.allRecallAt10()) {
            return Optional.of(String.format(Locale.ROOT, "All Recall@10 %.4f is not higher than the serving "
                    + "version's %.4f", candidate.allRecallAt10(), serving.allRecallAt10()));
        }
        if (candidate.coldUsers() > 0 && candidate.coldRecallAt10() < serving.coldRecallAt10()) {
            return Optional.of(String.format(Locale.ROOT, "Cold Recall@10 %.4f is lower than the serving "
                    + "version's %.4f", candidate.coldRecallAt10(), serving.coldRecallAt10()));
        }
        return Optional.empty();
    }

    private static Figures evaluate(Path dir, Dataset data, Split split) throws IOException {
        String version = ModelIO.readManifest(dir).version();
        try (Recommender model = ModelDirs.load(dir)) {
            return figures(model, dir, version, data, split);
        }
    }

    /**
     * A model's figures on {@code split} of {@code data} (a loaded one, or one in memory: {@code dir} null); an
     * IllegalArgumentException where no user of the split can be scored.
     */
    public static Figures figures(Recommender model, Path dir, String version, Dataset data, Split split)
            throws IOException {
        return figures(new Evaluator().evaluate(model, data, EvalOptions.defaults(split)), model.type(), dir,
                version);
    }

    /** The figures of an evaluation ({@link EvalOptions#defaults}) of a model of {@code type}. */
    public static Figures figures(EvalReport report, String type, Path dir, String version) {
        Metrics all = report.metrics(Setting.ALL);
        Metrics cold = report.metrics(Setting.COLD);
        if (!Double.isFinite(all.recallAt10()) || all.users() == 0) {
            throw new IllegalArgumentException("no user of the " + report.split().label() + " split could be scored");
        }
        return new Figures(dir, type, version, all.recallAt10(), cold.recallAt10(), cold.users());
    }

    /**
     * The slice must be one the candidate did not train on: a refit on train + valid scored on valid would beat any
     * serving version by having seen the answers. (A candidate whose manifest cannot be read is left to the
     * evaluation, which refuses it as broken.)
     */
    private static void requireHeldBack(Path candidate, Split split) {
        String fit;
        try {
            JsonObject training = ModelIO.readManifest(candidate).training();
            fit = training != null && training.has("fit") ? training.get("fit").getAsString() : null;
        } catch (IOException | RuntimeException e) {
            return;
        }
        if (split == Split.VALID && Training.Fit.TRAIN_VALID.label().equals(fit)) {
            throw new IllegalArgumentException("the candidate " + candidate + " was fitted on train+valid: compare it "
                    + "on a split it has not seen (--split test)");
        }
    }

    static void requireModelsFolder(Path folder) {
        if (!Files.isDirectory(folder)) {
            throw new IllegalArgumentException("models folder " + folder + " does not exist");
        }
        if (!ModelFolder.isModelsFolder(folder)) {
            throw new IllegalArgumentException(folder + " is a model dir, not a models folder (a folder of versions)");
        }
    }

    /** The version the folder serves: its newest complete version, as the job and the server pick it. */
    static Optional<Path> servingVersion(Path folder) throws IOException {
        return ModelFolder.completeVersions(folder).stream().findFirst();
    }

    /** The names of the folder's entries that are not being written (no leading dot), last by name first. */
    private static List<String> versionNames(Path folder) throws IOException {
        try (Stream<Path> list = Files.list(folder)) {
            return list.map(dir -> dir.getFileName().toString()).filter(name -> !name.startsWith("."))
                    .sorted(Comparator.reverseOrder()).toList();
        }
    }

    /**
     * {@code yyyyMMdd-HHmmss-<version>} at the current UTC second, or one second after the newest version's stamp
     * where that is not earlier (two promotions in one second, a clock set back), so names sort in promotion order.
     */
    public static String nextVersionName(Path folder, String version, Clock clock) throws IOException {
        LocalDateTime stamp = LocalDateTime.now(clock.withZone(ZoneOffset.UTC)).truncatedTo(ChronoUnit.SECONDS);
        List<String> names = versionNames(folder);
        Optional<String> newest = names.stream().findFirst();
        Optional<LocalDateTime> newestStamp = newest.flatMap(Promotion::stampOf);
        if (newestStamp.isPresent() && !stamp.isAfter(newestStamp.get())) {
            stamp = newestStamp.get().plusSeconds(1);
        }
        String name = STAMP.format(stamp) + "-" + version;
        if (newest.isPresent() && name.compareTo(newest.get()) <= 0) {
            throw new IllegalArgumentException("the models folder " + folder + " holds '" + newest.get()
                    + "', which sorts after any time-stamped version name; move it away to promote into this folder");
        }
        return name;
    }

    /** The model version a name of {@link #nextVersionName} was made with: what follows its stamp. */
    public static Optional<String> modelVersionOf(String name) {
        return stampOf(name).filter(stamp -> name.length() > STAMP_LENGTH + 1 && name.charAt(STAMP_LENGTH) == '-')
                .map(stamp -> name.substring(STAMP_LENGTH + 1));
    }

    private static Optional<LocalDateTime> stampOf(String name) {
        if (name.length() < STAMP_LENGTH) {
            return Optional.empty();
        }
        try {
            return Optional.of(LocalDateTime.parse(name.substring(0, STAMP_LENGTH), STAMP));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
