package dev.setrec.jobs.cli;

import dev.setrec.jobs.JobOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The flags of the commands that run a job against a Kafka cluster (job, refresh-job): the brokers and options. */
final class JobFlags {
    @Option(names = "--bootstrap-servers", required = true, description = "Kafka brokers, host:port[,host:port]")
    String bootstrapServers;
    @Option(names = "--properties", paramLabel = "FILE", description = "job options as key=value lines")
    Path properties;
    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "one job or Flink option (repeatable; wins over --properties)")
    Map<String, String> overrides = new LinkedHashMap<>();
    @Option(names = "--exactly-once",
            description = "Kafka transactions committed on checkpoints (default at-least-once)")
    boolean exactlyOnce;

    /** The job options: --properties, then --set, the delivery, the brokers and {@code fixed} on top. */
    Configuration options(Map<String, String> fixed) throws IOException {
        Map<String, String> flags = new LinkedHashMap<>(exactlyOnce
                ? JobOptions.withDelivery(overrides, DeliveryGuarantee.EXACTLY_ONCE) : overrides);
        flags.put(JobOptions.BOOTSTRAP_SERVERS.key(), bootstrapServers);
        flags.putAll(fixed);
        return JobOptions.load(properties, flags);
    }
}
