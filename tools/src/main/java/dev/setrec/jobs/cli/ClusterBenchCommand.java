package dev.setrec.jobs.cli;

import dev.setrec.bench.BenchmarkOutput;
import dev.setrec.bench.BenchmarkResults;
import dev.setrec.jobs.bench.ClusterScenarioRow;
import dev.setrec.jobs.scoring.Operators;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * ./setrec bench cluster: the real-cluster scenarios with their long loops, through Maven, into results.json and
 * BENCHMARKS.md.
 */
@Command(name = "cluster", mixinStandardHelpOptions = true,
        description = {"Runs the real-cluster scenarios of cluster-tests/scenarios (docs/cluster.md, \"How this is "
                + "tested\") in both scoring modes, with the long loops CI leaves out: upgrades in a row and job "
                + "submissions in a row to one session cluster. Writes one row per mode (benchmark reliability, "
                + "variant cluster-in-process and cluster-remote: recovery_s, events_lost, duplicates_exactly_once, "
                + "upgrades_without_failure, tm_rss_growth_mb_per_upgrade, ...) to results.json and BENCHMARKS.md.",
                "How: it runs Maven in the source checkout (./mvnw -pl cluster-tests/scenarios -am verify with the "
                        + "loops' system properties; set MAVEN_ARGS for more Maven options, e.g. -o), then reads the "
                        + "figures the scenarios wrote under cluster-tests/scenarios/target/cluster and failsafe's "
                        + "reports. A mode's row is written when its scenarios ran to their end, also when one failed "
                        + "(scenarios_failed counts them; the exit status is then Maven's). About an hour on 2 "
                        + "cores."})
final class ClusterBenchCommand implements Callable<Integer> {
    private static final Path SCENARIOS = Path.of("cluster-tests/scenarios");
    /** Both modes with the default loops took 56 minutes on 2 busy cores: CI's fork limit (40) is too short. */
    private static final Duration FORK_TIMEOUT = Duration.ofHours(3);
    /** The scenario test class of each scoring mode. */
    private static final Map<String, String> TEST_CLASSES = new TreeMap<>(Map.of(
            Operators.IN_PROCESS, "dev.setrec.cluster.InProcessScoringClusterIT",
            Operators.REMOTE, "dev.setrec.cluster.RemoteScoringClusterIT"));

    @Option(names = "--upgrades", defaultValue = "10",
            description = "stop-with-savepoint and resubmit this many times in a row (default ${DEFAULT-VALUE})")
    int upgrades;
    @Option(names = "--submissions", defaultValue = "30",
            description = "submit the job this many times in a row to one session cluster (default ${DEFAULT-VALUE})")
    int submissions;
    @Option(names = "--from-last-run",
            description = "run nothing: write the rows from the figures and reports the last run left behind")
    boolean fromLastRun;
    @Mixin
    BenchmarkOutput output;

    @Override
    public Integer call() throws Exception {
        Path home = BenchmarkOutput.home().toAbsolutePath().normalize();
        int maven = fromLastRun ? 0 : runScenarios(home);
        BenchmarkResults results = output.read();
        Path build = home.resolve(SCENARIOS).resolve("target");
        int rows = 0;
        for (Map.Entry<String, String> mode : TEST_CLASSES.entrySet()) {
            try {
                results.put(ClusterScenarioRow.read(mode.getKey(), build.resolve("cluster"),
                        build.resolve("failsafe-reports/TEST-" + mode.getValue() + ".xml"), output.commandLine()));
                rows++;
            } catch (IOException e) {
                System.err.println("no row for " + mode.getKey() + ": " + e.getMessage());
            }
        }
        if (rows > 0) {
            output.write(results);
            System.out.println(rows + " row(s)");
            output.printWritten();
        }
        return rows == TEST_CLASSES.size() ? maven : 1;
    }

    /** The scenarios of both modes, the loops switched on by their system properties; returns Maven's status. */
    private int runScenarios(Path home) throws IOException, InterruptedException {
        List<String> maven = List.of(home.resolve("mvnw").toString(), "-B", "-pl", SCENARIOS.toString(), "-am",
                "verify", "-Dtest=None", "-Dsurefire.failIfNoSpecifiedTests=false",
                "-Dfailsafe.failIfNoSpecifiedTests=false", "-Dit.test=" + String.join(",", TEST_CLASSES.values()),
                "-Dsetrec.cluster.upgrades=" + upgrades, "-Dsetrec.cluster.submissions=" + submissions,
                "-Dcluster.forkTimeoutSeconds=" + FORK_TIMEOUT.toSeconds());
        System.out.println("running " + String.join(" ", maven));
        return new ProcessBuilder(maven).directory(home.toFile()).inheritIO().start().waitFor();
    }
}
