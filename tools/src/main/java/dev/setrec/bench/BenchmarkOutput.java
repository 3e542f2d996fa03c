package dev.setrec.bench;

import com.google.gson.JsonObject;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Path;

/**
 * What every bench command shares, as a picocli mixin: the {@code --results} option, the command line its rows
 * record, and the writing of benchmarks/results.json with BENCHMARKS.md and its plots rendered from it.
 */
public final class BenchmarkOutput {
    @Spec(Spec.Target.MIXEE)
    CommandSpec command;
    @Option(names = "--results", paramLabel = "DIR",
            description = "where benchmarks/results.json and BENCHMARKS.md are read and written (default: the repo)")
    Path dir;

    /** The repository the launcher runs from. */
    public static Path home() {
        return Path.of(System.getProperty("setrec.home", "."));
    }

    /** The folder that holds benchmarks/results.json and BENCHMARKS.md. */
    public Path target() {
        return dir != null ? dir : home();
    }

    public Path resultsFile() {
        return target().resolve("benchmarks/results.json");
    }

    public BenchmarkResults read() throws IOException {
        return BenchmarkResults.read(resultsFile());
    }

    /** The command as it was typed, which each row records. */
    public String commandLine() {
        return ("./setrec " + String.join(" ", command.commandLine().getParseResult().originalArgs())).strip();
    }

    /** results.json, then BENCHMARKS.md and its plots from it. */
    public void write(BenchmarkResults results) throws IOException {
        results.write(resultsFile());
        BenchmarksReport.write(results, target());
    }

    /** Puts one row into results.json (replacing the row of the same key), writes both files and says so. */
    public void put(JsonObject row) throws IOException {
        BenchmarkResults results = read();
        results.put(row);
        write(results);
        printWritten();
    }

    /** Says on the console which files the run wrote. */
    public void printWritten() {
        System.out.println("wrote " + resultsFile() + " and " + target().resolve("BENCHMARKS.md"));
    }
}
