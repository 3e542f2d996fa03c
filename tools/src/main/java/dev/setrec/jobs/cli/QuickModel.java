package dev.setrec.jobs.cli;

import com.google.gson.JsonObject;
import dev.setrec.data.Dataset;
import dev.setrec.model.ModelIO;
import dev.setrec.model.ModelManifest;
import dev.setrec.models.Training;
import dev.setrec.model.setrec.SetRec;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** The quick model the streaming commands serve when none is given: trained once, reused afterwards. */
final class QuickModel {
    /** For a real data set: minutes on two cores, SASRec stopping early on valid. */
    static final Training.Options REAL_DATA = options(false, Budget.REAL_DATA);
    /** For the generated shop: see {@link #options}. */
    static final Training.Options GENERATED_SHOP = options(true, Budget.GENERATED_SHOP);

    /**
     * How long the quick model trains: SASRec's epochs and minutes for the CF tokens (it stops early on valid, and
     * after the epoch that crosses its minutes), then SETRec's epochs and minutes (counted from the start, SASRec's
     * included). The minutes keep SETRec serving within about ten minutes of a first quickstart on two cores, where
     * the job replays beside the training.
     */
    record Budget(int sasrecEpochs, double sasrecMinutes, int setrecEpochs, double setrecMinutes) {
        /** On toys, SASRec's epochs take about 30 s beside the job (the first, beside the full-speed pass, longer). */
        static final Budget REAL_DATA = new Budget(20, 4, 6, 8.5);
        /** The generated shop's patterns are plain: a few epochs, so that a first quickstart serves SETRec soon. */
        static final Budget GENERATED_SHOP = new Budget(4, 0, 4, 2);

        static Budget defaultFor(boolean generatedShop) {
            return generatedShop ? GENERATED_SHOP : REAL_DATA;
        }
    }

    private QuickModel() {
    }

    /** The data set's quick SETRec under models/ (trained there first, a few minutes with progress, if missing). */
    static Path findOrTrain(Path home, Dataset dataset) throws IOException {
        return findOrTrain(home, dataset, REAL_DATA);
    }

    /** As above, trained with {@code options} where missing. */
    static Path findOrTrain(Path home, Dataset dataset, Training.Options options) throws IOException {
        Optional<Path> trained = existing(home, dataset);
        if (trained.isPresent()) {
            return trained.get();
        }
        System.out.println("no model at " + dir(home, dataset) + ": training a quick SETRec (SASRec CF tokens first; "
                + "a few minutes)");
        return train(home, dataset, options, System.out);
    }

    /**
     * The data set's quick SETRec, where an earlier run trained it (said on the console): its refit on train + valid,
     * else the train-only one (a run that ended before the refit was saved).
     */
    static Optional<Path> existing(Path home, Dataset dataset) {
        for (Path dir : List.of(refitDir(home, dataset), dir(home, dataset))) {
            if (Files.exists(dir.resolve(ModelManifest.FILE))) {
                System.out.println("model: " + dir + " (delete it to retrain; ./setrec train --refit makes a "
                        + "better one)");
                return Optional.of(dir);
            }
        }
        return Optional.empty();
    }

    /**
     * Trains the quick SETRec and keeps it under models/ for the next runs (model.json is written last, so a
     * training stopped half way leaves no model that looks complete); {@code progress} gets the training's log.
     */
    static Path train(Path home, Dataset dataset, Training.Options options, PrintStream progress)
            throws IOException {
        Training.Trained trained = Training.fit(SetRec.TYPE, dataset, Training.Fit.TRAIN, options, progress);
        return save(trained, dir(home, dataset));
    }

    /**
     * Refits the quick SETRec that {@link #train} kept on train + valid with the choices it made on valid (the model
     * to serve: it learnt from the valid window's interactions too) and keeps the refit beside it.
     */
    static Path refit(Path home, Dataset dataset, Training.Options options, PrintStream progress) throws IOException {
        JsonObject trainOnly = ModelIO.readManifest(dir(home, dataset)).training();
        progress.println("refitting the quick SETRec on " + Training.Fit.TRAIN_VALID.label() + " with the choices "
                + "made on valid: " + Training.summary(trainOnly));
        return save(Training.refit(SetRec.TYPE, dataset, options, trainOnly, progress), refitDir(home, dataset));
    }

    private static Path save(Training.Trained trained, Path dir) throws IOException {
        try (var m = trained.model()) {
            ModelIO.save(m, dir, trained.record());
        }
        return dir;
    }

    /** Where the data set's train-only quick SETRec is kept. */
    static Path dir(Path home, Dataset dataset) {
        return home.resolve("models").resolve(dataset.name() + "-setrec-quick");
    }

    /** Where the data set's quick SETRec refitted on train + valid is kept. */
    static Path refitDir(Path home, Dataset dataset) {
        return home.resolve("models").resolve(dataset.name() + "-setrec-quick-refit");
    }

    /**
     * The default options within {@code budget}. The generated shop's epochs are short, so SETRec takes smaller
     * batches and a shorter warm-up there than on real data: the default's would leave it a few steps at a low rate.
     */
    static Training.Options options(boolean generatedShop, Budget budget) {
        Training.Options defaults = Training.Options.defaults();
        Training.Options quick = defaults.withSasrec(defaults.sasrec().withBudget(budget.sasrecEpochs(),
                        budget.sasrecMinutes()))
                .withSetrecTraining(defaults.setrecTraining().withBudget(budget.setrecEpochs(),
                        budget.setrecMinutes()));
        return generatedShop ? withSetRecSteps(quick, 512, 10) : quick;
    }

    private static Training.Options withSetRecSteps(Training.Options options, int batchTokens, int warmupSteps) {
        return options.withSetrecTraining(options.setrecTraining().toBuilder()
                .batchTokens(batchTokens).warmupSteps(warmupSteps).build());
    }
}
