package dev.setrec.cluster.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * One log4j2 configuration for every process the tests start (Flink, Kafka and ZooKeeper all log through log4j2
 * here): INFO and above into the file the JVM's {@code log.file} property names, as flink-dist's configuration does.
 */
public final class Log4jConfig {
    private static final String PROPERTIES = """
            rootLogger.level = INFO
            rootLogger.appenderRef.file.ref = file
            appender.file.type = File
            appender.file.name = file
            appender.file.fileName = ${sys:log.file}
            appender.file.layout.type = PatternLayout
            appender.file.layout.pattern = %d{HH:mm:ss,SSS} %-5p %t %c{1.} - %m%n
            # the configuration dumps and per-record chatter of these say nothing the tests need
            logger.kafka-config.name = org.apache.kafka.common.config
            logger.kafka-config.level = WARN
            logger.zookeeper-client.name = org.apache.flink.shaded.zookeeper3.org.apache.zookeeper.ClientCnxn
            logger.zookeeper-client.level = WARN
            """;

    private final Path file;

    private Log4jConfig(Path file) {
        this.file = file;
    }

    /** Writes the configuration to {@code file}. */
    public static Log4jConfig write(Path file) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, PROPERTIES);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Log4jConfig(file);
    }

    /** The JVM options that make a process log into {@code logFile}. */
    public List<String> jvmOptions(Path logFile) {
        return List.of("-Dlog4j2.configurationFile=" + file.toUri(), "-Dlog4j.configurationFile=" + file.toUri(),
                "-Dlog.file=" + logFile);
    }
}
