package dev.setrec.jobs.cli;

import dev.setrec.bench.BenchmarkOutput;
import dev.setrec.bench.BenchmarkResults;
import dev.setrec.data.DataRoot;
import dev.setrec.data.Dataset;
import dev.setrec.data.DatasetReader;
import dev.setrec.jobs.bench.ReliabilityBenchmark;
import dev.setrec.jobs.bench.faults.ServedModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** ./setrec bench reliability: {@link ReliabilityBenchmark}, into results.json and BENCHMARKS.md. */
@Command(name = "reliability", mixinStandardHelpOptions = true,
        description = "Injects faults into the running job (task-manager loss in both delivery modes, "
                + "stop-with-savepoint and restore at another parallelism, model-server outages, a model that does not "
                + "load) and sends it every kind of bad input; records what held, events lost, duplicates and the "
                + "recovery time (in-process Kafka, Flink MiniClusters, RocksDB).")
final class ReliabilityBenchCommand implements Callable<Integer> {
    @Option(names = "--data", paramLabel = "DIR", description = "the data set of the row, and of the quick model "
            + "trained when there is none (default: setrec/toys under $SETREC_DATA)")
    Path data;
    @Option(names = "--model", paramLabel = "DIR", description = "the SETRec model dir to serve, trained on --data "
            + "(default: the quickstart's quick model, trained if missing)")
    Path model;
    @Mixin
    BenchmarkOutput output;

    @Override
    public Integer call() throws Exception {
        Path home = BenchmarkOutput.home();
        Dataset dataset = DatasetReader.read(DataRoot.requireDataSet(data, DataRoot.TOYS, System.getenv()));
        Path modelDir = model != null ? model : QuickModel.findOrTrain(home, dataset);
        JobCommand.requireSetRecModel(modelDir);
        ServedModel served = ServedModel.load(modelDir);
        BenchmarkResults results = output.read();
        results.put(new ReliabilityBenchmark(served, dataset.name(), output.commandLine(), System.out).run());
        output.write(results);
        output.printWritten();
        return 0;
    }
}
