package dev.setrec.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

/** One run of the command line: its exit status and what it wrote to its output and its error stream. */
record CliRun(int status, String out, String err) {
    /** Runs {@code args} followed by {@code more}. */
    static CliRun of(List<String> args, String... more) {
        List<String> all = new ArrayList<>(args);
        all.addAll(List.of(more));
        StringWriter stdout = new StringWriter();
        StringWriter stderr = new StringWriter();
        int status = Main.commandLine().setOut(new PrintWriter(stdout, true)).setErr(new PrintWriter(stderr, true))
                .execute(all.toArray(String[]::new));
        return new CliRun(status, stdout.toString(), stderr.toString());
    }
}
