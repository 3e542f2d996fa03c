package dev.setrec.jobs.quickstart;

import sun.misc.Signal;

import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Ctrl-C (SIGINT) and SIGTERM as a request to stop, which the command answers in its own time: it ends the run, shows
 * its summary and exits normally. The JVM's own handling would start its shutdown at once, and the local cluster, the
 * broker and the command's cleanup would then stop side by side (and fail over each other). A second signal forces
 * the exit at once. For a command that owns its process: the handlers stay until it exits.
 */
public final class StopSignals {
    private static final List<String> SIGNALS = List.of("INT", "TERM");

    private final PrintStream console;
    private final AtomicBoolean requested = new AtomicBoolean();

    private StopSignals(PrintStream console) {
        this.console = console;
    }

    /** Takes SIGINT and SIGTERM over (each where the JVM lets it: not with -Xrs, say); says so on {@code console}. */
    public static StopSignals install(PrintStream console) {
        StopSignals signals = new StopSignals(console);
        for (String name : SIGNALS) {
            try {
                Signal.handle(new Signal(name), signals::onSignal);
            } catch (IllegalArgumentException reservedByTheJvm) {
                // the JVM's default handling stays: the process ends without the summary
            }
        }
        return signals;
    }

    /** For a command that shares its JVM (a test): no handlers, never a request. */
    public static StopSignals none() {
        return new StopSignals(System.out);
    }

    /** Whether a stop was asked for. */
    public boolean requested() {
        return requested.get();
    }

    private void onSignal(Signal signal) {
        if (requested.getAndSet(true)) {
            console.println("stopped at once (SIG" + signal.getName() + " again)");
            Runtime.getRuntime().halt(128 + signal.getNumber());
        }
        console.println("stopping (SIG" + signal.getName() + "): the replay, then the job and the broker; "
                + "Ctrl-C again forces");
    }
}
