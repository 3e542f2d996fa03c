package dev.setrec.cluster;

import dev.setrec.cluster.harness.FlinkCluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;

/**
 * The figures a scenario measures, for the report: lines printed and appended to a text file beside the logs, and
 * named metrics in a properties file beside it, which {@code ./setrec bench cluster} reads into benchmark rows. The
 * submissions scenario's ({@link Submissions}): {@code jm_metaspace_mb_per_submission} (job-manager metaspace growth
 * per submission, after full collections), {@code jm_classes_unloaded} (classes the job manager unloaded over the
 * submissions) and {@code jm_metaspace_mb_one_job} (the metaspace one running job takes on the job manager).
 */
final class Figures {
    private final Path file;
    private final Path metricsFile;
    private final String prefix;
    private final Properties metrics = new Properties();

    /** Figures of the scoring mode {@code mode}, into {@code file}, the metrics into {@code metricsFile}. */
    Figures(Path file, Path metricsFile, String mode) {
        this.file = file;
        this.metricsFile = metricsFile;
        this.prefix = mode + ": ";
    }

    /** Sets the metric {@code key} (a benchmark row's metric name) to {@code value}. */
    synchronized void metric(String key, double value) {
        metrics.setProperty(key, Double.toString(value));
        try (var out = Files.newBufferedWriter(metricsFile)) {
            metrics.store(out, "cluster scenario metrics of " + prefix.substring(0, prefix.length() - 2));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Adds {@code value} to the metric {@code key}: a count over several scenarios (events lost, duplicates). */
    synchronized void add(String key, double value) {
        metric(key, Double.parseDouble(metrics.getProperty(key, "0")) + value);
    }

    void report(String line) {
        String entry = prefix + line;
        System.out.println(entry);
        try {
            Files.writeString(file, entry + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Each live task manager's resident memory and JVM figures, and the job manager's (Flink's REST metrics lag by
     * up to 10 s: metrics.fetcher.update-interval).
     */
    void memory(FlinkCluster flink, String when) {
        StringBuilder line = new StringBuilder(when + ":");
        for (String tm : flink.liveTaskManagers()) {
            line.append(String.format(Locale.ROOT, " %s RSS %d MB, heap %s MB, metaspace %s MB;", tm,
                    flink.taskManager(tm).residentMb(),
                    megabytes(flink.rest().taskManagerMetric(tm, "Status.JVM.Memory.Heap.Used")),
                    megabytes(flink.rest().taskManagerMetric(tm, "Status.JVM.Memory.Metaspace.Used"))));
        }
        line.append(String.format(Locale.ROOT, " job manager RSS %d MB, metaspace %s MB",
                flink.jobManager().residentMb(),
                megabytes(flink.rest().jobManagerMetric("Status.JVM.Memory.Metaspace.Used"))));
        report(line.toString());
    }

    private static String megabytes(Optional<Double> bytes) {
        return bytes.map(b -> Long.toString(Math.round(b / (1 << 20)))).orElse("?");
    }
}
