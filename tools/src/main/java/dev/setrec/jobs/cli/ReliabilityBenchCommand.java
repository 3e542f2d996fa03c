package dev.setrec.jobs.cli;

import dev.setrec.bench.BenchmarkResults;
import dev.setrec.bench.BenchmarksReport;
import dev.setrec.data.DataRoot;
import dev.setrec.data.Dataset;
import dev.setrec.data.DatasetReader;
import dev.setrec.jobs.bench.ReliabilityBenchmark;
import dev.setrec.jobs.bench.faults.ServedModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** ./setrec bench reliability: {@link ReliabilityBenchmark}, into results.json and BENCHMARKS.md. */
@Command(name = "reliability", mixinStandardHelpOptions = true,
        description = "Injects faults into the running job (task-manager loss in both delivery modes, "
                + "stop-with-savepoint and restore at another parallelism, model-server outages, a model that does not "
                + "load) and sends it every kind of bad input; records what held, events lost, duplicates and the "
                + "recovery time (in-process Kafka, Flink MiniClusters, RocksDB).")
final class ReliabilityBenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Option(names = "--data", paramLabel = "DIR", description = "the data set of the row, and of the quick model "
            + "trained when there is none (default: setrec/toys under $SETREC_DATA)")
    Path data;
    @Option(names = "--model", paramLabel = "DIR", description = "the SETRec model dir to serve, trained on --data "
            + "(default: the quickstart's quick model, trained if missing)")
    Path model;
    @Option(names = "--results", paramLabel = "DIR",
            description = "where benchmarks/results.json and BENCHMARKS.md go (default: the repo)")
    Path out;

    @Override
    public Integer call() throws Exception {
        Path home = Path.of(System.getProperty("setrec.home", "."));
        Dataset dataset = DatasetReader.read(DataRoot.requireDataSet(data, DataRoot.TOYS, System.getenv()));
        Path modelDir = model != null ? model : QuickModel.findOrTrain(home, dataset);
        JobCommand.requireSetRecModel(modelDir);
        ServedModel served = ServedModel.load(modelDir);
        Path target = out != null ? out : home;
        Path resultsFile = target.resolve("benchmarks/results.json");
        BenchmarkResults results = BenchmarkResults.read(resultsFile);
        String command = "./setrec " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
        results.put(new ReliabilityBenchmark(served, dataset.name(), command.strip(), System.out).run());
        results.write(resultsFile);
        BenchmarksReport.write(results, target);
        System.out.println("wrote " + resultsFile + " and " + target.resolve("BENCHMARKS.md"));
        return 0;
    }
}
