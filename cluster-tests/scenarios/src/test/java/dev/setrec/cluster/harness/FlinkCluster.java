package dev.setrec.cluster.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A Flink standalone session cluster of separate JVMs started from a lib/ folder of Maven artifacts, as the
 * distribution's scripts would start it: a job manager ({@code StandaloneSessionClusterEntrypoint}), task managers
 * ({@code TaskManagerRunner}) with the memory flags Flink's {@code BashJavaUtils} computes from the configuration,
 * and Flink's own client ({@code CliFrontend}) for run, stop-with-savepoint and cancel. Task managers are named
 * taskmanager-1, -2, ... (their resource id, so the REST API names them alike); job managers jobmanager-1, -2, ...
 */
public final class FlinkCluster implements AutoCloseable {
    private static final String JOB_MANAGER_MAIN =
            "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
    private static final String TASK_MANAGER_MAIN = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";
    private static final String CLI_MAIN = "org.apache.flink.client.cli.CliFrontend";
    private static final String RESOURCES_MAIN = "org.apache.flink.runtime.util.bash.BashJavaUtils";
    /** The prefix of BashJavaUtils' result lines: the JVM flags, then the dynamic properties. */
    private static final String RESULT_PREFIX = "BASH_JAVA_UTILS_EXEC_RESULT:";
    private static final Pattern JOB_ID = Pattern.compile("JobID ([0-9a-f]{32})");
    private static final Pattern SAVEPOINT = Pattern.compile("Savepoint completed\\. Path: (\\S+)");
    private static final Duration START = Duration.ofMinutes(3);

    /**
     * What the cluster runs: the jars of its lib/ (several folders stand for one), those the task managers' lib/ has
     * beside them, its configuration on top of the defaults this class sets, and JVM options for all its processes.
     */
    public record Setup(List<Path> lib, List<Path> taskManagerLib, Map<String, String> config,
                        List<String> jvmOptions) {
    }

    private final Setup setup;
    private final Map<String, String> config;
    private final Path dir;
    private final Path confDir;
    private final Path logDir;
    private final Log4jConfig logging;
    private final FlinkRest rest;
    private final ProcessResources jobManagerResources;
    private final ProcessResources taskManagerResources;
    private final Map<String, JavaProcess> taskManagers = new LinkedHashMap<>();
    private JavaProcess jobManager;
    private int jobManagers;
    private int cliCalls;

    /** A JVM's memory flags and the dynamic properties that go with them, as the scripts pass them. */
    private record ProcessResources(List<String> jvmOptions, List<String> dynamicProperties) {
    }

    private FlinkCluster(Setup setup, Map<String, String> config, Path dir, Log4jConfig logging, Path logDir,
                         int restPort) {
        this.setup = setup;
        this.config = Map.copyOf(config);
        this.dir = dir;
        this.confDir = dir.resolve("conf");
        this.logDir = logDir;
        this.logging = logging;
        this.rest = new FlinkRest(URI.create("http://127.0.0.1:" + restPort));
        this.jobManagerResources = resources("GET_JM_RESOURCE_PARAMS");
        this.taskManagerResources = resources("GET_TM_RESOURCE_PARAMS");
    }

    /**
     * Writes the cluster's configuration under {@code dir} (conf/, checkpoints, savepoints, tmp) and computes the
     * processes' memory flags; starts nothing.
     */
    public static FlinkCluster create(Setup setup, Path dir, Log4jConfig logging, Path logDir) {
        int restPort = FreePorts.next();
        Map<String, String> config = new LinkedHashMap<>();
        config.put("jobmanager.rpc.address", "127.0.0.1");
        config.put("jobmanager.bind-host", "127.0.0.1");
        config.put("jobmanager.rpc.port", Integer.toString(FreePorts.next()));
        config.put("rest.address", "127.0.0.1");
        config.put("rest.bind-address", "127.0.0.1");
        config.put("rest.port", Integer.toString(restPort));
        config.put("taskmanager.host", "127.0.0.1");
        config.put("taskmanager.bind-host", "127.0.0.1");
        config.put("io.tmp.dirs", dir.resolve("tmp").toString());
        config.put("execution.checkpointing.dir", dir.resolve("checkpoints").toUri().toString());
        config.put("execution.checkpointing.savepoint-dir", dir.resolve("savepoints").toUri().toString());
        config.putAll(setup.config());
        try {
            Files.createDirectories(dir.resolve("conf"));
            Files.createDirectories(dir.resolve("tmp"));
            Files.writeString(dir.resolve("conf/config.yaml"), config.entrySet().stream()
                    .map(e -> e.getKey() + ": '" + e.getValue().replace("'", "''") + "'")
                    .collect(Collectors.joining("\n", "", "\n")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new FlinkCluster(setup, config, dir, logging, logDir, restPort);
    }

    /** A value of the cluster's configuration (conf/config.yaml as written), or null. */
    public String config(String key) {
        return config.get(key);
    }

    public FlinkRest rest() {
        return rest;
    }

    /** The folder of this cluster's files (configuration, checkpoints, savepoints, tmp). */
    public Path dir() {
        return dir;
    }

    /** Starts a job manager and returns once its REST API answers. */
    public JavaProcess startJobManager() {
        String name = "jobmanager-" + ++jobManagers;
        List<String> args = new ArrayList<>(List.of("--configDir", confDir.toString()));
        args.addAll(jobManagerResources.dynamicProperties());
        jobManager = flinkProcess(name, JOB_MANAGER_MAIN, setup.lib())
                .jvmOptions(jobManagerResources.jvmOptions())
                .arguments(args)
                .start();
        JavaProcess started = jobManager;
        Await.until(START, name + "'s REST API", () -> {
            requireAlive(started);
            return rest.get("/overview").has("taskmanagers");
        });
        return jobManager;
    }

    public JavaProcess jobManager() {
        return jobManager;
    }

    /** The log files of every job manager started so far, oldest first. */
    public List<Path> jobManagerLogs() {
        List<Path> logs = new ArrayList<>();
        for (int i = 1; i <= jobManagers; i++) {
            logs.add(logDir.resolve("jobmanager-" + i + ".log"));
        }
        return logs;
    }

    /** The log files of every job manager and task manager started so far. */
    public List<Path> logs() {
        List<Path> logs = jobManagerLogs();
        taskManagers.keySet().forEach(name -> logs.add(logDir.resolve(name + ".log")));
        return logs;
    }

    /** Starts a task manager; returns its name, which is also its resource id. */
    public String startTaskManager() {
        String name = "taskmanager-" + (taskManagers.size() + 1);
        List<String> args = new ArrayList<>(List.of("--configDir", confDir.toString(),
                "-D", "taskmanager.resource-id=" + name));
        args.addAll(taskManagerResources.dynamicProperties());
        List<Path> lib = new ArrayList<>(setup.lib());
        lib.addAll(setup.taskManagerLib());
        taskManagers.put(name, flinkProcess(name, TASK_MANAGER_MAIN, lib)
                .jvmOptions(taskManagerResources.jvmOptions())
                .arguments(args)
                .start());
        return name;
    }

    public JavaProcess taskManager(String name) {
        return taskManagers.get(name);
    }

    /** The names of the task managers whose JVMs are alive. */
    public Set<String> liveTaskManagers() {
        return taskManagers.entrySet().stream().filter(e -> e.getValue().isAlive()).map(Map.Entry::getKey)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** Starts task managers until {@code count} are alive, and waits until exactly those are registered. */
    public void ensureTaskManagers(int count) {
        while (liveTaskManagers().size() < count) {
            startTaskManager();
        }
        Await.until(START, count + " task managers registered", () -> {
            requireAlive(jobManager);
            return rest.taskManagers().equals(liveTaskManagers());
        });
    }

    /** Runs Flink's CLI with {@code args} against this cluster; returns what it printed, or fails with it. */
    public String cli(List<String> args) {
        JavaProcess cli = JavaProcess.builder("flink-cli-" + ++cliCalls, CLI_MAIN)
                .jarsOf(setup.lib())
                .jvmOptions(List.of("-Xmx256m"))
                .jvmOptions(setup.jvmOptions())
                .jvmOptions(logging.jvmOptions(logDir.resolve("flink-cli.log")))
                .environment("FLINK_CONF_DIR", confDir.toString())
                .arguments(args)
                .logDir(logDir)
                .start();
        int exit = cli.awaitExit(START);
        String output = cli.outputText();
        if (exit != 0) {
            throw new IllegalStateException("flink " + String.join(" ", args) + " exited with " + exit + ":\n"
                    + output);
        }
        return output;
    }

    /**
     * {@code flink run -d [-s savepoint] -c mainClass jar args}: submits the job detached and returns its id.
     *
     * @param savepoint where to restore from, or null for a fresh start
     */
    public String submit(Path jar, String mainClass, List<String> programArgs, String savepoint) {
        return submit(jar, mainClass, programArgs, savepoint, OptionalInt.empty());
    }

    /** {@link #submit(Path, String, List, String)} with {@code flink run -p}, where {@code parallelism} is given. */
    public String submit(Path jar, String mainClass, List<String> programArgs, String savepoint,
                         OptionalInt parallelism) {
        List<String> args = new ArrayList<>(List.of("run", "-d"));
        if (savepoint != null) {
            args.addAll(List.of("-s", savepoint));
        }
        parallelism.ifPresent(p -> args.addAll(List.of("-p", Integer.toString(p))));
        args.addAll(List.of("-c", mainClass, jar.toString()));
        args.addAll(programArgs);
        return find(JOB_ID, cli(args), "a job id");
    }

    /** {@code flink stop -p DIR JOB}: stop-with-savepoint; returns the savepoint's path. */
    public String stopWithSavepoint(String jobId) {
        return find(SAVEPOINT, cli(List.of("stop", "-p", dir.resolve("savepoints").toUri().toString(), jobId)),
                "a savepoint path");
    }

    public void cancel(String jobId) {
        cli(List.of("cancel", jobId));
    }

    /** Stops the task managers and the job manager (SIGTERM, then SIGKILL). */
    @Override
    public void close() {
        taskManagers.values().forEach(tm -> tm.stop(Duration.ofSeconds(10)));
        if (jobManager != null) {
            jobManager.stop(Duration.ofSeconds(10));
        }
    }

    private JavaProcess.Builder flinkProcess(String name, String mainClass, List<Path> lib) {
        return JavaProcess.builder(name, mainClass)
                .jarsOf(lib)
                .jvmOptions(setup.jvmOptions())
                .jvmOptions(List.of("-Djava.io.tmpdir=" + dir.resolve("tmp")))
                .jvmOptions(logging.jvmOptions(logDir.resolve(name + ".log")))
                .logDir(logDir);
    }

    /** What BashJavaUtils computes from the configuration for one kind of process. */
    private ProcessResources resources(String command) {
        JavaProcess utils = JavaProcess.builder("flink-" + command.toLowerCase(), RESOURCES_MAIN)
                .jarsOf(setup.lib())
                .jvmOptions(logging.jvmOptions(logDir.resolve("flink-resources.log")))
                .arguments(List.of(command, "--configDir", confDir.toString()))
                .logDir(logDir)
                .start();
        if (utils.awaitExit(START) != 0) {
            throw new IllegalStateException("BashJavaUtils " + command + " failed; see " + utils.output());
        }
        List<String> results = utils.outputText().lines().filter(line -> line.startsWith(RESULT_PREFIX))
                .map(line -> line.substring(RESULT_PREFIX.length()).strip()).toList();
        if (results.size() < 2) {
            throw new IllegalStateException("BashJavaUtils " + command + " printed no resource parameters; see "
                    + utils.output());
        }
        return new ProcessResources(words(results.get(results.size() - 2)), words(results.get(results.size() - 1)));
    }

    private static List<String> words(String line) {
        return line.isBlank() ? List.of() : Arrays.asList(line.split("\\s+"));
    }

    private static void requireAlive(JavaProcess process) {
        if (!process.isAlive()) {
            throw new Await.Hopeless(process.name() + " exited; see " + process.output());
        }
    }

    private static String find(Pattern pattern, String output, String what) {
        Matcher matcher = pattern.matcher(output);
        if (!matcher.find()) {
            throw new IllegalStateException("the CLI printed no " + what + ":\n" + output);
        }
        return matcher.group(1);
    }
}
