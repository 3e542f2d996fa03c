package dev.setrec.jobs.cli;

import dev.setrec.jobs.JobOptions;
import dev.setrec.jobs.embedded.EmbeddedJob;
import dev.setrec.jobs.kafka.Topics;
import dev.setrec.jobs.quickstart.JobHealth;
import org.apache.flink.configuration.Configuration;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The quickstart's refresh job (docs/operations.md, "Refreshing the model from the stream"): on a local Flink cluster
 * of its own, against the run's broker, refreshing the run's models folder. It starts once a SETRec version serves
 * and no training of the quick model goes on (a refresh starts from the serving SETRec); a refresh job that fails for
 * good is said once and the run goes on with the versions it has.
 */
final class QuickstartRefresh implements AutoCloseable {
    /**
     * A refresh every 2 minutes, not every 10 as in production: at the replay's 200 events/s that is 24,000 new
     * interactions each time, plenty to learn from, and a run of a few minutes shows an outcome or two.
     */
    static final Duration INTERVAL = Duration.ofMinutes(2);
    /**
     * The newest 20,000 interactions (the last 100 s of replay at 200/s), not 100,000, so that a refresh beside the
     * scoring on 2 cores stays short against the interval (10 to 16 s on the generated shop's 5,000 to 7,000).
     */
    static final int WINDOW_EVENTS = 20_000;
    private static final Duration TOPICS_TIMEOUT = Duration.ofSeconds(30);

    private final String bootstrapServers;
    private final Map<String, String> flags;
    private final Path folder;
    private final Path log;
    private final Path checkpoints;
    private final Consumer<String> say;
    private EmbeddedJob job;
    private boolean failureSaid;

    /**
     * Creates the refresh's topics at once (the run's view reads model-versions from the start).
     *
     * @param runFlags the run's job and Flink options: they win over the quickstart's refresh defaults
     * @param options the recommendation job's options, whose topics the refresh job shares
     * @param log where each refresh's progress is appended (its figures, the training's epochs), off the console
     * @param say where the refresh job's start and its failure are said (the board's scrolling lines)
     */
    QuickstartRefresh(String bootstrapServers, Map<String, String> runFlags, Configuration options, Path folder,
                      Path log, Path checkpoints, Consumer<String> say) {
        this.bootstrapServers = bootstrapServers;
        this.flags = new LinkedHashMap<>();
        flags.put(JobOptions.REFRESH_INTERVAL.key(), INTERVAL.toSeconds() + " s");
        flags.put(JobOptions.REFRESH_WINDOW_EVENTS.key(), Integer.toString(WINDOW_EVENTS));
        flags.putAll(runFlags);
        this.folder = folder;
        this.log = log;
        this.checkpoints = checkpoints;
        this.say = say;
        Topics.ensure(bootstrapServers, EmbeddedJob.refreshTopics(options, EmbeddedJob.PARALLELISM), TOPICS_TIMEOUT);
    }

    /** How often it refreshes, in words: "every 2 min". */
    String schedule() {
        Duration interval = Configuration.fromMap(flags).get(JobOptions.REFRESH_INTERVAL);
        return "every " + (interval.toSeconds() % 60 == 0 ? interval.toMinutes() + " min"
                : interval.toSeconds() + " s");
    }

    /**
     * Called about once a second: starts the refresh job once {@code settled}; says once if it could not start or
     * failed for good (the run goes on without it).
     */
    void check(boolean settled) {
        if (job == null && settled && !failureSaid) {
            try {
                Files.createDirectories(log.getParent());
                job = EmbeddedJob.startRefresh("setrec-quickstart-refresh", bootstrapServers, flags, folder, log,
                        checkpoints);
            } catch (Exception e) {
                failureSaid = true;
                say.accept("refresh job could not start, the run goes on without it: " + e);
                return;
            }
            say.accept(String.format(Locale.ROOT, "refresh job running: %s it fine-tunes the serving SETRec on the "
                    + "newest %,d interactions; a better version is promoted (--no-refresh: off); its log: %s",
                    schedule(), job.options().get(JobOptions.REFRESH_WINDOW_EVENTS), log));
        }
        if (job != null && !failureSaid) {
            JobHealth health = job.health();
            if (health.state().ended()) {
                failureSaid = true;
                say.accept("refresh job ended, the versions it added go on serving: " + health.endedBecause());
            }
        }
    }

    @Override
    public void close() throws Exception {
        if (job != null) {
            job.close();
        }
    }
}
