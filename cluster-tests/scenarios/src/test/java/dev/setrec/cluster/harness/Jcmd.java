package dev.setrec.cluster.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the JDK's {@code jcmd} tells of a running JVM of the cluster: a full collection (which unloads the classes of
 * class loaders nothing holds any more), metaspace in use, classes unloaded, and the user-code class loaders Flink
 * made for jobs that are still alive.
 */
public final class Jcmd {
    private static final Pattern METASPACE_USED = Pattern.compile("Metaspace\\s+used (\\d+)K");
    private static final Pattern UNLOADED = Pattern.compile("java\\.cls\\.unloadedClasses=(\\d+)");
    /** Flink's user-code class loaders (child-first, the default, and parent-first), not its safety-net wrapper. */
    private static final Pattern USER_CODE_LOADER = Pattern.compile("[.$](ChildFirst|ParentFirst)ClassLoader\\b");
    /** A thread's line in a thread dump starts with its name in quotes and goes on with its number. */
    private static final Pattern THREAD = Pattern.compile("(?m)^\"(.*)\" #\\d+");
    private static final long TIMEOUT_SECONDS = 60;

    private final long pid;

    public Jcmd(long pid) {
        this.pid = pid;
    }

    /** Two full collections: the second frees what the first let go of (class loaders closed by cleaners). */
    public void fullGc() {
        run("GC.run");
        run("GC.run");
    }

    public long metaspaceUsedKb() {
        Matcher used = METASPACE_USED.matcher(run("GC.heap_info"));
        if (!used.find()) {
            throw new IllegalStateException("jcmd " + pid + " GC.heap_info shows no metaspace");
        }
        return Long.parseLong(used.group(1));
    }

    public long classesUnloaded() {
        Matcher unloaded = UNLOADED.matcher(run("PerfCounter.print"));
        if (!unloaded.find()) {
            throw new IllegalStateException("jcmd " + pid + " PerfCounter.print shows no java.cls.unloadedClasses");
        }
        return Long.parseLong(unloaded.group(1));
    }

    /** Flink user-code class loaders that still have classes in the JVM (each is a job's, live or leaked). */
    public int userCodeClassLoaders() {
        return (int) run("VM.classloader_stats").lines().filter(line -> USER_CODE_LOADER.matcher(line).find())
                .count();
    }

    /** The names of the JVM's live threads, in the order of a thread dump. */
    public List<String> threadNames() {
        List<String> names = new ArrayList<>();
        Matcher thread = THREAD.matcher(run("Thread.print"));
        while (thread.find()) {
            names.add(thread.group(1));
        }
        return names;
    }

    /**
     * The thread-dump sections (name line, state and stack) of the live threads named in {@code names}, in the
     * order of the dump; a name no live thread has is left out.
     */
    public String threadStacks(Set<String> names) {
        StringBuilder stacks = new StringBuilder();
        for (String section : run("Thread.print").split("\\R\\R")) {
            Matcher thread = THREAD.matcher(section);
            if (thread.find() && names.contains(thread.group(1))) {
                stacks.append(section.strip()).append('\n');
            }
        }
        return stacks.toString();
    }

    /** Writes a heap dump of live objects to {@code file}, for finding what holds a class loader. */
    public void heapDump(Path file) {
        run("GC.heap_dump", file.toString());
    }

    private String run(String... command) {
        List<String> args = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd")
                .toString(), Long.toString(pid)));
        args.addAll(List.of(command));
        try {
            // into a file, not a pipe: a jcmd that never answers must not block a read beyond the timeout
            Path output = Files.createTempFile("jcmd-", ".txt");
            output.toFile().deleteOnExit();
            Process jcmd = new ProcessBuilder(args).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            boolean exited = jcmd.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (!exited || jcmd.exitValue() != 0) {
                jcmd.destroyForcibly();
                throw new IllegalStateException(String.join(" ", args) + (exited ? " failed: "
                        : " did not answer within " + TIMEOUT_SECONDS + " s: ") + Files.readString(output));
            }
            return Files.readString(output, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
