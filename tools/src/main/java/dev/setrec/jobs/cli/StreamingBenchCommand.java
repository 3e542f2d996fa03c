package dev.setrec.jobs.cli;

import dev.setrec.bench.BenchmarkOutput;
import dev.setrec.bench.BenchmarkResults;
import dev.setrec.data.DataRoot;
import dev.setrec.data.Dataset;
import dev.setrec.data.DatasetReader;
import dev.setrec.jobs.bench.StreamingBenchmark;
import dev.setrec.models.Training;
import org.apache.flink.connector.base.DeliveryGuarantee;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.concurrent.Callable;

/** ./setrec bench streaming: {@link StreamingBenchmark} per delivery mode, into results.json and BENCHMARKS.md. */
@Command(name = "streaming", mixinStandardHelpOptions = true,
        description = "The streaming job on in-process Kafka and local Flink, per delivery mode: sustained "
                + "throughput, latency at an offered load, how soon a new item is recommendable.")
final class StreamingBenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Option(names = "--data", paramLabel = "DIR", description = "data dir (default: setrec/toys under $SETREC_DATA)")
    Path data;
    @Option(names = "--model", paramLabel = "DIR", description = "the SETRec model dir to serve (default: the "
            + "quickstart's quick model, trained if missing)")
    Path model;
    @Option(names = "--modes", split = ",", paramLabel = "MODE", defaultValue = "at_least_once,exactly_once",
            description = "delivery modes, each on a fresh broker and job (default: ${DEFAULT-VALUE})")
    List<String> modes;
    @Option(names = "--warm-up", paramLabel = "S", defaultValue = "30", description = "seconds of load at --rate "
            + "before anything is measured (default ${DEFAULT-VALUE})")
    int warmUpSeconds;
    @Option(names = "--events", paramLabel = "N", defaultValue = "20000", description = "events published flat out "
            + "for the throughput figure (default ${DEFAULT-VALUE})")
    int events;
    @Option(names = "--rate", paramLabel = "R", defaultValue = "1000", description = "offered load of the latency "
            + "phase, events/s (default ${DEFAULT-VALUE})")
    double rate;
    @Option(names = "--seconds", paramLabel = "S", defaultValue = "20", description = "how long the latency phase "
            + "publishes (default ${DEFAULT-VALUE})")
    int seconds;
    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "a job or Flink option for every mode "
            + "(repeatable)")
    Map<String, String> jobOptions = new LinkedHashMap<>();
    @Option(names = "--refresh-beside", description = "run the refresh job beside the job (in the same process, on a "
            + "copy of the model) and measure throughput and latency while a refresh trains: rows "
            + "<mode>-refresh-training")
    boolean refreshBeside;
    @Mixin
    BenchmarkOutput output;

    @Override
    public Integer call() throws Exception {
        List<DeliveryGuarantee> deliveries = deliveries();
        StreamingBenchmark.Settings settings = new StreamingBenchmark.Settings(warmUpSeconds, events, rate, seconds,
                jobOptions, refreshBeside);
        Path home = BenchmarkOutput.home();
        Dataset dataset = DatasetReader.read(DataRoot.requireDataSet(data, DataRoot.TOYS, System.getenv()));
        System.out.println("data: " + Training.describe(dataset));
        Path modelDir = model != null ? model : QuickModel.findOrTrain(home, dataset);
        JobCommand.requireSetRecModel(modelDir);
        BenchmarkResults results = output.read();
        StreamingBenchmark bench = new StreamingBenchmark(dataset, modelDir, settings, output.commandLine(),
                System.out);
        for (DeliveryGuarantee delivery : deliveries) {
            results.put(bench.run(delivery));
            output.write(results);
        }
        output.printWritten();
        return 0;
    }

    private List<DeliveryGuarantee> deliveries() {
        List<DeliveryGuarantee> deliveries = new ArrayList<>();
        for (String mode : modes) {
            switch (mode.strip().toLowerCase(Locale.ROOT)) {
                case "at_least_once" -> deliveries.add(DeliveryGuarantee.AT_LEAST_ONCE);
                case "exactly_once" -> deliveries.add(DeliveryGuarantee.EXACTLY_ONCE);
                default -> throw new ParameterException(spec.commandLine(),
                        "--modes: unknown mode '" + mode + "'; known: at_least_once, exactly_once");
            }
        }
        return deliveries;
    }
}
