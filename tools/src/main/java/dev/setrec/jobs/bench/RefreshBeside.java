package dev.setrec.jobs.bench;

import dev.setrec.jobs.JobOptions;
import dev.setrec.jobs.embedded.EmbeddedJob;
import dev.setrec.model.ModelIO;
import dev.setrec.models.ModelFolder;
import dev.setrec.models.Promotion;
import dev.setrec.util.Directories;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The refresh job beside the benchmarked recommendation job, in the same process, as the quickstart runs it: it
 * reads the same interactions and fine-tunes a copy of the served model in a models folder of its own. Its versions
 * are not served, so that what the phases measure beside it is scoring while a model trains, not a model swap.
 * Whether a refresh trains is read from the refreshes' report ({@link RefreshReport}).
 */
final class RefreshBeside implements AutoCloseable {
    /** Short, so that the next refresh starts soon after one ends while events keep coming. */
    static final Duration INTERVAL = Duration.ofSeconds(10);
    /** Events that must have come since the last refresh for the next one. */
    static final int MIN_EVENTS = 1000;

    private final Path dir;
    private final RefreshReport report;
    private final EmbeddedJob job;

    private RefreshBeside(Path dir, RefreshReport report, EmbeddedJob job) {
        this.dir = dir;
        this.report = report;
        this.job = job;
    }

    /** Starts the refresh job on a models folder holding a copy of {@code model}, with the bench's job options. */
    static RefreshBeside start(String bootstrapServers, Path model, Map<String, String> jobOptions) throws Exception {
        Path dir = Files.createTempDirectory("setrec-bench-refresh");
        try {
            Path models = Files.createDirectories(dir.resolve("models"));
            ModelFolder.addCopy(models, Promotion.nextVersionName(models, ModelIO.readManifest(model).version(),
                    Clock.systemUTC()), model);
            Map<String, String> flags = new LinkedHashMap<>(jobOptions);
            flags.put(JobOptions.REFRESH_INTERVAL.key(), INTERVAL.toSeconds() + " s");
            flags.put(JobOptions.REFRESH_MIN_EVENTS.key(), Integer.toString(MIN_EVENTS));
            Path report = dir.resolve("refreshes.log");
            EmbeddedJob job = EmbeddedJob.startRefresh("setrec-bench-refresh", bootstrapServers, flags, models,
                    report, dir.resolve("checkpoints"));
            return new RefreshBeside(dir, new RefreshReport(report), job);
        } catch (Exception | Error e) {
            Directories.deleteTree(dir);
            throw e;
        }
    }

    /** What the refreshes reported so far. */
    RefreshReport report() {
        return report;
    }

    @Override
    public void close() throws Exception {
        try {
            job.close();
        } finally {
            Directories.deleteTree(dir);
        }
    }
}
