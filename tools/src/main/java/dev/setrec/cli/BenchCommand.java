package dev.setrec.cli;

import com.google.gson.JsonObject;
import dev.setrec.bench.BenchmarkOutput;
import dev.setrec.bench.BenchmarkResults;
import dev.setrec.bench.BenchmarksReport;
import dev.setrec.bench.OnlineBenchmark;
import dev.setrec.bench.QualityBenchmark;
import dev.setrec.bench.ServerBenchmark;
import dev.setrec.data.DataRoot;
import dev.setrec.data.Dataset;
import dev.setrec.data.DatasetReader;
import dev.setrec.models.Refresh;
import dev.setrec.models.Training;
import dev.setrec.nn.Engines;
import dev.setrec.text.MiniLmEncoder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks; each writes its figures to benchmarks/results.json and regenerates BENCHMARKS.md.",
        subcommands = {BenchCommand.Quality.class, BenchCommand.Server.class, BenchCommand.Online.class,
                BenchCommand.Render.class})
final class BenchCommand {

    @Command(name = "quality", mixinStandardHelpOptions = true,
            description = "Fit on train (choices on valid), score test; plus a refit on train+valid as its own row.")
    static final class Quality implements Callable<Integer> {
        @Option(names = "--data-root", paramLabel = "DIR", description = "folder holding the data sets (default: "
                + "$SETREC_DATA)")
        Path dataRoot;
        @Option(names = "--datasets", split = ",", description = "data dirs under the data root (default: "
                + "${DEFAULT-VALUE})",
                defaultValue = "setrec/toys,atspeed_games")
        List<String> datasets;
        @Option(names = "--models", split = ",", description = "models (default: "
                + "${DEFAULT-VALUE})", defaultValue = "mostpop,transitions,sasrec")
        List<String> models;
        @Option(names = "--variant", defaultValue = "full", description = "label of this configuration in the "
                + "results (default ${DEFAULT-VALUE})")
        String variant;
        @Option(names = "--no-refit", description = "skip the train+valid refit rows")
        boolean noRefit;
        @Option(names = "--refit-only", description = "only the refit row, with the choices of an earlier train-only "
                + "run given as --epochs (and for SETRec --beta, --beta-cold, --cold-shift and --cf-model)")
        boolean refitOnly;
        @Mixin
        BenchmarkOutput output;
        @Option(names = "--keep-models", paramLabel = "DIR", description = "save each train-only model under DIR "
                + "(one dir per data set, model and variant) for evaluate or serve")
        Path keepModels;
        @Option(names = "--seeds", split = ",", paramLabel = "S", description = "run SASRec and SETRec once per "
                + "seed: their rows hold the mean and the standard deviation over the seeds (seeds of an earlier run "
                + "of the same command but for the seeds join them); default: one run, with --seed")
        List<Long> seeds;
        @Mixin
        ModelOptions options;

        @Override
        public Integer call() throws Exception {
            if (seeds != null && options.seed != null) {
                throw new IllegalArgumentException("give --seed or --seeds, not both");
            }
            Path root = DataRoot.require(dataRoot, System.getenv());
            BenchmarkResults results = output.read();
            Engines.pytorch();
            QualityBenchmark bench = new QualityBenchmark(output.commandLine(), System.out, keepModels);
            for (String name : datasets) {
                Dataset data = DatasetReader.read(root.resolve(name));
                for (String model : models) {
                    for (Training.Options seeded : seeded(model)) {
                        if (refitOnly) {
                            bench.refitOnly(data, model, variant, seeded, results);
                        } else {
                            bench.run(data, model, variant, seeded, !noRefit, results);
                        }
                        output.write(results);
                    }
                }
            }
            output.printWritten();
            return 0;
        }

        /** The options of each run of {@code model}: one per seed where it has a seed and seeds were given. */
        private List<Training.Options> seeded(String model) {
            Training.Options given = options.toOptions();
            return seeds == null || Training.seed(model, given).isEmpty() ? List.of(given)
                    : seeds.stream().map(given::withSeed).toList();
        }
    }

    @Command(name = "server", mixinStandardHelpOptions = true,
            description = "The model server under load over HTTP: users/s with and without dynamic batching, latency "
                    + "at fractions of capacity.")
    static final class Server implements Callable<Integer> {
        @Option(names = "--model", required = true, paramLabel = "DIR", description = "a SETRec model dir")
        Path model;
        @Option(names = "--data", paramLabel = "DIR", description = "whose test users' histories are sent (default: "
                + "setrec/toys under $SETREC_DATA)")
        Path data;
        @Option(names = "--seconds", defaultValue = "15", description = "length of each phase (default "
                + "${DEFAULT-VALUE})")
        int seconds;
        @Option(names = "--concurrency", defaultValue = "64", description = "requests in flight flat out (default "
                + "${DEFAULT-VALUE})")
        int concurrency;
        @Option(names = "--loads", split = ",", defaultValue = "0.25,0.5,0.75",
                description = "offered loads as fractions of the measured users/s (default ${DEFAULT-VALUE}; 0.5 "
                        + "gives the half-load row)")
        double[] loads;
        @Option(names = "--max-batch", defaultValue = "64", description = "dynamic batching: histories per pass "
                + "(default ${DEFAULT-VALUE})")
        int maxBatch;
        @Option(names = "--max-delay-ms", defaultValue = "2", description = "dynamic batching: longest wait "
                + "(default ${DEFAULT-VALUE})")
        long maxDelayMs;
        @Mixin
        BenchmarkOutput output;
        @Mixin
        EngineOptions engine;

        @Override
        public Integer call() throws Exception {
            Dataset dataset = DatasetReader.read(DataRoot.requireDataSet(data, DataRoot.TOYS, System.getenv()));
            engine.start();
            JsonObject row;
            try (MiniLmEncoder encoder = new MiniLmEncoder()) {
                row = new ServerBenchmark(dataset, model, encoder, new ServerBenchmark.Settings(seconds, concurrency,
                        loads, maxBatch, Duration.ofMillis(maxDelayMs)), output.commandLine(), System.out).run();
            }
            output.put(row);
            return 0;
        }
    }

    @Command(name = "online", mixinStandardHelpOptions = true,
            description = "Prequential replay of the held-back interactions (valid, then test): every "
                    + "recommendation scored against the user's next item, the frozen model against the same model "
                    + "refreshed from the stream (docs/operations.md, \"Refreshing the model from the stream\").")
    static final class Online implements Callable<Integer> {
        @Option(names = "--model", required = true, paramLabel = "DIR", description = "a SETRec model dir trained on "
                + "the train split of --data (./setrec train)")
        Path model;
        @Option(names = "--data", paramLabel = "DIR", description = "the data set replayed (default: setrec/toys "
                + "under $SETREC_DATA)")
        Path data;
        @Option(names = "--refreshes", defaultValue = "3", description = "refreshes during the replay, which is cut "
                + "into this many plus one equal segments (default ${DEFAULT-VALUE})")
        int refreshes;
        @Option(names = "--window-events", defaultValue = "60000", description = "the newest interactions each "
                + "refresh learns from (default ${DEFAULT-VALUE})")
        int windowEvents;
        @Option(names = "--interval", defaultValue = "300", paramLabel = "SECONDS", description = "the traffic time "
                + "one segment stands for, for the freshness figure (default ${DEFAULT-VALUE})")
        long intervalSeconds;
        @Option(names = "--max-epochs", defaultValue = "5", description = "a refresh's epoch limit (default "
                + "${DEFAULT-VALUE})")
        int maxEpochs;
        @Option(names = "--seed", defaultValue = "42", description = "replay order and refresh seed (default "
                + "${DEFAULT-VALUE})")
        long seed;
        @Mixin
        BenchmarkOutput output;
        @Mixin
        EngineOptions engine;

        @Override
        public Integer call() throws Exception {
            Dataset dataset = DatasetReader.read(DataRoot.requireDataSet(data, DataRoot.TOYS, System.getenv()));
            engine.start();
            Refresh.Settings d = Refresh.Settings.DEFAULT;
            Refresh.Settings refresh = new Refresh.Settings(d.heldBackShare(), maxEpochs, d.patience(),
                    d.learningRate(), seed, d.minEvents());
            JsonObject row;
            try (MiniLmEncoder encoder = new MiniLmEncoder()) {
                row = new OnlineBenchmark(dataset, model, encoder, new OnlineBenchmark.Settings(refreshes,
                        windowEvents, Duration.ofSeconds(intervalSeconds), refresh, seed), output.commandLine(),
                        System.out).run();
            }
            output.put(row);
            return 0;
        }
    }

    @Command(name = "render", mixinStandardHelpOptions = true,
            description = "Regenerate BENCHMARKS.md and its plots from benchmarks/results.json (no run).")
    static final class Render implements Callable<Integer> {
        @Mixin
        BenchmarkOutput output;

        @Override
        public Integer call() throws Exception {
            BenchmarksReport.write(output.read(), output.target());
            System.out.println("wrote " + output.target().resolve("BENCHMARKS.md"));
            return 0;
        }
    }
}
