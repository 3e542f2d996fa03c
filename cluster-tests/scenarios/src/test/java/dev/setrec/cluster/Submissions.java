package dev.setrec.cluster;

import dev.setrec.cluster.InteractionFeed.Walk;
import dev.setrec.cluster.LoaderRelease.Snapshot;
import dev.setrec.cluster.harness.Await;
import dev.setrec.cluster.harness.FlinkCluster;
import dev.setrec.cluster.harness.Jcmd;
import dev.setrec.jobs.JobOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One job submitted again and again to the same session cluster, as operators do: each run ends by turns with a
 * stop-with-savepoint (the next run is an upgrade from the savepoint) or a cancel (the next run restores the retained
 * checkpoint). What a job leaves behind when it ends shows here: a job manager whose metaspace fills with the classes
 * of ended jobs (Flink's default metaspace size runs out after some submissions), errors logged when a job's class
 * loader is closed under threads the job left running. The runs' events must still be answered exactly once.
 */
final class Submissions {
    /** How long a run takes events before it ends. */
    private static final Duration RUN = Duration.ofSeconds(5);
    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final String ERROR = " ERROR ";

    private final FlinkCluster flink;
    private final Figures figures;
    private final Path heapDumps;

    /** @param heapDumps where the job manager's heap is dumped when it keeps an ended job's class loader */
    Submissions(FlinkCluster flink, Figures figures, Path heapDumps) {
        this.flink = flink;
        this.figures = figures;
        this.heapDumps = heapDumps;
    }

    /**
     * Runs {@code job} {@code count} times in a row under a steady feed of {@code walks} at {@code rate} events a
     * second, and checks the job manager and the logs.
     */
    void run(ScenarioJob job, int count, List<Walk> walks, int rate, String bootstrapServers) throws Exception {
        Jcmd jobManager = new Jcmd(flink.jobManager().pid());
        Map<Path, Long> logStarts = logSizes();
        Set<String> taskManagers = flink.liveTaskManagers();
        Snapshot before = Snapshot.of(jobManager);
        List<Snapshot> afterEachEnd = new ArrayList<>();
        long firstJobRunningKb = 0;
        try (InteractionFeed feed = new InteractionFeed(bootstrapServers,
                List.of(job.topic(JobOptions.INTERACTIONS_TOPIC)));
             RecommendationLog committed = job.recommendations("read_committed")) {
            feed.start(walks, rate);
            String restoreFrom = null;
            for (int run = 1; run <= count; run++) {
                String id = job.submit(restoreFrom);
                Await.sleep(RUN);
                if (run == 1) {
                    jobManager.fullGc();
                    firstJobRunningKb = jobManager.metaspaceUsedKb();
                }
                assertEquals(List.of(), flink.rest().failures(id), "task failures of run " + run);
                restoreFrom = run % 2 == 1 ? flink.stopWithSavepoint(id) : cancelKeepingCheckpoint(id);
                afterEachEnd.add(LoaderRelease.await(jobManager, "the job manager", "run " + run, heapDumps));
                for (String tm : taskManagers) {
                    LoaderRelease.await(new Jcmd(flink.taskManager(tm).pid()), tm, "run " + run, heapDumps);
                }
            }
            String last = job.submit(restoreFrom);
            Await.sleep(RUN);
            feed.stop();
            Await.until(WAIT, "every event answered", () -> committed.answered(feed.sent().keySet())
                    == feed.sent().size());
            Await.sleep(RUN); // transactions still open would show duplicates after this
            flink.cancel(last);
            Tally tally = Tally.of(feed.sent(), committed.all());
            assertTrue(tally.lost().isEmpty() && tally.duplicates() == 0 && tally.unknown().isEmpty(),
                    "exactly-once across " + count + " submissions: " + tally);
        }
        report(count, before, firstJobRunningKb, afterEachEnd);
        assertTrue(flink.jobManager().isAlive(), "the job manager is up");
        assertEquals(taskManagers, flink.liveTaskManagers(), "the task managers are up");
        List<String> errors = errorsSince(logStarts);
        assertEquals(List.of(), errors, "ERROR lines in the job and task managers' logs over " + count
                + " submissions");
        Snapshot first = afterEachEnd.get(0);
        Snapshot lastEnd = afterEachEnd.get(afterEachEnd.size() - 1);
        long oneJobKb = firstJobRunningKb - before.metaspaceKb();
        assertTrue(lastEnd.metaspaceKb() - first.metaspaceKb() < oneJobKb, String.format(Locale.ROOT,
                "job manager metaspace after %d submissions %d KB, after the first %d KB: more than one job's "
                        + "classes (%d KB) kept", count, lastEnd.metaspaceKb(), first.metaspaceKb(), oneJobKb));
    }

    /**
     * Cancels the job; returns its latest retained checkpoint, which the next run restores (read once the job is
     * cancelled: until then a newer checkpoint may subsume and delete it).
     */
    private String cancelKeepingCheckpoint(String id) {
        flink.cancel(id);
        Await.until(WAIT, "job " + id + " cancelled", () -> "CANCELED".equals(flink.rest().jobState(id)));
        return Await.value(WAIT, "the retained checkpoint of " + id, () -> Optional.ofNullable(
                flink.rest().get("/jobs/" + id + "/checkpoints").getAsJsonObject("latest").get("completed"))
                .filter(c -> !c.isJsonNull()).map(c -> c.getAsJsonObject().get("external_path").getAsString()));
    }

    /**
     * The figures bench cluster reports, as key=value: {@code jm_metaspace_mb_per_submission} (the job manager's
     * metaspace growth per submission after a full collection, from the end of the first run to the end of the
     * last), {@code jm_classes_unloaded} (classes the job manager unloaded over the runs),
     * {@code jm_metaspace_mb_one_job} (the metaspace one running job takes).
     */
    private void report(int count, Snapshot before, long firstJobRunningKb, List<Snapshot> afterEachEnd) {
        Snapshot first = afterEachEnd.get(0);
        Snapshot last = afterEachEnd.get(afterEachEnd.size() - 1);
        double perSubmission = count < 2 ? 0 : (last.metaspaceKb() - first.metaspaceKb()) / 1024.0 / (count - 1);
        figures.report(String.format(Locale.ROOT, "submissions: submissions=%d jm_metaspace_mb_per_submission=%.2f "
                        + "jm_classes_unloaded=%d jm_metaspace_mb_one_job=%.1f jm_metaspace_mb_before=%.1f "
                        + "jm_metaspace_mb_after=%.1f", count, perSubmission,
                last.classesUnloaded() - before.classesUnloaded(),
                (firstJobRunningKb - before.metaspaceKb()) / 1024.0, before.metaspaceKb() / 1024.0,
                last.metaspaceKb() / 1024.0));
        figures.metric("submissions", count);
        figures.metric("jm_metaspace_mb_per_submission", Math.round(perSubmission * 100) / 100.0);
        figures.metric("jm_classes_unloaded", last.classesUnloaded() - before.classesUnloaded());
        figures.memory(flink, "after " + count + " submissions");
    }

    private Map<Path, Long> logSizes() throws IOException {
        Map<Path, Long> sizes = new LinkedHashMap<>();
        for (Path log : flink.logs()) {
            sizes.put(log, Files.exists(log) ? Files.size(log) : 0L);
        }
        return sizes;
    }

    /** The ERROR lines every log got since {@code starts} (the sizes then; a log not there then: all of it). */
    private List<String> errorsSince(Map<Path, Long> starts) {
        List<String> errors = new ArrayList<>();
        for (Path log : flink.logs()) {
            if (!Files.exists(log)) {
                continue;
            }
            try {
                byte[] bytes = Files.readAllBytes(log);
                int from = (int) Math.min(bytes.length, starts.getOrDefault(log, 0L));
                new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8).lines()
                        .filter(line -> line.contains(ERROR))
                        .forEach(line -> errors.add(log.getFileName() + ": " + line));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return errors;
    }
}
