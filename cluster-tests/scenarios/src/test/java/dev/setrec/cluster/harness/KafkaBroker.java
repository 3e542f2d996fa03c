package dev.setrec.cluster.harness;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A single-node Kafka (KRaft: broker and controller in one process) in its own JVM. */
public final class KafkaBroker implements AutoCloseable {
    /** The broker's ceiling for transaction.timeout.ms; the job's exactly-once sink stays below it. */
    private static final Duration TRANSACTION_MAX_TIMEOUT = Duration.ofMinutes(15);

    private final JavaProcess process;
    private final String bootstrapServers;

    private KafkaBroker(JavaProcess process, String bootstrapServers) {
        this.process = process;
        this.bootstrapServers = bootstrapServers;
    }

    /** Formats a log folder under {@code dir}, starts the broker and returns once it serves clients. */
    public static KafkaBroker start(Path lib, Path dir, Log4jConfig logging, Path logDir) {
        int port = FreePorts.next();
        int controllerPort = FreePorts.next();
        Path config = dir.resolve("server.properties");
        try {
            Files.createDirectories(dir);
            Files.writeString(config, String.join("\n",
                    "process.roles=broker,controller",
                    "node.id=1",
                    "controller.quorum.bootstrap.servers=127.0.0.1:" + controllerPort,
                    "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                    "advertised.listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                    "controller.listener.names=CONTROLLER",
                    "inter.broker.listener.name=PLAINTEXT",
                    "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                    "log.dirs=" + dir.resolve("data"),
                    // one node: the internal topics get one replica
                    "offsets.topic.replication.factor=1",
                    "transaction.state.log.replication.factor=1",
                    "transaction.state.log.min.isr=1",
                    "share.coordinator.state.topic.replication.factor=1",
                    "share.coordinator.state.topic.min.isr=1",
                    "transaction.max.timeout.ms=" + TRANSACTION_MAX_TIMEOUT.toMillis(),
                    "group.initial.rebalance.delay.ms=0",
                    // the tests create their topics: a misspelt one fails instead of appearing empty
                    "auto.create.topics.enable=false",
                    ""));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> jvm = List.of("-Xmx384m", "-XX:+UseSerialGC");
        JavaProcess format = JavaProcess.builder("kafka-format", "kafka.tools.StorageTool")
                .jarsOf(List.of(lib))
                .jvmOptions(jvm)
                .jvmOptions(logging.jvmOptions(logDir.resolve("kafka-format.log")))
                .arguments(List.of("format", "--standalone", "-t", Uuid.randomUuid().toString(), "-c",
                        config.toString()))
                .logDir(logDir)
                .start();
        if (format.awaitExit(Duration.ofMinutes(2)) != 0) {
            throw new IllegalStateException("formatting Kafka's log folder failed; see " + format.output());
        }
        JavaProcess process = JavaProcess.builder("kafka", "kafka.Kafka")
                .jarsOf(List.of(lib))
                .jvmOptions(jvm)
                .jvmOptions(logging.jvmOptions(logDir.resolve("kafka.log")))
                .arguments(List.of(config.toString()))
                .logDir(logDir)
                .start();
        KafkaBroker broker = new KafkaBroker(process, "127.0.0.1:" + port);
        Await.until(Duration.ofMinutes(2), "Kafka serving on port " + port, () -> {
            if (!process.isAlive()) {
                throw new Await.Hopeless("Kafka exited; see " + process.output());
            }
            return broker.servesClients();
        });
        return broker;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** True once the broker lists itself; an exception (the reason it does not yet) otherwise. */
    private boolean servesClients() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000))) {
            return !admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty();
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Kafka does not serve clients yet", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        process.stop(Duration.ofSeconds(20));
    }
}
