package dev.setrec.cluster;

import dev.setrec.cluster.harness.Await;
import dev.setrec.cluster.harness.HeapPaths;
import dev.setrec.cluster.harness.Jcmd;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Whether a process of the cluster let go of the class loaders of jobs that ended: the job manager, and the task
 * managers, which outlive many jobs. A job's loader kept past its end means everything of the job kept (its classes,
 * its statics, and what they reach) for the life of the process, growing with every job.
 */
final class LoaderRelease {
    private static final Set<String> JOB_LOADERS = Set.of("org.apache.flink.util.ChildFirstClassLoader",
            "org.apache.flink.util.FlinkUserCodeClassLoaders$ParentFirstClassLoader",
            "org.apache.flink.util.FlinkUserCodeClassLoaders$SafetyNetWrapperClassLoader");
    /**
     * How long a process may take to let go of an ended job's class loader: past the 60 s that the JDK's cached
     * thread pools keep an idle thread (the process reaper's, the HTTP client's), since such a thread started by a
     * job holds the job until it ends (its inherited access-control context names the job's classes).
     */
    private static final Duration RELEASE = Duration.ofMinutes(2);

    private LoaderRelease() {
    }

    /** What a JVM holds after a full collection. */
    record Snapshot(long metaspaceKb, long classesUnloaded, int userCodeClassLoaders) {
        static Snapshot of(Jcmd jcmd) {
            jcmd.fullGc();
            return new Snapshot(jcmd.metaspaceUsedKb(), jcmd.classesUnloaded(), jcmd.userCodeClassLoaders());
        }
    }

    /**
     * Waits until {@code process} (named {@code name}) holds no user-code class loader (no job of it runs any more);
     * where it keeps one, dumps its heap into {@code heapDumps} (paths from the GC roots to the loader name the
     * culprit) and fails, naming the threads alive in it (a thread a job started and left running holds the job).
     *
     * @param after what ended, for the message and the dump's name
     */
    static Snapshot await(Jcmd process, String name, String after, Path heapDumps) {
        try {
            return Await.value(RELEASE, name + " releases the class loaders of the jobs of " + after, () -> {
                Snapshot now = Snapshot.of(process);
                return now.userCodeClassLoaders() == 0 ? Optional.of(now) : Optional.empty();
            });
        } catch (IllegalStateException kept) {
            Path dump = heapDumps.resolve(name.replace(' ', '-') + "-after-" + after.replaceAll("\\W+", "-")
                    + ".hprof");
            process.heapDump(dump);
            throw new AssertionError(name + " keeps a user-code class loader after " + after + " ended; its threads: "
                    + threadsByKind(process.threadNames()) + "; heap dump: " + dump + "; " + holders(process, dump),
                    kept);
        }
    }

    /**
     * The paths from the GC roots to the jobs' class loaders in {@code dump}, and to Flink's safety-net wrappers
     * around them (a wrapper that resolved classes through the job's loader keeps it, outside the heap); then the
     * stacks of the threads at their roots, which say what such a thread is still doing.
     */
    private static String holders(Jcmd process, Path dump) {
        try {
            Map<Long, List<String>> paths = HeapPaths.to(dump, JOB_LOADERS);
            if (paths.isEmpty()) {
                return "no strong path in the dump (a loader the JVM keeps for another one)";
            }
            return "what holds it:\n" + paths.values().stream().map(path -> String.join("\n    ", path))
                    .collect(Collectors.joining("\n  ", "  ", "")) + "\nthe threads that hold it:\n"
                    + process.threadStacks(HeapPaths.rootThreads(paths));
        } catch (IOException | RuntimeException e) {
            return "the heap dump could not be read: " + e;
        }
    }

    /** Thread names with their numbers left out, each with how many threads have it: short enough for a message. */
    static String threadsByKind(List<String> names) {
        Map<String, Long> kinds = names.stream().collect(Collectors.groupingBy(
                thread -> thread.replaceAll("\\d+", "N"), TreeMap::new, Collectors.counting()));
        return kinds.entrySet().stream().map(kind -> kind.getValue() == 1 ? kind.getKey()
                : kind.getKey() + " x" + kind.getValue()).collect(Collectors.joining(", ", "[", "]"));
    }
}
