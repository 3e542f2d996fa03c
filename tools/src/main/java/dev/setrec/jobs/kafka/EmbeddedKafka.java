package dev.setrec.jobs.kafka;

import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.common.utils.Utils;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A single-node Kafka inside this JVM (one combined KRaft broker and controller, Kafka's own test kit), so the
 * quickstart and the tests need no Docker and no second process. Ports are ephemeral and the data lives in a temp
 * directory that {@link #close()} removes.
 */
public final class EmbeddedKafka implements AutoCloseable {
    /**
     * The broker's limit for a producer's transaction.timeout.ms (Kafka's default, set explicitly): an EXACTLY_ONCE
     * KafkaSink whose timeout is larger fails at its first transaction.
     */
    public static final Duration TRANSACTION_MAX_TIMEOUT = Duration.ofMinutes(15);

    private final KafkaClusterTestKit cluster;
    private final Path directory;

    private EmbeddedKafka(KafkaClusterTestKit cluster, Path directory) {
        this.cluster = cluster;
        this.directory = directory;
    }

    /** Formats and starts a fresh broker; returns once it accepts clients. */
    public static EmbeddedKafka start() {
        quietKafkaLoggers();
        Path directory = createTempDirectory();
        KafkaClusterTestKit cluster = null;
        try {
            cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .setBaseDirectory(directory)
                    .build())
                    // Internal topics default to 3 replicas, which one broker can never host.
                    .setConfigProp("offsets.topic.replication.factor", "1")
                    .setConfigProp("transaction.state.log.replication.factor", "1")
                    .setConfigProp("transaction.state.log.min.isr", "1")
                    .setConfigProp("transaction.max.timeout.ms", String.valueOf(TRANSACTION_MAX_TIMEOUT.toMillis()))
                    // A lone consumer need not wait 3 s for others to join its group.
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    .build();
            formatWithoutItsPrintout(cluster);
            cluster.startup();
            cluster.waitForReadyBrokers();
            return new EmbeddedKafka(cluster, directory);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            IllegalStateException failure = new IllegalStateException("in-process Kafka did not start in " + directory,
                    e);
            stopAfterFailedStart(cluster, directory, failure);
            throw failure;
        }
    }

    /** host:port of the broker's client listener. */
    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /** Where the broker keeps its logs and metadata; gone after {@link #close()}. */
    Path directory() {
        return directory;
    }

    /** Stops broker and controller and deletes their data. */
    @Override
    public void close() {
        try {
            cluster.close(); // also deletes the base directory
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping the in-process Kafka", e);
        } catch (Exception e) {
            throw new IllegalStateException("in-process Kafka did not stop cleanly", e);
        }
    }

    /**
     * The broker logs about 1,200 INFO lines per start and stop. With slf4j-simple (the launcher's and the tests'
     * logger), which reads a logger's level from system properties when it creates the logger, Kafka's loggers start
     * at WARN unless the caller chose a level (e.g. -Dorg.slf4j.simpleLogger.log.org.apache.kafka=info). This also
     * quiets the Kafka clients in this JVM. Other slf4j providers ignore these properties.
     */
    private static void quietKafkaLoggers() {
        for (String loggerPrefix : List.of("kafka", "org.apache.kafka", "state.change.logger")) {
            String property = "org.slf4j.simpleLogger.log." + loggerPrefix;
            if (System.getProperty(property) == null) {
                System.setProperty(property, "warn");
            }
        }
    }

    /**
     * Kafka's storage formatter prints the bootstrap records and the directory it formats to System.out, and the test
     * kit passes it no other stream: on the quickstart's console these two lines would be noise.
     */
    private static void formatWithoutItsPrintout(KafkaClusterTestKit cluster) throws Exception {
        PrintStream out = System.out;
        System.setOut(new PrintStream(OutputStream.nullOutputStream(), false, StandardCharsets.UTF_8));
        try {
            cluster.format();
        } finally {
            System.setOut(out);
        }
    }

    private static Path createTempDirectory() {
        try {
            return Files.createTempDirectory("setrec-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException("no temp directory for the in-process Kafka", e);
        }
    }

    private static void stopAfterFailedStart(KafkaClusterTestKit cluster, Path directory, Exception failure) {
        try {
            if (cluster != null) {
                cluster.close();
            }
        } catch (Exception e) {
            failure.addSuppressed(e);
        }
        try {
            Utils.delete(directory.toFile()); // the cluster may not have got far enough to delete it
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }
}
