package dev.setrec.models;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import dev.setrec.data.Dataset;
import dev.setrec.data.Split;
import dev.setrec.eval.EvalOptions;
import dev.setrec.eval.Evaluator;
import dev.setrec.eval.Setting;
import dev.setrec.model.ModelIO;
import dev.setrec.model.MostPop;
import dev.setrec.model.Recommender;
import dev.setrec.model.Transitions;
import dev.setrec.model.sasrec.SasRec;
import dev.setrec.model.sasrec.SasRecConfig;
import dev.setrec.model.sasrec.SasRecTrainer;
import dev.setrec.model.setrec.ItemInputs;
import dev.setrec.model.setrec.SetRec;
import dev.setrec.model.setrec.SetRecArchitecture;
import dev.setrec.model.setrec.SetRecTraining;
import dev.setrec.model.setrec.ScoreMix;
import dev.setrec.model.setrec.SetRecTrainer;
import dev.setrec.nn.Engines;
import dev.setrec.util.Directories;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/** Fits any model type on a data set under one of the two protocols; shared by the CLI and the benchmarks. */
public final class Training {
    /** Which interactions a model is fitted on. */
    public enum Fit {
        /** The paper's protocol: train only; valid chooses epochs and settings. */
        TRAIN("train"),
        /** What a live system does: refit on train + valid with settings chosen before (a separate row). */
        TRAIN_VALID("train+valid");

        private final String label;

        Fit(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        public static Fit parse(String text) {
            for (Fit f : values()) {
                if (f.label.equals(text)) {
                    return f;
                }
            }
            throw new IllegalArgumentException("unknown --fit '" + text + "' (expected train or train+valid)");
        }
    }

    /** A fitted model and the record of its training (stored as "training" in model.json). */
    public record Trained(Recommender model, JsonObject record) {
    }

    /** Where SETRec's CF tokens come from. */
    public enum CfSource {
        /** Train the project's own SASRec on the same split first (the default). */
        TRAIN_SASREC,
        /** A saved SASRec model dir ({@link Options#cfModel()}). */
        MODEL_DIR,
        /** The data dir's sasrec_item_emb.tsv: a reference for comparison only. */
        REFERENCE_FILE
    }

    /** Settings of every model type; each type reads its own. */
    public record Options(SasRecConfig sasrec, SetRecArchitecture setrec, SetRecTraining setrecTraining,
                          CfSource cfSource, Path cfModel, Path textCache) {
        public static Options defaults() {
            return new Options(SasRecConfig.defaults(), SetRecArchitecture.DEFAULT, SetRecTraining.DEFAULT,
                    CfSource.TRAIN_SASREC, null, null);
        }

        public Options withSasrec(SasRecConfig config) {
            return new Options(config, setrec, setrecTraining, cfSource, cfModel, textCache);
        }

        public Options withSetrecTraining(SetRecTraining training) {
            return new Options(sasrec, setrec, training, cfSource, cfModel, textCache);
        }

        /** These options with {@code seed} for SASRec and SETRec (initial weights, batches, dropout). */
        public Options withSeed(long seed) {
            return withSasrec(sasrec.withSeed(seed)).withSetrecTraining(setrecTraining.toBuilder().seed(seed).build());
        }

        /** These options with SETRec's CF tokens from {@code source} ({@code model}: the dir of MODEL_DIR). */
        public Options withCfTokens(CfSource source, Path model) {
            return new Options(sasrec, setrec, setrecTraining, source, model, textCache);
        }
    }

    /** The seed {@code type} trains with under {@code options}; empty for the models that draw nothing. */
    public static OptionalLong seed(String type, Options options) {
        return switch (type) {
            case SetRec.TYPE -> OptionalLong.of(options.setrecTraining().seed());
            case SasRec.TYPE -> OptionalLong.of(options.sasrec().seed());
            default -> OptionalLong.empty();
        };
    }

    /** What a SETRec fit's own epochs are given where its CF tokens took the whole budget: one epoch runs. */
    private static final double MIN_BUDGET_LEFT_MINUTES = 1e-3;

    private Training() {
    }

    public static Trained fit(String type, Dataset data, Fit fit, Options options, PrintStream log) {
        List<int[]> sequences = sequences(data, fit);
        JsonObject record = new JsonObject();
        record.addProperty("data", data.name());
        record.addProperty("fit", fit.label());
        long start = System.nanoTime();
        Recommender model = switch (type) {
            case MostPop.TYPE -> MostPop.fit(data.numItems(), sequences);
            case Transitions.TYPE -> Transitions.fit(data.numItems(), sequences);
            case SasRec.TYPE -> fitSasRec(data, fit, options.sasrec(), sequences, record, log);
            case SetRec.TYPE -> fitSetRec(data, fit, options, sequences, record, log);
            default -> throw new IllegalArgumentException("unknown model '" + type
                    + "' (expected setrec, sasrec, transitions or mostpop)");
        };
        record.addProperty("train_minutes", (System.nanoTime() - start) / 6e10);
        return new Trained(model, record);
    }

    /**
     * The model to serve: {@code type} refitted on train + valid with the choices a train-only fit of it made on
     * valid ({@code trainOnly}, its record): its best epoch, for SETRec also its score mix and CF tokens from SASRec
     * refitted for the epochs SASRec's own train-only fit chose. The record keeps those choices as "chosen_on_valid".
     * MostPop and Transitions choose nothing: their refit is their fit on train + valid.
     */
    public static Trained refit(String type, Dataset data, Options options, JsonObject trainOnly, PrintStream log) {
        if (!trainOnly.has("best_epoch")) {
            return fit(type, data, Fit.TRAIN_VALID, options, log);
        }
        Trained refitted = SetRec.TYPE.equals(type) ? refitSetRec(data, options, trainOnly, log)
                : fit(type, data, Fit.TRAIN_VALID, options.withSasrec(options.sasrec().forRefit(bestEpoch(trainOnly))),
                        log);
        refitted.record().add("chosen_on_valid", choices(trainOnly));
        return refitted;
    }

    /** SETRec's refit; CF tokens it trains itself come from SASRec refitted the same way (kept in a temp dir). */
    private static Trained refitSetRec(Dataset data, Options options, JsonObject trainOnly, PrintStream log) {
        Options fixed = options.withSetrecTraining(options.setrecTraining().forRefit(bestEpoch(trainOnly),
                SetRecTrainer.chosenMix(trainOnly, "best_")));
        if (options.cfSource() != CfSource.TRAIN_SASREC) {
            return fit(SetRec.TYPE, data, Fit.TRAIN_VALID, fixed, log);
        }
        try {
            Path cfDir = Files.createTempDirectory("setrec-refit-cf");
            try {
                log.println("refitting SASRec on train+valid for the CF tokens");
                Trained sasrec = refit(SasRec.TYPE, data, options, trainOnly.getAsJsonObject("cf_sasrec"), log);
                try (Recommender model = sasrec.model()) {
                    ModelIO.save(model, cfDir, sasrec.record());
                }
                Trained refitted = fit(SetRec.TYPE, data, Fit.TRAIN_VALID,
                        fixed.withCfTokens(CfSource.MODEL_DIR, cfDir), log);
                refitted.record().add("cf_sasrec", sasrec.record());
                refitted.record().addProperty("cf_tokens", "SASRec refitted on " + Fit.TRAIN_VALID.label());
                return refitted;
            } finally {
                Directories.deleteTree(cfDir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What a train-only fit chose on valid, and its valid Recall@10 there; SASRec's for SETRec's CF tokens too. */
    private static JsonObject choices(JsonObject trainOnly) {
        JsonObject chosen = new JsonObject();
        chosen.addProperty("fit", trainOnly.get("fit").getAsString());
        chosen.addProperty("epochs", bestEpoch(trainOnly));
        if (trainOnly.has("best_valid_recall@10")) {
            chosen.add("valid_recall@10", trainOnly.get("best_valid_recall@10"));
        }
        if (trainOnly.has("best_beta")) {
            ScoreMix mix = SetRecTrainer.chosenMix(trainOnly, "best_");
            chosen.addProperty("beta", mix.beta());
            chosen.addProperty("beta_cold", mix.betaCold());
            chosen.addProperty("cold_shift", mix.coldShift());
        }
        if (trainOnly.has("cf_sasrec")) {
            chosen.add("cf_sasrec", choices(trainOnly.getAsJsonObject("cf_sasrec")));
        }
        return chosen;
    }

    /** The epochs a train-only fit kept (at least one: a refit must train). */
    private static int bestEpoch(JsonObject trainOnly) {
        return Math.max(1, trainOnly.get("best_epoch").getAsInt());
    }

    /**
     * One line on a training record: epochs run and kept, the valid Recall@10 and score mix chosen where valid
     * chose them.
     */
    public static String summary(JsonObject record) {
        if (!record.has("epochs_run")) {
            return "no training loop";
        }
        StringBuilder s = new StringBuilder("epochs run " + record.get("epochs_run").getAsInt() + ", kept "
                + record.get("best_epoch").getAsInt());
        if (record.has("best_valid_recall@10")) {
            s.append(String.format(Locale.ROOT, " (valid R@10 %.4f)",
                    record.get("best_valid_recall@10").getAsDouble()));
        }
        if (record.has("best_beta")) {
            ScoreMix m = SetRecTrainer.chosenMix(record, "best_");
            s.append(String.format(Locale.ROOT, ", beta %.1f, cold items' beta %.1f and shift %.2f", m.beta(),
                    m.betaCold(), m.coldShift()));
        }
        return s.toString();
    }

    private static SasRec fitSasRec(Dataset data, Fit fit, SasRecConfig config, List<int[]> sequences,
                                    JsonObject record, PrintStream log) {
        if (fit == Fit.TRAIN_VALID && config.fixedEpochs() <= 0) {
            throw new IllegalArgumentException("a refit on train+valid has no valid split to stop on: give --epochs "
                    + "(the best epoch of a train-only run)");
        }
        Engines.trainOnThisThread(); // whichever thread started the engine
        SasRec model = new SasRec(config, data.numItems());
        try {
            SasRecTrainer trainer = new SasRecTrainer(config, log);
            JsonObject run = trainer.train(model, sequences,
                    fit == Fit.TRAIN ? m -> validRecallAt10(m, data, config.maxLen()) : null);
            run.entrySet().forEach(e -> record.add(e.getKey(), e.getValue()));
            model.neutraliseColdItems(Dataset.deriveCold(data.numItems(), sequences.toArray(new int[0][])));
            return model;
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    private static SetRec fitSetRec(Dataset data, Fit fit, Options options, List<int[]> sequences, JsonObject record,
                                    PrintStream log) {
        SetRecTraining config = options.setrecTraining();
        if (fit == Fit.TRAIN_VALID && (config.fixedEpochs() <= 0 || options.cfSource() == CfSource.TRAIN_SASREC
                || !config.fixedMix().complete())) {
            throw new IllegalArgumentException("a refit on train+valid has no valid split to choose on: give --epochs, "
                    + "--beta, --cold-shift (as chosen by a train-only run) and --cf-model (a SASRec refit)");
        }
        Engines.trainOnThisThread(); // whichever thread started the engine
        long start = System.nanoTime();
        float[][] cf = cfTokens(data, fit, options, record, log);
        float[][] text = ItemEmbeddings.of(data, options.textCache(), record, log);
        boolean[] cold = Dataset.deriveCold(data.numItems(), sequences.toArray(new int[0][]));
        SetRec model = new SetRec(options.setrec(), ItemInputs.numbered(cf, text, cold), config);
        try {
            JsonObject run = new SetRecTrainer(leftOfTheBudget(config, start, record, log), log)
                    .train(model, sequences, data);
            run.entrySet().forEach(e -> record.add(e.getKey(), e.getValue()));
            record.add("setrec_training", new Gson().toJsonTree(config));
            return model;
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /**
     * SETRec's time budget counts from the start of its fit, its CF tokens' SASRec and the text embeddings included:
     * its own epochs get what those left (at least one epoch runs).
     */
    private static SetRecTraining leftOfTheBudget(SetRecTraining config, long start, JsonObject record,
                                                  PrintStream log) {
        if (config.timeBudgetMinutes() <= 0) {
            return config;
        }
        double spent = (System.nanoTime() - start) / 6e10;
        double left = Math.max(config.timeBudgetMinutes() - spent, MIN_BUDGET_LEFT_MINUTES);
        record.addProperty("epochs_time_budget_minutes", left);
        log.printf(Locale.ROOT, "SETRec's epochs until %.1f of its %.1f minutes have passed (%.1f spent before them)%n",
                spent + left, config.timeBudgetMinutes(), spent);
        return config.toBuilder().timeBudgetMinutes(left).build();
    }

    /** SETRec's frozen CF inputs: SASRec item embeddings (SETRec predicts its cold rows' from their text). */
    private static float[][] cfTokens(Dataset data, Fit fit, Options options, JsonObject record, PrintStream log) {
        switch (options.cfSource()) {
            case REFERENCE_FILE -> {
                record.addProperty("cf_tokens", "sasrec_item_emb.tsv of the data dir (reference)");
                return data.referenceCfEmbeddings().orElseThrow(() -> new IllegalArgumentException(
                        "--cf-reference: " + data.name() + " has no sasrec_item_emb.tsv"));
            }
            case MODEL_DIR -> {
                try (Recommender loaded = ModelDirs.load(options.cfModel())) {
                    if (!(loaded instanceof SasRec sasrec) || loaded.numItems() != data.numItems()) {
                        throw new IllegalArgumentException("--cf-model " + options.cfModel() + " is not a SASRec model "
                                + "of " + data.numItems() + " items");
                    }
                    record.addProperty("cf_tokens", "SASRec model " + options.cfModel());
                    return sasrec.itemEmbeddings();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            default -> {
                log.println("training SASRec for the CF tokens (pass --cf-model DIR to reuse one)");
                Trained sasrec = fit(SasRec.TYPE, data, fit, options, log);
                try (SasRec model = (SasRec) sasrec.model()) {
                    record.add("cf_sasrec", sasrec.record());
                    record.addProperty("cf_tokens", "SASRec trained on " + fit.label());
                    return model.itemEmbeddings();
                }
            }
        }
    }

    /** Valid Recall@10 (All setting) under the paper's protocol: the early-stopping criterion. */
    public static double validRecallAt10(Recommender model, Dataset data, int historyLength) {
        try {
            return new Evaluator()
                    .evaluate(model, data, new EvalOptions(Split.VALID, historyLength, false, null, false))
                    .metrics(Setting.ALL).recallAt10();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Per-user training sequences: train, or train followed by valid. */
    public static List<int[]> sequences(Dataset data, Fit fit) {
        List<int[]> out = new ArrayList<>(data.numUsers());
        for (int u = 0; u < data.numUsers(); u++) {
            int[] train = data.sequence(u, Split.TRAIN);
            if (fit == Fit.TRAIN) {
                out.add(train);
            } else {
                int[] valid = data.sequence(u, Split.VALID);
                int[] both = new int[train.length + valid.length];
                System.arraycopy(train, 0, both, 0, train.length);
                System.arraycopy(valid, 0, both, train.length, valid.length);
                out.add(both);
            }
        }
        return out;
    }

    public static String describe(Dataset data) {
        return String.format(Locale.ROOT, "%s: %d users, %d items (%d cold), %d/%d/%d train/valid/test interactions",
                data.name(), data.numUsers(), data.numItems(), data.numColdItems(), data.numInteractions(Split.TRAIN),
                data.numInteractions(Split.VALID), data.numInteractions(Split.TEST));
    }
}
