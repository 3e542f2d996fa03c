package dev.setrec.cluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Where the build put what the scenarios start (failsafe passes the paths as system properties, see the pom): the
 * job jar, the lib/ folders of Flink, the in-process runtime, Kafka and ZooKeeper, the Flink JVM flags, and the
 * folder for the processes' files and logs.
 */
record Builds(Path jobJar, Path flinkLib, Path inProcessLib, Path kafkaLib, Path zookeeperLib, List<String> jvmFlags,
              Path work) {

    static Builds fromSystemProperties() {
        return new Builds(existing("setrec.cluster.job-jar"), existing("setrec.cluster.flink-lib"),
                existing("setrec.cluster.in-process-lib"), existing("setrec.cluster.kafka-lib"),
                existing("setrec.cluster.zookeeper-lib"),
                Arrays.stream(property("setrec.cluster.jvm-flags").split("\\s+")).filter(f -> !f.isBlank()).toList(),
                Path.of(property("setrec.cluster.work")));
    }

    private static Path existing(String key) {
        Path path = Path.of(property(key));
        if (!Files.exists(path)) {
            throw new IllegalStateException(key + ": " + path + " does not exist; run the scenarios through Maven "
                    + "(./mvnw -pl cluster-tests/scenarios -am verify), which builds it first");
        }
        return path;
    }

    private static String property(String key) {
        String value = System.getProperty(key);
        if (value == null) {
            throw new IllegalStateException("system property " + key + " is not set; run the scenarios through Maven"
                    + " (cluster-tests/scenarios/pom.xml sets it)");
        }
        return value;
    }
}
