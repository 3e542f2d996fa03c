package dev.setrec.cluster.harness;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Java main in a JVM of its own, a child of the test: stdout and stderr go to {@code <name>.out} in the log folder
 * (kept under target/ for the report), and {@link ChildProcesses} makes sure it ends with the test.
 */
public final class JavaProcess {
    private final String name;
    private final Process process;
    private final Path output;

    private JavaProcess(String name, Process process, Path output) {
        this.name = name;
        this.process = process;
        this.output = output;
    }

    /** A process named {@code name} (also the name of its output file) running {@code mainClass}. */
    public static Builder builder(String name, String mainClass) {
        return new Builder(name, mainClass);
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Path output() {
        return output;
    }

    /** What the process wrote to stdout and stderr so far. */
    public String outputText() {
        try {
            return Files.readString(output, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code kill -9}: the process gets no chance to clean up, as on a crash or a lost machine. */
    public void killHard() {
        process.destroyForcibly();
        awaitExit(Duration.ofSeconds(30));
    }

    /** SIGTERM, then SIGKILL if it has not ended after {@code grace}. */
    public void stop(Duration grace) {
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                killHard();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    /** The exit status; fails naming the process and its output file when it runs past {@code timeout}. */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(name + " still running after " + timeout + " (killed); see "
                        + output);
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IllegalStateException("interrupted while waiting for " + name, e);
        }
    }

    /** Resident memory in MiB (VmRSS of /proc/PID/status), or -1 where the process is gone. */
    public long residentMb() {
        try (Stream<String> lines = Files.lines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
            return lines.filter(line -> line.startsWith("VmRSS:"))
                    .mapToLong(line -> Long.parseLong(line.replaceAll("\\D", "")) / 1024).findFirst().orElse(-1);
        } catch (IOException | UncheckedIOException e) {
            return -1;
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ")";
    }

    /** What to start: class path, JVM options, arguments, environment, log folder. */
    public static final class Builder {
        private final String name;
        private final String mainClass;
        private final List<Path> classPath = new ArrayList<>();
        private final List<String> jvmOptions = new ArrayList<>();
        private final List<String> arguments = new ArrayList<>();
        private final Map<String, String> environment = new LinkedHashMap<>();
        private Path logDir = Path.of(".");

        private Builder(String name, String mainClass) {
            this.name = name;
            this.mainClass = mainClass;
        }

        /**
         * Every jar in {@code dirs}, in file-name order across all of them, as Flink's scripts list the jars of one
         * lib/ folder (the folders stand for one lib/ filled from several builds).
         */
        public Builder jarsOf(List<Path> dirs) {
            List<Path> jars = new ArrayList<>();
            for (Path dir : dirs) {
                try (Stream<Path> files = Files.list(dir)) {
                    files.filter(p -> p.getFileName().toString().endsWith(".jar")).forEach(jars::add);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot list the jars of " + dir
                            + " (made by the package phase of its module)", e);
                }
            }
            jars.sort(Comparator.comparing(p -> p.getFileName().toString()));
            return classPath(jars);
        }

        /** Class path entries (jars, class folders), in this order, after those added before. */
        public Builder classPath(List<Path> entries) {
            classPath.addAll(entries);
            return this;
        }

        public Builder jvmOptions(List<String> options) {
            jvmOptions.addAll(options);
            return this;
        }

        public Builder arguments(List<String> args) {
            arguments.addAll(args);
            return this;
        }

        public Builder environment(String key, String value) {
            environment.put(key, value);
            return this;
        }

        public Builder logDir(Path dir) {
            logDir = dir;
            return this;
        }

        public JavaProcess start() {
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(jvmOptions);
            command.add("-cp");
            command.add(String.join(File.pathSeparator, classPath.stream().map(Path::toString).toList()));
            command.add(mainClass);
            command.addAll(arguments);
            try {
                Files.createDirectories(logDir);
                Path output = logDir.resolve(name + ".out");
                ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()));
                builder.environment().putAll(environment);
                Process process = builder.start();
                ChildProcesses.register(process);
                return new JavaProcess(name, process, output);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start " + name, e);
            }
        }
    }
}
