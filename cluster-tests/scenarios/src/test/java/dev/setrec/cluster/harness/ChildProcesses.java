package dev.setrec.cluster.harness;

import java.util.ArrayList;
import java.util.List;

/**
 * Every process the cluster tests start, so that none outlives the test JVM: {@link #killAll()} ends them (each test
 * class calls it when it ends, failed or not), and a shutdown hook does the same when the JVM exits any other way.
 */
public final class ChildProcesses {
    private static final List<Process> STARTED = new ArrayList<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ChildProcesses::killAll, "kill-cluster-processes"));
    }

    private ChildProcesses() {
    }

    static synchronized void register(Process process) {
        STARTED.add(process);
    }

    /** SIGKILL to every process still alive, and waits for each to be gone. */
    public static synchronized void killAll() {
        for (Process process : STARTED) {
            process.destroyForcibly();
        }
        for (Process process : STARTED) {
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        STARTED.clear();
    }
}
