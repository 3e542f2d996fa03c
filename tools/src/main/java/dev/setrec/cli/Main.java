package dev.setrec.cli;

import dev.setrec.data.DataFormatException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.UncheckedIOException;

/** The ./setrec command line; each subcommand is a class of its own. */
@Command(name = "setrec", mixinStandardHelpOptions = true, version = "setrec 0.1.0",
        description = "SETRec generative recommender: prepare data, train, evaluate, benchmark, run the streaming"
                + " quickstart.",
        subcommands = {PrepareCommand.class, TrainCommand.class, EvaluateCommand.class, PromoteCommand.class,
            RefreshCommand.class, ServeCommand.class, BenchCommand.class})
public final class Main {
    /** Exit status for bad input (data, model directory, arguments). */
    static final int BAD_INPUT = 2;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line: bad input ends with a one-line "error: ..." and exit status 2. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            Throwable cause = e instanceof UncheckedIOException u ? u.getCause() : e;
            if (cause instanceof DataFormatException || cause instanceof IOException
                    || cause instanceof IllegalArgumentException) {
                cmd.getErr().println("error: " + cause.getMessage());
                return BAD_INPUT;
            }
            throw e;
        });
        return cli;
    }
}
