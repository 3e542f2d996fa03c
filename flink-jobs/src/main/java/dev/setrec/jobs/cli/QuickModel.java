package dev.setrec.jobs.cli;

import dev.setrec.data.Dataset;
import dev.setrec.model.ModelIO;
import dev.setrec.model.ModelManifest;
import dev.setrec.models.Training;
import dev.setrec.model.sasrec.SasRecConfig;
import dev.setrec.model.setrec.SetRec;
import dev.setrec.nn.Engines;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The quick model the streaming commands serve when none is given: trained once, reused afterwards. */
final class QuickModel {
    private QuickModel() {
    }

    /** The data set's quick SETRec under models/ (trained there first, a few minutes with progress, if missing). */
    static Path findOrTrain(Path home, Dataset dataset) throws IOException {
        Path dir = home.resolve("models").resolve(dataset.name() + "-setrec-quick");
        if (Files.exists(dir.resolve(ModelManifest.FILE))) {
            System.out.println("model: " + dir + " (delete it to retrain; ./setrec train makes a better one)");
            return dir;
        }
        System.out.println("no model at " + dir + ": training a quick SETRec (SASRec CF tokens first; a few minutes)");
        Engines.pytorch();
        Training.Options defaults = Training.Options.defaults();
        SasRecConfig sasrec = defaults.sasrec().withEpochs(20, 0);
        Training.Options quick = defaults.withSasrec(sasrec)
                .withSetrecTraining(defaults.setrecTraining().withBudget(6, 4));
        Training.Trained trained = Training.fit(SetRec.TYPE, dataset, Training.Fit.TRAIN, quick, System.out);
        try (var m = trained.model()) {
            ModelIO.save(m, dir, trained.record());
        }
        return dir;
    }
}
