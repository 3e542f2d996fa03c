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
    @Option(names = "--fit", defaultValue = "train",
            description = "train (paper protocol) or train+valid (refit; SASRec and SETRec need --epochs) (default "
                    + "${DEFAULT-VALUE})")
    String fit;
    @Mixin
    ModelOptions options;

    @Mixin
    EngineOptions engine;

    @Override
    public Integer call() throws Exception {
        Training.Fit protocol = Training.Fit.parse(fit);
        Dataset dataset = DatasetReader.read(data);
        System.out.println(Training.describe(dataset));
        dataset.warnings().forEach(w -> System.out.println("warning: " + w));
        System.out.println("device: " + engine.start());
        Training.Trained trained = Training.fit(model, dataset, protocol, options.toOptions(), System.out);
        try (var m = trained.model()) {
            ModelIO.save(m, out, trained.record());
        }
        System.out.println("saved " + model + " model to " + out);
        return 0;
    }
}
