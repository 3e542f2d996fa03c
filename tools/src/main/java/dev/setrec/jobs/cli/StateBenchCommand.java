package dev.setrec.jobs.cli;

import dev.setrec.bench.BenchmarkOutput;
import dev.setrec.bench.BenchmarkResults;
import dev.setrec.jobs.bench.StateBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** ./setrec bench state: {@link StateBenchmark}, into results.json and BENCHMARKS.md. */
@Command(name = "state", mixinStandardHelpOptions = true,
        description = "How much state the job keeps per user and per onboarded item, and its checkpoint size, with "
                + "many distinct users (in-process Kafka, local Flink, RocksDB).")
final class StateBenchCommand implements Callable<Integer> {
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
    @Mixin
    BenchmarkOutput output;

    @Override
    public Integer call() throws Exception {
        BenchmarkResults results = output.read();
        results.put(new StateBenchmark(new StateBenchmark.Settings(users, eventsPerUser, catalogue, onboarded),
                output.commandLine(), System.out).run());
        output.write(results);
        output.printWritten();
        return 0;
    }
}
