package dev.setrec.cli;

import dev.setrec.data.Dataset;
import dev.setrec.data.DatasetReader;
import dev.setrec.model.ModelIO;
import dev.setrec.models.Training;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a model on a data dir (format: docs/data.md) and save it to a model dir.")
final class TrainCommand implements Callable<Integer> {
    @Option(names = "--data", required = true, paramLabel = "DIR", description = "data dir")
    Path data;
    @Option(names = "--out", required = true, paramLabel = "MODEL", description = "model dir to write")
    Path out;
    @Option(names = "--model", defaultValue = "setrec",
            description = "setrec, sasrec, transitions or mostpop (default ${DEFAULT-VALUE})")
    String model;
    @Option(names = "--fit", description = "train (paper protocol; the default) or train+valid (a refit with "
            + "choices given: SASRec and SETRec need --epochs)")
    String fit;
    @Option(names = "--refit", description = "the model to serve: fit on train (valid chooses epochs and settings, "
            + "printed), then refit on train+valid with those choices and save the refit")
    boolean refit;
    @Option(names = "--keep-train-only", paramLabel = "DIR", description = "with --refit: also save the train-only "
            + "model to this dir")
    Path keepTrainOnly;
    @Mixin
    ModelOptions options;

    @Mixin
    EngineOptions engine;

    @Override
    public Integer call() throws Exception {
        if (refit && fit != null) {
            throw new IllegalArgumentException("--refit fits on train, then on train+valid: leave out --fit " + fit);
        }
        if (refit && options.epochs > 0) {
            throw new IllegalArgumentException("--refit chooses the epochs on valid: leave out --epochs");
        }
        if (keepTrainOnly != null && !refit) {
            throw new IllegalArgumentException("--keep-train-only needs --refit");
        }
        Training.Fit protocol = refit || fit == null ? Training.Fit.TRAIN : Training.Fit.parse(fit);
        Dataset dataset = DatasetReader.read(data);
        System.out.println(Training.describe(dataset));
        dataset.warnings().forEach(w -> System.out.println("warning: " + w));
        System.out.println("device: " + engine.start());
        Training.Options settings = options.toOptions();
        Training.Trained trained = Training.fit(model, dataset, protocol, settings, System.out);
        try (var m = trained.model()) {
            if (!refit) {
                ModelIO.save(m, out, trained.record());
            } else if (keepTrainOnly != null) {
                ModelIO.save(m, keepTrainOnly, trained.record());
                System.out.println("saved the train-only " + model + " model to " + keepTrainOnly);
            }
        }
        if (refit) {
            System.out.println("chosen on valid: " + Training.summary(trained.record()) + "; refitting on "
                    + Training.Fit.TRAIN_VALID.label() + " with these choices");
            Training.Trained refitted = Training.refit(model, dataset, settings, trained.record(), System.out);
            try (var m = refitted.model()) {
                ModelIO.save(m, out, refitted.record());
            }
        }
        System.out.println("saved " + model + " model to " + out);
        return 0;
    }
}
