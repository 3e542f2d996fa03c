package dev.setrec.tests;

import dev.setrec.cli.Main;
import dev.setrec.jobs.JobOptions;
import dev.setrec.jobs.LocalFlink;
import dev.setrec.jobs.cli.ClusterJob;
import dev.setrec.jobs.scoring.Operators;
import dev.setrec.serve.ServerConfig;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.FallbackKey;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.util.TimeUtils;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.Reader;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Checks docker-compose.yml and deploy/ against the code they deploy, not against copies of strings: the topics are
 * JobOptions' defaults, the job options load with JobOptions.load and name the compose services, the server's flags
 * are options of ServeCommand, the entry class exists, the JVM flags are the build's, the Dockerfiles exist, the
 * restart strategy can stop a job that keeps failing, the metrics reach Prometheus, and the job manager's entry point
 * resumes this file's job from its newest checkpoint. Nothing is started (no Docker needed; the entry point runs with a
 * stand-in for Flink's).
 */
class DeploymentFileTest {
    private static final List<String> SERVICES = List.of("kafka", "kafka-init", "jobmanager", "taskmanager",
            "model-server");
    /** A job option key in free text ("dev.setrec.jobs" and the like are not: they follow a dot). */
    private static final Pattern JOB_KEY = Pattern.compile("(?<![\\w.])setrec\\.[a-z0-9][a-z0-9.-]*[a-z0-9]");
    /**
     * The options with a value of Flink's standalone-job that the job manager's command may use, and its flags
     * (StandaloneApplicationClusterConfigurationParserFactory); Flink's parser stops at the first word that is none
     * of its options, and that word and the rest are the job's program arguments.
     */
    private static final Set<String> STANDALONE_JOB_OPTIONS = Set.of("--job-classname", "--job-id");
    private static final Set<String> STANDALONE_JOB_FLAGS = Set.of("--allowNonRestoredState");
    /** metrics.reporter.NAME.SETTING (Flink's reporter configuration). */
    private static final Pattern REPORTER_KEY = Pattern.compile("metrics\\.reporter\\.([A-Za-z0-9_]+)\\.(.+)");
    /** Flink's Prometheus reporter; the flink image ships it as a plugin (plugins/metrics-prometheus). */
    private static final String PROMETHEUS_REPORTER = "org.apache.flink.metrics.prometheus.PrometheusReporterFactory";

    private static Path root;
    private static Map<String, Object> compose;
    private static Map<String, Object> services;
    private static Map<String, String> pomProperties;

    @BeforeAll
    static void read() throws Exception {
        root = repositoryRoot();
        compose = yaml(root.resolve("docker-compose.yml"));
        services = map(compose.get("services"), "docker-compose.yml: services");
        pomProperties = pomProperties(root.resolve("pom.xml"));
    }

    @Test
    void everyServiceIsThere() {
        for (String name : SERVICES) {
            assertTrue(services.containsKey(name), "docker-compose.yml has no service '" + name + "' (has "
                    + services.keySet() + ")");
        }
        Set<String> declared = map(compose.getOrDefault("volumes", Map.of()), "volumes").keySet();
        for (String name : services.keySet()) {
            for (Mount mount : mounts(name)) {
                if (mount.named()) {
                    assertTrue(declared.contains(mount.source()), name + " mounts the volume '" + mount.source()
                            + "', which the top-level volumes section does not declare " + declared);
                }
            }
            Object image = service(name).get("image");
            if (image != null && !service(name).containsKey("build")) {
                String tag = image.toString();
                assertTrue(tag.contains(":") && !tag.endsWith(":latest"), name + ": pin the image's version, not "
                        + tag);
            }
        }
    }

    @Test
    void kafkaIsOneKraftNodeWithAHealthcheck() {
        Map<String, Object> kafka = service("kafka");
        assertEquals("apache/kafka:" + pomProperties.get("kafka.version"), kafka.get("image"),
                "kafka: the broker image should match the Kafka clients the job is built with (kafka.version)");
        Map<String, String> env = environment("kafka");
        assertEquals(Set.of("broker", "controller"), Set.of(require(env, "KAFKA_PROCESS_ROLES", "kafka").split(",")),
                "kafka: KRaft with one node needs process.roles broker,controller");
        String nodeId = require(env, "KAFKA_NODE_ID", "kafka");
        require(env, "CLUSTER_ID", "kafka");

        Map<String, String> listeners = listeners(require(env, "KAFKA_LISTENERS", "kafka"));
        Map<String, String> advertised = listeners(require(env, "KAFKA_ADVERTISED_LISTENERS", "kafka"));
        Set<String> protocolMap = listeners(require(env, "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP", "kafka")
                .replace(":", "://")).keySet();
        assertTrue(protocolMap.containsAll(listeners.keySet()), "kafka: every listener " + listeners.keySet()
                + " needs a protocol in KAFKA_LISTENER_SECURITY_PROTOCOL_MAP " + protocolMap);
        String controller = require(env, "KAFKA_CONTROLLER_LISTENER_NAMES", "kafka");
        assertTrue(listeners.containsKey(controller), "kafka: the controller listener " + controller
                + " is not in KAFKA_LISTENERS " + listeners.keySet());
        assertFalse(advertised.containsKey(controller), "kafka: the controller listener must not be advertised");
        String voters = require(env, "KAFKA_CONTROLLER_QUORUM_VOTERS", "kafka");
        assertEquals(nodeId + "@kafka:" + port(listeners.get(controller)), voters,
                "kafka: the quorum should be this node on its controller listener");
        String internal = require(env, "KAFKA_INTER_BROKER_LISTENER_NAME", "kafka");
        assertTrue(advertised.containsKey(internal), "kafka: the inter-broker listener " + internal
                + " is not advertised");

        // the job's brokers are the listener advertised inside the compose network
        String bootstrap = jobOptions().get(JobOptions.BOOTSTRAP_SERVERS);
        assertTrue(advertised.containsValue(bootstrap), "kafka advertises " + advertised.values() + " but "
                + JobOptions.BOOTSTRAP_SERVERS.key() + " in deploy/job.properties is " + bootstrap);
        String bootstrapListener = advertised.entrySet().stream().filter(e -> e.getValue().equals(bootstrap))
                .findFirst().orElseThrow().getKey();
        assertEquals(port(bootstrap), port(listeners.get(bootstrapListener)),
                "kafka: " + bootstrapListener + " listens on another port than it advertises");
        // and one for the host, published on the loopback interface only
        List<Port> published = ports("kafka");
        for (Map.Entry<String, String> listener : advertised.entrySet()) {
            if (listener.getValue().startsWith("localhost:")) {
                int port = port(listener.getValue());
                assertTrue(published.stream().anyMatch(p -> p.hostPort() == port && p.containerPort() == port),
                        "kafka advertises " + listener.getValue() + " to the host but does not publish port " + port);
            }
        }
        assertFalse(published.isEmpty(), "kafka: no port for clients on the host");
        for (Port port : published) {
            assertEquals("127.0.0.1", port.hostIp(), "kafka: publish on 127.0.0.1 only, not " + port);
        }
        for (String key : List.of("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR",
                "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR")) {
            assertEquals("1", env.get(key), "kafka: one node: " + key + " must be 1 (exactly-once needs the "
                    + "transaction log)");
        }
        String logDirs = require(env, "KAFKA_LOG_DIRS", "kafka");
        assertTrue(mounts("kafka").stream().anyMatch(m -> m.named() && m.target().equals(logDirs)),
                "kafka: its data (" + logDirs + ") should be on a named volume");

        Map<String, Object> health = map(kafka.get("healthcheck"), "kafka: healthcheck");
        String test = String.join(" ", strings(health.get("test"), "kafka: healthcheck test"));
        assertTrue(test.contains(":" + port(bootstrap)), "kafka: the healthcheck should ask the broker's listener, "
                + "not: " + test);
        assertNotNull(health.get("interval"), "kafka: healthcheck without an interval");
    }

    @Test
    void theTopicsCreatedAreTheJobsTopics() {
        Map<String, String> env = environment("kafka-init");
        Set<String> created = new TreeSet<>(Arrays.asList(require(env, "TOPICS", "kafka-init").trim().split("\\s+")));
        Set<String> jobTopics = new TreeSet<>();
        for (ConfigOption<?> option : JobOptions.all()) {
            if (option.key().startsWith("setrec.topic.")) {
                jobTopics.add(String.valueOf(option.defaultValue()));
            }
        }
        assertEquals(5, jobTopics.size(), "JobOptions should have five setrec.topic.* options");
        assertEquals(jobTopics, created, "kafka-init creates other topics than JobOptions' setrec.topic.* defaults");
        require(env, "PARTITIONS", "kafka-init");

        String script = String.join(" ", command("kafka-init"));
        for (String part : List.of("kafka-topics.sh", "--create", "$$TOPICS", "--partitions", "$$PARTITIONS",
                "--bootstrap-server " + jobOptions().get(JobOptions.BOOTSTRAP_SERVERS))) {
            assertTrue(script.contains(part), "kafka-init's command lacks '" + part + "': " + script);
        }
        assertEquals("service_healthy", dependency("kafka-init", "kafka"),
                "kafka-init should wait until kafka is healthy");
        for (String flink : List.of("jobmanager", "taskmanager")) {
            assertTrue(dependsOnTransitively(flink, "kafka-init", "service_completed_successfully"),
                    flink + " should start after kafka-init has created the topics");
        }
    }

    @Test
    void theJobOptionsLoadAndNameTheComposeServices() throws Exception {
        Set<String> known = JobOptions.all().stream().map(ConfigOption::key).collect(Collectors.toSet());
        List<Path> files;
        try (Stream<Path> list = Files.list(root.resolve("deploy"))) {
            files = list.filter(p -> p.toString().endsWith(".properties")).sorted().toList();
        }
        assertFalse(files.isEmpty(), "no deploy/*.properties");
        for (Path file : files) {
            // commented-out examples too: a reader enabling one should not meet a typo
            for (String key : jobKeys(Files.readString(file))) {
                assertTrue(known.contains(key), file + ": " + key + " is no key of JobOptions.all()");
            }
            JobOptions.load(file, Map.of());
        }
        for (String key : jobKeys(String.join("\n", strings(compose)))) {
            assertTrue(known.contains(key), "docker-compose.yml: " + key + " is no key of JobOptions.all()");
        }

        Configuration options = jobOptions();
        assertEquals(Operators.REMOTE, options.get(JobOptions.SCORING_MODE),
                "deploy/job.properties: the cluster job scores on the model server");
        assertTrue(options.getOptional(JobOptions.MODEL_SERVER_TOKEN).isEmpty(),
                "deploy/job.properties must not hold the token (it comes from SETREC_SERVER_TOKEN)");
        URI server = URI.create(options.get(JobOptions.MODEL_SERVER_URL));
        assertEquals("http", server.getScheme(), JobOptions.MODEL_SERVER_URL.key() + ": " + server);
        assertEquals("model-server", server.getHost(), JobOptions.MODEL_SERVER_URL.key()
                + " should name the model-server service, not " + server.getHost());
        assertEquals(serverFlags().get("--port"), String.valueOf(server.getPort()),
                JobOptions.MODEL_SERVER_URL.key() + " should use the port the server listens on");
        String bootstrapHost = options.get(JobOptions.BOOTSTRAP_SERVERS).split(":")[0];
        assertTrue(services.containsKey(bootstrapHost), JobOptions.BOOTSTRAP_SERVERS.key() + " names no service: "
                + bootstrapHost);
    }

    @Test
    void theJobManagerRunsClusterJobWithTheMountedOptions() throws Exception {
        List<String> command = command("jobmanager");
        assertEquals("standalone-job", command.get(0), "jobmanager: application mode (standalone-job), not "
                + command);
        int classFlag = command.indexOf("--job-classname");
        assertTrue(classFlag > 0 && classFlag + 1 < command.size(), "jobmanager: no --job-classname in " + command);
        String entry = command.get(classFlag + 1);
        Class<?> entryClass;
        try {
            entryClass = Class.forName(entry);
        } catch (ClassNotFoundException e) {
            throw new AssertionError("jobmanager: the entry class " + entry + " does not exist", e);
        }
        Method main = entryClass.getMethod("main", String[].class);
        assertTrue(Modifier.isStatic(main.getModifiers()) && Modifier.isPublic(main.getModifiers()),
                entry + ".main is not public static");

        // the program arguments, with the mounted file's path on this side
        List<String> args = new ArrayList<>(programArguments(command));
        int properties = args.indexOf("--properties");
        assertTrue(properties >= 0 && properties + 1 < args.size(), "jobmanager: no --properties FILE in " + args);
        String inContainer = args.get(properties + 1);
        Mount mount = mounts("jobmanager").stream().filter(m -> m.target().equals(inContainer)).findFirst()
                .orElseThrow(() -> new AssertionError("jobmanager: " + inContainer + " is not mounted"));
        assertTrue(mount.readOnly(), "jobmanager: mount the job options read-only");
        Path onHost = root.resolve(mount.source()).normalize();
        assertTrue(Files.isRegularFile(onHost), "jobmanager mounts " + mount.source() + ", which does not exist");
        args.set(properties + 1, onHost.toString());
        Configuration options = ClusterJob.options(args.toArray(String[]::new));
        assertEquals(Operators.REMOTE, options.get(JobOptions.SCORING_MODE));
        assertTrue(options.getOptional(JobOptions.MODEL_SERVER_TOKEN).isEmpty(),
                "the token must not sit in the job options (Flink shows them)");
        assertTrue(environment("taskmanager").containsKey(ServerConfig.TOKEN_ENV),
                "taskmanager: no " + ServerConfig.TOKEN_ENV + " for the scoring operators' calls to the model server");
        assertFalse(environment("jobmanager").containsKey(ServerConfig.TOKEN_ENV),
                "jobmanager: the token is read where the model server is called, on the task managers");

        assertEquals(List.of("taskmanager"), command("taskmanager"), "taskmanager: command");
        assertEquals(service("jobmanager").get("image"), service("taskmanager").get("image"),
                "job and task managers should run the same image (the job jar)");
        Map<String, Object> build = map(service("jobmanager").get("build"), "jobmanager: build");
        String dockerfile = Files.readString(root.resolve(build.get("context").toString())
                .resolve(build.get("dockerfile").toString()));
        assertTrue(dockerfile.contains("flink:" + pomProperties.get("flink.version") + "-java17"),
                build.get("dockerfile") + " should build FROM the flink image of the job's Flink version "
                        + pomProperties.get("flink.version"));
        assertTrue(dockerfile.contains("/opt/flink/usrlib"), build.get("dockerfile") + " should put the job jar in "
                + "/opt/flink/usrlib (where application mode looks)");
        String jobJar = "flink-job-jar/target/" + jobJarPrefix();
        assertTrue(dockerfile.contains("-pl flink-job-jar") && dockerfile.contains(jobJar),
                build.get("dockerfile") + " should build flink-job-jar and copy its jar (" + jobJar + "*.jar)");
    }

    @Test
    void flinkRunsRocksDbWithCheckpointsOnAVolumeAndTheBuildsJvmFlags() throws Exception {
        Set<String> flinkKeys = flinkOptionKeys();
        Set<String> jvmFlags = new LinkedHashSet<>();
        jvmFlags.addAll(tokens(pomProperties.get("flinkJvmFlags")));
        jvmFlags.addAll(tokens(pomProperties.get("avroTrusted")));
        jvmFlags.add("-Dai.djl.offline=true");
        Matcher launcher = Pattern.compile("FLINK_JVM_FLAGS=\"([^\"]*)\"", Pattern.DOTALL)
                .matcher(Files.readString(root.resolve("setrec")));
        assertTrue(launcher.find(), "./setrec has no FLINK_JVM_FLAGS");
        assertEquals(tokens(pomProperties.get("flinkJvmFlags")), tokens(launcher.group(1)),
                "./setrec and the parent pom disagree on Flink's JVM flags");

        String checkpointVolume = null;
        for (String name : List.of("jobmanager", "taskmanager")) {
            Map<String, String> env = environment(name);
            Map<String, String> conf = flinkProperties(name, require(env, "FLINK_PROPERTIES", name));
            for (String key : conf.keySet()) {
                assertTrue(flinkKeys.contains(key) || isReporterKey(key), name + ": FLINK_PROPERTIES key " + key
                        + " is no Flink option");
            }
            assertEquals("jobmanager", conf.get(JobManagerOptions.ADDRESS.key()), name + ": "
                    + JobManagerOptions.ADDRESS.key());
            assertEquals("rocksdb", conf.get(StateBackendOptions.STATE_BACKEND.key()), name + ": state backend");
            assertEquals("true", conf.get(CheckpointingOptions.INCREMENTAL_CHECKPOINTS.key()),
                    name + ": incremental checkpoints");
            assertEquals(LocalFlink.BUFFER_TIMEOUT,
                    TimeUtils.parseDuration(require(conf, ExecutionOptions.BUFFER_TIMEOUT.key(), name)),
                    name + ": the network buffer timeout the launcher's job runs with");
            String dir = require(conf, CheckpointingOptions.CHECKPOINTS_DIRECTORY.key(), name + " FLINK_PROPERTIES");
            assertTrue(dir.startsWith("file:///"), name + ": checkpoints to a file:/// path, not " + dir);
            String path = URI.create(dir).getPath();
            Mount mount = mounts(name).stream().filter(m -> m.target().equals(path) && m.named()).findFirst()
                    .orElseThrow(() -> new AssertionError(name + ": checkpoints go to " + path
                            + ", which is no named volume"));
            assertFalse(mount.readOnly(), name + ": the checkpoint volume is read-only");
            if (checkpointVolume != null) {
                assertEquals(checkpointVolume, mount.source(), "job and task manager need the same checkpoint volume");
            }
            checkpointVolume = mount.source();

            Set<String> given = new HashSet<>(tokens(require(env, "FLINK_ENV_JAVA_OPTS", name)));
            for (String flag : jvmFlags) {
                assertTrue(given.contains(flag), name + ": FLINK_ENV_JAVA_OPTS lacks " + flag);
            }
        }
        int slots = Integer.parseInt(flinkProperties("taskmanager", environment("taskmanager")
                .get("FLINK_PROPERTIES")).get(TaskManagerOptions.NUM_TASK_SLOTS.key()));
        int parallelism = jobOptions().get(CoreOptions.DEFAULT_PARALLELISM);
        assertTrue(slots >= parallelism, "one task manager with " + slots + " slots cannot run parallelism "
                + parallelism);
    }

    @Test
    void theModelServerCommandParsesAsServe() throws Exception {
        List<String> command = command("model-server");
        assertEquals(List.of("./setrec", "serve"), command.subList(0, Math.min(2, command.size())),
                "model-server: the command should be ./setrec serve ...");
        CommandLine serve = Main.commandLine().getSubcommands().get("serve");
        assertNotNull(serve, "dev.setrec.cli.Main has no serve subcommand (ServeCommand)");
        Map<String, OptionSpec> options = serve.getCommandSpec().optionsMap();
        for (String word : command.subList(2, command.size())) {
            if (word.startsWith("--")) {
                String flag = word.contains("=") ? word.substring(0, word.indexOf('=')) : word;
                assertTrue(options.containsKey(flag), "model-server: " + flag + " is no option of ./setrec serve "
                        + new TreeSet<>(options.keySet()));
            }
        }
        // and the whole command parses (types, arity, required options), as ./setrec would parse it
        Main.commandLine().parseArgs(command.subList(1, command.size()).toArray(String[]::new));

        Map<String, String> flags = serverFlags();
        assertEquals("0.0.0.0", flags.get("--host"), "model-server: bind 0.0.0.0 inside the container, else the "
                + "job cannot reach it");
        int port = Integer.parseInt(flags.get("--port"));
        List<Port> published = ports("model-server");
        assertFalse(published.isEmpty(), "model-server publishes no port");
        for (Port p : published) {
            assertEquals("127.0.0.1", p.hostIp(), "model-server: publish on 127.0.0.1 only, not " + p);
            assertEquals(port, p.containerPort(), "model-server: publishes " + p + " but listens on " + port);
        }

        Path model = Path.of(require(flags, "--model", "model-server command"));
        assertTrue(mounts("model-server").stream().anyMatch(m -> m.readOnly() && model.startsWith(m.target())),
                "model-server: " + model + " should be on a read-only mount of the models");
        String itemStore = require(flags, "--item-store", "model-server command");
        assertTrue(mounts("model-server").stream().anyMatch(m -> m.named() && !m.readOnly()
                && m.target().equals(itemStore)), "model-server: the item store " + itemStore
                + " should be a writable named volume (onboarded items outlive the container)");

        // the token: from the environment variable both the server and ClusterJob read
        OptionSpec tokenFile = options.get("--token-file");
        assertNotNull(tokenFile, "./setrec serve has no --token-file");
        assertTrue(String.join(" ", tokenFile.description()).contains(ServerConfig.TOKEN_ENV),
                "./setrec serve and ClusterJob read the token from different variables (ClusterJob: "
                        + ServerConfig.TOKEN_ENV + ")");
        assertTrue(environment("model-server").containsKey(ServerConfig.TOKEN_ENV),
                "model-server: no " + ServerConfig.TOKEN_ENV + " (the server would take requests without a token)");

        // health: the readiness path of the server's API, which needs no token
        Map<String, Object> api = yaml(root.resolve("model-server/src/main/resources/openapi.yaml"));
        Map<String, Object> ready = map(map(api.get("paths"), "openapi paths").get("/health/ready"),
                "openapi.yaml: /health/ready");
        assertEquals(List.of(), map(ready.get("get"), "openapi.yaml: GET /health/ready").get("security"),
                "openapi.yaml: /health/ready should need no token (the healthcheck has none)");
        String test = String.join(" ", strings(map(service("model-server").get("healthcheck"),
                "model-server: healthcheck").get("test"), "model-server: healthcheck test"));
        assertTrue(test.contains(":" + port + "/health/ready"), "model-server: the healthcheck should GET "
                + "/health/ready on port " + port + ": " + test);
        assertEquals("service_healthy", dependency("jobmanager", "model-server"),
                "jobmanager should start once the model server is ready");
    }

    @Test
    void theModelServerReservesAGpuAndBuildsFromItsDockerfile() throws Exception {
        Map<String, Object> server = service("model-server");
        Map<String, Object> reservations = map(map(map(server.get("deploy"), "model-server: deploy")
                .get("resources"), "model-server: deploy.resources").get("reservations"),
                "model-server: deploy.resources.reservations");
        List<?> devices = (List<?>) reservations.get("devices");
        assertNotNull(devices, "model-server: no deploy.resources.reservations.devices (the GPU)");
        boolean gpu = devices.stream().map(d -> map(d, "model-server: device")).anyMatch(d ->
                "nvidia".equals(d.get("driver")) && "1".equals(String.valueOf(d.get("count")))
                        && strings(d.get("capabilities"), "capabilities").contains("gpu"));
        assertTrue(gpu, "model-server: reserve one GPU (driver nvidia, count 1, capabilities [gpu]): " + devices);

        Map<String, Object> build = map(server.get("build"), "model-server: build");
        String flavour = String.valueOf(map(build.get("args"), "model-server: build args").get("TORCH_FLAVOR"));
        assertTrue(flavour.contains("cu"), "model-server: a GPU is reserved, so build the CUDA flavour, not "
                + flavour);
        String dockerfile = Files.readString(root.resolve(build.get("context").toString())
                .resolve(build.get("dockerfile").toString()));
        assertTrue(dockerfile.contains("ARG TORCH_FLAVOR=cpu"), build.get("dockerfile")
                + ": the CPU flavour should be the default");
        assertTrue(dockerfile.contains("-pl tools -am package") && dockerfile.contains("setrec.classpath"),
                build.get("dockerfile") + " should build what ./setrec builds (its class path file)");
    }

    @Test
    void everyDockerfileNamedExists() {
        for (String name : services.keySet()) {
            Object build = service(name).get("build");
            if (build == null) {
                continue;
            }
            Path context;
            String dockerfile = "Dockerfile";
            if (build instanceof String path) {
                context = root.resolve(path);
            } else {
                Map<String, Object> spec = map(build, name + ": build");
                context = root.resolve(String.valueOf(spec.getOrDefault("context", ".")));
                dockerfile = String.valueOf(spec.getOrDefault("dockerfile", dockerfile));
            }
            assertTrue(Files.isDirectory(context), name + ": the build context " + context + " does not exist");
            assertTrue(Files.isRegularFile(context.resolve(dockerfile)), name + ": " + dockerfile
                    + " does not exist in " + context);
        }
        assertTrue(Files.isRegularFile(root.resolve(".dockerignore")),
                "no .dockerignore: every build would send the build outputs and models to Docker");
    }

    @Test
    void flinkRestartsAtABoundedRateAndKeepsAJobThatFailedForGoodInView() {
        Map<String, String> conf = flinkConf("jobmanager");
        assertEquals("failure-rate", conf.get(RestartStrategyOptions.RESTART_STRATEGY.key()), "jobmanager: a "
                + "failure-rate restart strategy (Flink's default with checkpoints restarts a failing job forever)");
        int failures = Integer.parseInt(require(conf,
                RestartStrategyOptions.RESTART_STRATEGY_FAILURE_RATE_MAX_FAILURES_PER_INTERVAL.key(), "jobmanager"));
        Duration interval = TimeUtils.parseDuration(require(conf,
                RestartStrategyOptions.RESTART_STRATEGY_FAILURE_RATE_FAILURE_RATE_INTERVAL.key(), "jobmanager"));
        Duration delay = TimeUtils.parseDuration(require(conf,
                RestartStrategyOptions.RESTART_STRATEGY_FAILURE_RATE_DELAY.key(), "jobmanager"));
        assertTrue(failures >= 1, "jobmanager: at least one restart per interval");
        // the job fails when a failure finds `failures` earlier ones within `interval`; restarts `delay` apart that
        // can never all fall within it would never stop a job that keeps failing
        assertTrue(delay.multipliedBy(failures).compareTo(interval) < 0, "jobmanager: " + failures
                + " restarts " + delay + " apart never fall within " + interval + ": the limit could never be reached");
        assertEquals("false", conf.get(DeploymentOptions.SHUTDOWN_ON_APPLICATION_FINISH.key()), "jobmanager: a job "
                + "that failed for good should stay in view (web UI, REST API) instead of the container starting it "
                + "over");
        assertEquals(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION.name(),
                conf.get(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION.key()),
                "jobmanager: checkpoints kept when the job fails or is cancelled (a restarted job manager resumes "
                        + "from them)");
    }

    @Test
    void flinkMetricsAreExposedForPrometheus() throws Exception {
        int port = 0;
        for (String name : List.of("jobmanager", "taskmanager")) {
            Map<String, String> conf = flinkConf(name);
            String reporter = conf.entrySet().stream()
                    .filter(e -> e.getKey().endsWith("." + MetricOptions.REPORTER_FACTORY_CLASS.key())
                            && e.getValue().equals(PROMETHEUS_REPORTER))
                    .map(e -> REPORTER_KEY.matcher(e.getKey())).filter(Matcher::matches).map(m -> m.group(1))
                    .findFirst().orElseThrow(() -> new AssertionError(name + ": no metrics.reporter.<name>."
                            + MetricOptions.REPORTER_FACTORY_CLASS.key() + ": " + PROMETHEUS_REPORTER));
            String portKey = "metrics.reporter." + reporter + ".port";
            port = Integer.parseInt(require(conf, portKey, name + " (one port, not a range: Prometheus scrapes one)"));
        }
        Map<String, Object> build = map(service("jobmanager").get("build"), "jobmanager: build");
        String dockerfile = Files.readString(root.resolve(build.get("dockerfile").toString()));
        assertTrue(dockerfile.contains("/opt/flink/plugins/metrics-prometheus/flink-metrics-prometheus-"),
                build.get("dockerfile") + " should check that the image has the Prometheus reporter plugin");
        int reporterPort = port;
        assertTrue(ports("jobmanager").stream().anyMatch(p -> p.containerPort() == reporterPort
                && p.hostIp().equals("127.0.0.1")), "jobmanager: publish the metrics port " + port + " on 127.0.0.1");

        // the Prometheus of the monitoring profile scrapes every job and task manager there
        Map<String, Object> prometheus = service("prometheus");
        assertTrue(strings(prometheus.get("profiles"), "prometheus: profiles").contains("monitoring"),
                "prometheus: only with --profile monitoring");
        String configFile = command("prometheus").stream().filter(w -> w.startsWith("--config.file="))
                .map(w -> w.substring("--config.file=".length())).findFirst()
                .orElseThrow(() -> new AssertionError("prometheus: no --config.file in its command"));
        Mount config = mounts("prometheus").stream().filter(m -> m.target().equals(configFile)).findFirst()
                .orElseThrow(() -> new AssertionError("prometheus: " + configFile + " is not mounted"));
        Map<String, Object> scrape = yaml(root.resolve(config.source()).normalize());
        Set<String> scraped = new TreeSet<>();
        for (Object job : (List<?>) scrape.get("scrape_configs")) {
            for (Object sd : (List<?>) map(job, "scrape config").getOrDefault("dns_sd_configs", List.of())) {
                Map<String, Object> dns = map(sd, "dns_sd_config");
                assertEquals(port, ((Number) dns.get("port")).intValue(), config.source()
                        + ": scrape the reporter's port");
                scraped.addAll(strings(dns.get("names"), "dns_sd_config names"));
            }
        }
        assertEquals(Set.of("jobmanager", "taskmanager"), scraped, config.source() + ": scrape the Flink services");
    }

    @Test
    void theJobManagerResumesFromItsNewestSnapshotUnderAFixedJobId(@TempDir Path work) throws Exception {
        List<String> command = command("jobmanager");
        String jobId = standaloneJobOption(command, "--job-id");
        assertNotNull(jobId, "jobmanager: a fixed --job-id, so that its checkpoints land in one directory");
        assertEquals(jobId, JobID.fromHexString(jobId).toHexString(), "jobmanager: --job-id is no Flink job id");
        assertTrue(environment("jobmanager").containsKey("SETREC_RESTORE"), "jobmanager: no SETREC_RESTORE");

        // the entry point and the script it calls are in the image, where the entry point names them
        List<String> entrypoint = strings(service("jobmanager").get("entrypoint"), "jobmanager: entrypoint");
        Path inImage = Path.of(entrypoint.get(0));
        assertEquals("jobmanager-entrypoint.sh", inImage.getFileName().toString(), "jobmanager: entrypoint");
        Map<String, Object> build = map(service("jobmanager").get("build"), "jobmanager: build");
        String dockerfile = Files.readString(root.resolve(build.get("dockerfile").toString()));
        for (String script : List.of("jobmanager-entrypoint.sh", "newest-snapshot.sh")) {
            Path file = root.resolve("deploy").resolve(script);
            assertTrue(Files.isExecutable(file), file + " is missing or not executable");
            assertTrue(dockerfile.lines().anyMatch(line -> line.startsWith("COPY") && line.contains("deploy/" + script)
                            && line.strip().endsWith(" " + inImage.getParent() + "/")),
                    build.get("dockerfile") + " should copy deploy/" + script + " to " + inImage.getParent() + "/");
        }

        // savepoints on the checkpoint volume, so that job and task managers write them where the entry point looks
        String checkpointDir = URI.create(flinkConf("jobmanager").get(CheckpointingOptions.CHECKPOINTS_DIRECTORY.key()))
                .getPath();
        for (String name : List.of("jobmanager", "taskmanager")) {
            String savepointDir = require(flinkConf(name), CheckpointingOptions.SAVEPOINT_DIRECTORY.key(), name);
            assertTrue(savepointDir.startsWith("file:///") && Path.of(URI.create(savepointDir).getPath())
                    .startsWith(checkpointDir), name + ": savepoints to the checkpoint volume, not " + savepointDir);
        }

        // this file's command and FLINK_PROPERTIES (with the volume's path in a scratch directory) through the script
        String properties = environment("jobmanager").get("FLINK_PROPERTIES")
                .replace("file://" + checkpointDir, "file://" + work);
        Path newest = work.resolve(jobId).resolve("chk-5");
        Files.createDirectories(newest);
        Files.writeString(newest.resolve("_metadata"), "metadata");
        Files.createDirectories(work.resolve(jobId).resolve("chk-6")); // being taken
        EntrypointRun run = EntrypointRun.of(Files.createDirectories(work.resolve("bin")),
                Map.of("FLINK_PROPERTIES", properties), command);
        List<String> expected = new ArrayList<>(command);
        expected.addAll(1, List.of("--fromSavepoint", newest.toString()));
        assertEquals(expected, run.flinkArgs(), run.output());
    }

    // ---- the compose file

    private static Map<String, Object> service(String name) {
        Object service = services.get(name);
        assertNotNull(service, "docker-compose.yml has no service '" + name + "'");
        return map(service, "service " + name);
    }

    private static Map<String, String> environment(String service) {
        Object env = service(service).get("environment");
        Map<String, String> result = new LinkedHashMap<>();
        if (env instanceof Map<?, ?> m) {
            m.forEach((k, v) -> result.put(String.valueOf(k), v == null ? "" : String.valueOf(v)));
        } else if (env instanceof List<?> list) {
            for (Object entry : list) {
                String text = String.valueOf(entry);
                int eq = text.indexOf('=');
                result.put(eq < 0 ? text : text.substring(0, eq), eq < 0 ? "" : text.substring(eq + 1));
            }
        }
        return result;
    }

    private static List<String> command(String service) {
        Object command = service(service).get("command");
        assertNotNull(command, service + " has no command");
        return command instanceof String text ? List.of(text.trim().split("\\s+")) : strings(command, service
                + ": command");
    }

    /** The condition of {@code service}'s depends_on entry for {@code other}, or null. */
    private static String dependency(String service, String other) {
        Object dependsOn = service(service).get("depends_on");
        if (dependsOn instanceof List<?> list) {
            return list.contains(other) ? "service_started" : null;
        }
        if (dependsOn instanceof Map<?, ?> map && map.containsKey(other)) {
            Object spec = map.get(other);
            return spec instanceof Map<?, ?> s ? String.valueOf(s.get("condition")) : "service_started";
        }
        return null;
    }

    private static boolean dependsOnTransitively(String service, String other, String condition) {
        if (condition.equals(dependency(service, other))) {
            return true;
        }
        Object dependsOn = service(service).get("depends_on");
        Iterable<?> names = dependsOn instanceof Map<?, ?> m ? m.keySet() : dependsOn instanceof List<?> l ? l
                : List.of();
        for (Object next : names) {
            if (dependsOnTransitively(String.valueOf(next), other, condition)) {
                return true;
            }
        }
        return false;
    }

    record Mount(String source, String target, boolean readOnly) {
        boolean named() {
            return !source.startsWith(".") && !source.startsWith("/") && !source.startsWith("~")
                    && !source.startsWith("$");
        }
    }

    private static List<Mount> mounts(String service) {
        List<Mount> mounts = new ArrayList<>();
        Object volumes = service(service).get("volumes");
        if (volumes == null) {
            return mounts;
        }
        for (Object volume : (List<?>) volumes) {
            if (volume instanceof Map<?, ?> spec) {
                mounts.add(new Mount(String.valueOf(spec.get("source")), String.valueOf(spec.get("target")),
                        Boolean.TRUE.equals(spec.get("read_only"))));
            } else {
                // SOURCE:TARGET[:MODE], where SOURCE may be ${VARIABLE:-default} (taken as its default)
                String text = String.valueOf(volume);
                String source;
                String rest;
                if (text.startsWith("${")) {
                    int close = text.indexOf('}');
                    String variable = text.substring(2, close);
                    source = variable.contains(":-") ? variable.substring(variable.indexOf(":-") + 2) : "$" + variable;
                    rest = text.substring(close + 1);
                } else {
                    source = text.substring(0, Math.max(0, text.indexOf(':')));
                    rest = text.substring(source.length());
                }
                String[] parts = rest.startsWith(":") ? rest.substring(1).split(":") : new String[0];
                assertTrue(parts.length >= 1 && !source.isEmpty(), service + ": not SOURCE:TARGET[:MODE]: " + text);
                mounts.add(new Mount(source, parts[0],
                        parts.length > 1 && Arrays.asList(parts[1].split(",")).contains("ro")));
            }
        }
        return mounts;
    }

    record Port(String hostIp, int hostPort, int containerPort) {
    }

    private static List<Port> ports(String service) {
        List<Port> ports = new ArrayList<>();
        Object list = service(service).get("ports");
        if (list == null) {
            return ports;
        }
        for (Object port : (List<?>) list) {
            if (port instanceof Map<?, ?> spec) {
                ports.add(new Port(String.valueOf(spec.get("host_ip")),
                        Integer.parseInt(String.valueOf(spec.get("published"))),
                        Integer.parseInt(String.valueOf(spec.get("target")))));
            } else {
                String[] parts = String.valueOf(port).split("/")[0].split(":");
                assertEquals(3, parts.length, service + ": publish as HOST_IP:HOST_PORT:PORT, not " + port);
                ports.add(new Port(parts[0], Integer.parseInt(parts[1]), Integer.parseInt(parts[2])));
            }
        }
        return ports;
    }

    /** The model server's flags and their values, from its compose command. */
    private static Map<String, String> serverFlags() {
        List<String> command = command("model-server");
        Map<String, String> flags = new HashMap<>();
        for (int i = 2; i < command.size(); i++) {
            String word = command.get(i);
            if (word.startsWith("--") && word.contains("=")) {
                flags.put(word.substring(0, word.indexOf('=')), word.substring(word.indexOf('=') + 1));
            } else if (word.startsWith("--") && i + 1 < command.size() && !command.get(i + 1).startsWith("--")) {
                flags.put(word, command.get(++i));
            }
        }
        return flags;
    }

    /** LISTENER://host:port entries by listener name. */
    private static Map<String, String> listeners(String list) {
        Map<String, String> byName = new LinkedHashMap<>();
        for (String entry : list.split(",")) {
            int scheme = entry.indexOf("://");
            assertTrue(scheme > 0, "kafka: not NAME://host:port: " + entry);
            byName.put(entry.substring(0, scheme).trim(), entry.substring(scheme + 3).trim());
        }
        return byName;
    }

    private static int port(String hostPort) {
        return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
    }

    /** FLINK_PROPERTIES as the flink image's entry point reads it: one "key: value" a line, white space dropped. */
    private static Map<String, String> flinkProperties(String service, String text) {
        Map<String, String> conf = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            assertFalse(line.trim().startsWith("#"), service + ": FLINK_PROPERTIES cannot hold comments (the entry "
                    + "point takes every line as an option): " + line);
            int colon = line.indexOf(':');
            assertTrue(colon > 0, service + ": FLINK_PROPERTIES line without 'key: value': " + line);
            String key = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            assertFalse(value.matches(".*\\s.*"), service + ": the entry point strips the spaces out of " + key
                    + ": " + value);
            assertFalse(conf.containsKey(key), service + ": FLINK_PROPERTIES sets " + key + " twice");
            conf.put(key, value);
        }
        for (String key : conf.keySet()) {
            for (String other : conf.keySet()) {
                assertFalse(other.startsWith(key + "."), service + ": FLINK_PROPERTIES key " + key + " is a prefix of "
                        + other + " (config.yaml nests keys: one of them would be lost)");
            }
        }
        return conf;
    }

    /** Every key (and fallback key) of Flink's option classes the compose file may set. */
    private static Set<String> flinkOptionKeys() throws IllegalAccessException {
        Set<String> keys = new HashSet<>();
        for (Class<?> options : List.of(CheckpointingOptions.class, StateBackendOptions.class,
                JobManagerOptions.class, TaskManagerOptions.class, CoreOptions.class, RestOptions.class,
                ExecutionOptions.class, RestartStrategyOptions.class, DeploymentOptions.class, MetricOptions.class)) {
            for (Field field : options.getFields()) {
                if (Modifier.isStatic(field.getModifiers()) && field.getType() == ConfigOption.class) {
                    ConfigOption<?> option = (ConfigOption<?>) field.get(null);
                    keys.add(option.key());
                    for (FallbackKey fallback : option.fallbackKeys()) {
                        keys.add(fallback.getKey());
                    }
                }
            }
        }
        return keys;
    }

    /** The program arguments of the job manager's standalone-job command: what follows Flink's own options. */
    private static List<String> programArguments(List<String> command) {
        int first = 1;
        while (first < command.size()) {
            if (STANDALONE_JOB_FLAGS.contains(command.get(first))) {
                first++;
            } else if (first + 1 < command.size() && STANDALONE_JOB_OPTIONS.contains(command.get(first))) {
                first += 2;
            } else {
                break;
            }
        }
        return command.subList(first, command.size());
    }

    /** The value of one of standalone-job's own options in the command, or null. */
    private static String standaloneJobOption(List<String> command, String option) {
        List<String> flinkPart = command.subList(0, command.size() - programArguments(command).size());
        int at = flinkPart.indexOf(option);
        return at < 0 ? null : flinkPart.get(at + 1);
    }

    private static Map<String, String> flinkConf(String service) {
        return flinkProperties(service, require(environment(service), "FLINK_PROPERTIES", service));
    }

    /** A reporter's setting: one of MetricOptions' reporter keys, or the port a pull reporter listens on. */
    private static boolean isReporterKey(String key) throws IllegalAccessException {
        Matcher matcher = REPORTER_KEY.matcher(key);
        if (!matcher.matches()) {
            return false;
        }
        Set<String> settings = new HashSet<>(Set.of("port"));
        for (Field field : MetricOptions.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == ConfigOption.class) {
                String setting = ((ConfigOption<?>) field.get(null)).key();
                if (!setting.startsWith("metrics.")) {
                    settings.add(setting);
                }
            }
        }
        return settings.contains(matcher.group(2));
    }

    // ---- the other files

    private static Configuration jobOptions() {
        try {
            return JobOptions.load(root.resolve("deploy/job.properties"), Map.of());
        } catch (Exception e) {
            throw new AssertionError("deploy/job.properties does not load with JobOptions.load: " + e.getMessage(), e);
        }
    }

    private static Set<String> jobKeys(String text) {
        Set<String> keys = new TreeSet<>();
        Matcher matcher = JOB_KEY.matcher(text);
        while (matcher.find()) {
            keys.add(matcher.group());
        }
        return keys;
    }

    /** The job jar's file name up to its version, from flink-job-jar's shade outputFile (setrec-job-). */
    private static String jobJarPrefix() throws Exception {
        Document pom = xml(root.resolve("flink-job-jar/pom.xml"));
        String outputFile = text(pom.getDocumentElement(), "outputFile");
        assertNotNull(outputFile, "flink-job-jar/pom.xml shades into no outputFile (the job jar of the flink image)");
        String name = outputFile.substring(outputFile.lastIndexOf('/') + 1);
        assertTrue(name.endsWith("${project.version}.jar"), "the job jar's name should end with the version: " + name);
        return name.substring(0, name.length() - "${project.version}.jar".length());
    }

    private static Map<String, String> pomProperties(Path pom) throws Exception {
        Map<String, String> properties = new HashMap<>();
        Node node = xml(pom).getElementsByTagName("properties").item(0);
        NodeList children = node.getChildNodes();
        for (int i = 0; i < children.getLength(); i++) {
            if (children.item(i) instanceof Element element) {
                properties.put(element.getTagName(), element.getTextContent().trim());
            }
        }
        return properties;
    }

    private static String text(Element parent, String tag) {
        NodeList nodes = parent.getElementsByTagName(tag);
        return nodes.getLength() == 0 ? null : nodes.item(0).getTextContent().trim();
    }

    private static Document xml(Path file) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile());
    }

    private static List<String> tokens(String text) {
        return text == null ? List.of() : List.of(text.trim().split("\\s+"));
    }

    private static Map<String, Object> yaml(Path file) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        try (Reader in = Files.newBufferedReader(file)) {
            return map(new Yaml(new SafeConstructor(options)).load(in), file.toString());
        } catch (Exception e) {
            throw new AssertionError(file + " is no valid YAML: " + e.getMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value, String what) {
        assertTrue(value instanceof Map, what + " should be a mapping, not " + value);
        return (Map<String, Object>) value;
    }

    private static List<String> strings(Object value, String what) {
        assertTrue(value instanceof List, what + " should be a list, not " + value);
        return ((List<?>) value).stream().map(String::valueOf).toList();
    }

    /** Every string in a YAML tree (keys and values). */
    private static List<String> strings(Object tree) {
        List<String> all = new ArrayList<>();
        if (tree instanceof Map<?, ?> map) {
            map.forEach((k, v) -> {
                all.add(String.valueOf(k));
                all.addAll(strings(v));
            });
        } else if (tree instanceof List<?> list) {
            list.forEach(item -> all.addAll(strings(item)));
        } else if (tree != null) {
            all.add(String.valueOf(tree));
        }
        return all;
    }

    private static String require(Map<String, String> map, String key, String where) {
        String value = map.get(key);
        if (value == null || value.isBlank()) {
            fail(where + ": " + key + " is not set");
        }
        return value;
    }

    private static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("docker-compose.yml")) && Files.isRegularFile(dir.resolve("mvnw"))) {
                return dir;
            }
        }
        throw new AssertionError("no docker-compose.yml next to mvnw above " + Path.of("").toAbsolutePath());
    }
}
