package dev.setrec.jobs.cli;

import dev.setrec.bench.BenchmarkOutput;
import dev.setrec.bench.BenchmarkResults;
import dev.setrec.jobs.bench.QuickstartFirstRun;
import dev.setrec.util.Directories;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** ./setrec bench quickstart: a new user's first quickstart from a fresh clone, into results.json and BENCHMARKS.md. */
@Command(name = "quickstart", mixinStandardHelpOptions = true,
        description = {"Times a new user's first run: clones this checkout (its last commit) into a temporary folder, "
                + "runs ./setrec quickstart there (the build, the popularity fallback serving at once, the quick "
                + "SETRec trained in the background and taking over), shows its console and reads its milestone "
                + "lines. Writes benchmark quickstart (metrics first_rec_s and setrec_serving_s: seconds from the "
                + "launch of ./setrec quickstart) with the machine to results.json and BENCHMARKS.md.",
                "The data is what the user would have: --data, else the default lookup (docs/data.md). Maven "
                        + "options pass through MAVEN_ARGS, e.g. MAVEN_ARGS=-o for an offline build from the local "
                        + "repository. It lasts as long as the clone's build and its first quickstart, which it stops "
                        + "(as Ctrl-C does) once both milestones showed."})
final class QuickstartBenchCommand implements Callable<Integer> {
    @Option(names = "--data", paramLabel = "DIR", description = "data dir, passed on to the quickstart (default: "
            + "its own lookup)")
    Path data;
    @Mixin
    BenchmarkOutput output;

    @Override
    public Integer call() throws Exception {
        Path home = BenchmarkOutput.home().toAbsolutePath().normalize();
        Path folder = Files.createTempDirectory("setrec-bench-quickstart");
        try {
            Path clone = folder.resolve("setrec");
            run(List.of("git", "clone", "--quiet", home.toString(), clone.toString()), home);
            List<String> quickstart = new ArrayList<>(List.of("./setrec", "quickstart"));
            if (data != null) {
                quickstart.addAll(List.of("--data", data.toAbsolutePath().toString()));
            }
            System.out.println("running " + String.join(" ", quickstart) + " in a fresh clone: " + clone);
            QuickstartFirstRun firstRun = new QuickstartFirstRun();
            Process process = new ProcessBuilder(quickstart).directory(clone.toFile()).redirectErrorStream(true)
                    .start();
            try (BufferedReader console = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                boolean stopped = false;
                for (String line = console.readLine(); line != null; line = console.readLine()) {
                    System.out.println(line);
                    firstRun.read(line);
                    if (firstRun.complete() && !stopped) {
                        // SIGTERM, as Ctrl-C: the run ends with its summary, status 0 (Process#destroy would also
                        // close the console this loop still reads)
                        process.toHandle().destroy();
                        stopped = true;
                    }
                }
            } finally {
                process.destroy(); // where this command was stopped first
            }
            int status = process.waitFor();
            if (status != 0 || !firstRun.complete()) {
                System.err.println("no row: the quickstart ended with status " + status + (firstRun.complete() ? ""
                        : " before both milestones showed"));
                return status != 0 ? status : 1;
            }
            BenchmarkResults results = output.read();
            results.put(firstRun.row(output.commandLine()));
            output.write(results);
            output.printWritten();
            return 0;
        } finally {
            Directories.deleteTree(folder);
        }
    }

    private static void run(List<String> command, Path dir) throws IOException, InterruptedException {
        int status = new ProcessBuilder(command).directory(dir.toFile()).inheritIO().start().waitFor();
        if (status != 0) {
            throw new IOException(String.join(" ", command) + " failed with status " + status);
        }
    }
}
