package dev.setrec.jobs.cli;

import dev.setrec.data.Dataset;
import dev.setrec.model.ModelIO;
import dev.setrec.model.ModelManifest;
import dev.setrec.models.Training;
import dev.setrec.model.setrec.SetRec;
import dev.setrec.nn.Engines;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The quick model the streaming commands serve when none is given: trained once, reused afterwards. */
final class QuickModel {
    /** For a real data set: minutes on two cores, SASRec stopping early on valid. */
    static final Training.Options REAL_DATA = quick(20, 6, 4);
    /**
     * For the generated shop, whose patterns are plain: few epochs and a short budget, so that a first quickstart
     * without data serves within minutes on two cores. Its epochs are short, so SETRec takes smaller
     * batches and a shorter warm-up than on real data: the default's would leave it a few steps at a low rate.
     */
    static final Training.Options GENERATED_SHOP = withSetRecSteps(quick(4, 4, 1.5), 512, 10);

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

    /** The data set's quick SETRec, where an earlier run trained it (said on the console). */
    static Optional<Path> existing(Path home, Dataset dataset) {
        Path dir = dir(home, dataset);
        if (!Files.exists(dir.resolve(ModelManifest.FILE))) {
            return Optional.empty();
        }
        System.out.println("model: " + dir + " (delete it to retrain; ./setrec train makes a better one)");
        return Optional.of(dir);
    }

    /**
     * Trains the quick SETRec and keeps it under models/ for the next runs (model.json is written last, so a
     * training stopped half way leaves no model that looks complete); {@code progress} gets the training's log.
     */
    static Path train(Path home, Dataset dataset, Training.Options options, PrintStream progress)
            throws IOException {
        Path dir = dir(home, dataset);
        Engines.trainOnThisThread(); // maybe not the thread that started the engine
        Training.Trained trained = Training.fit(SetRec.TYPE, dataset, Training.Fit.TRAIN, options, progress);
        try (var m = trained.model()) {
            ModelIO.save(m, dir, trained.record());
        }
        return dir;
    }

    private static Path dir(Path home, Dataset dataset) {
        return home.resolve("models").resolve(dataset.name() + "-setrec-quick");
    }

    /** The default options with SASRec's epochs and SETRec's epochs and time budget (minutes) capped. */
    static Training.Options quick(int sasrecEpochs, int setrecEpochs, double setrecMinutes) {
        Training.Options defaults = Training.Options.defaults();
        return defaults.withSasrec(defaults.sasrec().withEpochs(sasrecEpochs, 0))
                .withSetrecTraining(defaults.setrecTraining().withBudget(setrecEpochs, setrecMinutes));
    }

    private static Training.Options withSetRecSteps(Training.Options options, int batchTokens, int warmupSteps) {
        return options.withSetrecTraining(options.setrecTraining().toBuilder()
                .batchTokens(batchTokens).warmupSteps(warmupSteps).build());
    }
}
