package dev.setrec.cli;

import dev.setrec.data.Dataset;
import dev.setrec.data.DatasetReader;
import dev.setrec.data.Split;
import dev.setrec.eval.EvalOptions;
import dev.setrec.eval.Evaluator;
import dev.setrec.model.ModelIO;
import dev.setrec.model.ModelManifest;
import dev.setrec.model.MostPop;
import dev.setrec.model.Recommender;
import dev.setrec.model.Training;
import dev.setrec.model.sasrec.SasRec;
import dev.setrec.nn.Engines;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * The embedded default. Until the streaming pipeline exists it trains (once) and evaluates the default model on
 * the toys data set, next to the popularity floor, and says so.
 */
@Command(name = "quickstart", mixinStandardHelpOptions = true,
        description = "Run the main job on the embedded default (for now: train once and evaluate on toys).")
final class QuickstartCommand implements Callable<Integer> {
    @Option(names = "--data", paramLabel = "DIR", description = "data dir (default: ../shared/data/setrec/toys next to the repo)")
    Path data;
    @Option(names = "--model", paramLabel = "MODEL", description = "use this model dir instead of training one")
    Path model;

    @Override
    public Integer call() throws Exception {
        Path home = Path.of(System.getProperty("setrec.home", "."));
        Path dataDir = data != null ? data : home.resolve("../shared/data/setrec/toys").normalize();
        Dataset dataset = DatasetReader.read(dataDir);
        System.out.println("data: " + Training.describe(dataset));
        Engines.pytorch();
        Path modelDir = model != null ? model : home.resolve("models").resolve(dataset.name() + "-" + SasRec.TYPE);
        if (!Files.exists(modelDir.resolve(ModelManifest.FILE))) {
            System.out.println("no model at " + modelDir + ": training SASRec on the train split (a few minutes)");
            Training.Trained trained = Training.fit(SasRec.TYPE, dataset, Training.Fit.TRAIN, Training.Options.defaults(),
                    System.out);
            try (Recommender m = trained.model()) {
                ModelIO.save(m, modelDir, trained.record());
            }
        }
        Evaluator evaluator = new Evaluator();
        EvalOptions test = new EvalOptions(Split.TEST, EvalOptions.DEFAULT_HISTORY_LENGTH, false, null, true);
        try (Recommender m = ModelIO.load(modelDir)) {
            System.out.println("\n" + m.type() + " (" + modelDir + "), test split, paper protocol:");
            System.out.print(evaluator.evaluate(m, dataset, test).toTable());
        }
        try (Recommender pop = MostPop.fit(dataset.numItems(), Training.sequences(dataset, Training.Fit.TRAIN))) {
            System.out.println("\nmost popular (the floor), test split:");
            System.out.print(evaluator.evaluate(pop, dataset, test).toTable());
        }
        System.out.println("""

                The streaming job (Kafka interactions -> Flink with RocksDB histories -> micro-batched scoring ->
                Kafka recommendations, cold items onboarded on arrival) is not built yet: it is the next step of this
                project, and this quickstart will then start it on the same model.""");
        return 0;
    }
}
