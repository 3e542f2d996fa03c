package dev.setrec.jobs.cli;

import dev.setrec.bench.BenchmarkResults;
import dev.setrec.bench.BenchmarksReport;
import dev.setrec.jobs.bench.StateBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** ./setrec bench state: {@link StateBenchmark}, into results.json and BENCHMARKS.md. */
@Command(name = "state", mixinStandardHelpOptions = true,
        description = "How much state the job keeps per user and per onboarded item, and its checkpoint size, with "
                + "many distinct users (in-process Kafka, local Flink, RocksDB).")
final class StateBenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Option(names = "--users", defaultValue = "1000000", description = "distinct users (default ${DEFAULT-VALUE})")
    int users;
    @Option(names = "--events-per-user", defaultValue = "3",
            description = "interactions per user (default ${DEFAULT-VALUE})")
    int eventsPerUser;
    @Option(names = "--catalogue", defaultValue = "10000",
            description = "items the interactions pick from (default ${DEFAULT-VALUE})")
    int catalogue;
    @Option(names = "--onboarded", defaultValue = "10000",
            description = "items published on the items topic (default ${DEFAULT-VALUE})")
    int onboarded;
    @Option(names = "--results", paramLabel = "DIR",
            description = "where benchmarks/results.json and BENCHMARKS.md go (default: the repo)")
    Path out;

    @Override
    public Integer call() throws Exception {
        Path home = Path.of(System.getProperty("setrec.home", "."));
        Path target = out != null ? out : home;
        Path resultsFile = target.resolve("benchmarks/results.json");
        BenchmarkResults results = BenchmarkResults.read(resultsFile);
        String command = "./setrec " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
        results.put(new StateBenchmark(new StateBenchmark.Settings(users, eventsPerUser, catalogue, onboarded),
                command.strip(), System.out).run());
        results.write(resultsFile);
        BenchmarksReport.write(results, target);
        System.out.println("wrote " + resultsFile + " and " + target.resolve("BENCHMARKS.md"));
        return 0;
    }
}
