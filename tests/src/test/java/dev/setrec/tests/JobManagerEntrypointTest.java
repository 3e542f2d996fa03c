package dev.setrec.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job manager's entry point (deploy/jobmanager-entrypoint.sh, with newest-snapshot.sh) on fixture directories:
 * which snapshot a restarted job manager resumes from. Newest complete one wins (checkpoint or savepoint), snapshots
 * still being written or cut short are skipped, another job's checkpoints are not this job's, none means a fresh
 * start, and SETREC_RESTORE overrides the choice. Bad commands and settings stop it with one line.
 */
class JobManagerEntrypointTest {
    private static final String JOB_ID = "5e7ec000000000000000000000000001";
    private static final List<String> COMMAND = List.of("standalone-job", "--job-classname", "dev.example.Job",
            "--job-id", JOB_ID, "--properties", "/opt/job.properties");
    private static final long T0 = 1_700_000_000_000L;

    @TempDir
    Path work;
    private Path checkpoints;
    private Path savepoints;
    private Path jobCheckpoints;

    @BeforeEach
    void directories() throws IOException {
        checkpoints = Files.createDirectories(work.resolve("checkpoints"));
        savepoints = checkpoints.resolve("savepoints");
        jobCheckpoints = Files.createDirectories(checkpoints.resolve(JOB_ID));
        Files.createDirectories(jobCheckpoints.resolve("shared"));
        Files.createDirectories(jobCheckpoints.resolve("taskowned"));
    }

    @Test
    void theNewestCompleteCheckpointWins() throws Exception {
        snapshot(jobCheckpoints.resolve("chk-3"), T0);
        Path newest = snapshot(jobCheckpoints.resolve("chk-7"), T0 + 20_000);
        Files.createDirectories(jobCheckpoints.resolve("chk-9")); // being taken: no _metadata yet
        Path cutShort = Files.createDirectories(jobCheckpoints.resolve("chk-10"));
        Files.createFile(cutShort.resolve("_metadata"));
        Files.setLastModifiedTime(cutShort.resolve("_metadata"), FileTime.fromMillis(T0 + 40_000));

        EntrypointRun run = run(Map.of());
        assertEquals(resumingFrom(newest), run.flinkArgs(), run.output());
        assertTrue(run.output().contains("job " + JOB_ID + " resumes from " + newest), run.output());
    }

    @Test
    void aSavepointNewerThanEveryCheckpointWins() throws Exception {
        snapshot(jobCheckpoints.resolve("chk-12"), T0);
        Path savepoint = snapshot(savepoints.resolve("savepoint-5e7ec0-0a1b2c3d4e5f"), T0 + 1_000);
        snapshot(savepoints.resolve("savepoint-5e7ec0-older"), T0 - 1_000);
        assertEquals(resumingFrom(savepoint), run(Map.of()).flinkArgs());

        Path later = snapshot(jobCheckpoints.resolve("chk-13"), T0 + 2_000); // the job went on after the savepoint
        assertEquals(resumingFrom(later), run(Map.of()).flinkArgs());
    }

    @Test
    void anotherJobsCheckpointsAreNotThisJobs() throws Exception {
        Path ours = snapshot(jobCheckpoints.resolve("chk-2"), T0);
        snapshot(checkpoints.resolve("00000000000000000000000000000000").resolve("chk-99"), T0 + 60_000);
        assertEquals(resumingFrom(ours), run(Map.of()).flinkArgs());
    }

    @Test
    void withoutACompleteSnapshotTheJobStartsFresh() throws Exception {
        assertEquals(COMMAND, run(Map.of()).flinkArgs(), "nothing there");
        Files.createDirectories(jobCheckpoints.resolve("chk-1"));
        Files.createDirectories(savepoints.resolve("savepoint-5e7ec0-cut"));
        EntrypointRun run = run(Map.of());
        assertEquals(COMMAND, run.flinkArgs(), "only incomplete ones");
        assertTrue(run.output().contains("job " + JOB_ID + " starts fresh"), run.output());

        Files.delete(jobCheckpoints.resolve("chk-1"));
        Files.delete(jobCheckpoints.resolve("shared"));
        Files.delete(jobCheckpoints.resolve("taskowned"));
        Files.delete(jobCheckpoints);
        assertEquals(COMMAND, run(Map.of()).flinkArgs(), "no directory for the job yet (its first start)");
    }

    @Test
    void setrecRestoreChoosesOtherwise() throws Exception {
        snapshot(jobCheckpoints.resolve("chk-8"), T0 + 10_000);
        Path older = snapshot(jobCheckpoints.resolve("chk-4"), T0);
        assertEquals(COMMAND, run(Map.of("SETREC_RESTORE", "none")).flinkArgs(), "none: fresh, whatever is there");
        assertEquals(resumingFrom(older), run(Map.of("SETREC_RESTORE", older.toString())).flinkArgs());

        EntrypointRun incomplete = EntrypointRun.of(work,
                environment(Map.of("SETREC_RESTORE", jobCheckpoints.resolve("chk-5").toString())), COMMAND);
        assertEquals(2, incomplete.status());
        assertEquals(List.of(), incomplete.flinkArgs(), "Flink is not started");
        assertEquals("jobmanager-entrypoint: SETREC_RESTORE=" + jobCheckpoints.resolve("chk-5")
                + ": no complete snapshot there (no _metadata)", incomplete.output().strip());
    }

    @Test
    void badCommandsStopWithOneLine() throws Exception {
        List<String> withoutJobId = new ArrayList<>(COMMAND);
        withoutJobId.subList(3, 5).clear();
        assertStops(withoutJobId, "the command needs --job-id <32 hex digits>, so that checkpoints land in one "
                + "directory (got '')");
        List<String> badJobId = new ArrayList<>(COMMAND);
        badJobId.set(4, "not-hex");
        assertStops(badJobId, "the command needs --job-id <32 hex digits>, so that checkpoints land in one "
                + "directory (got 'not-hex')");
        List<String> sessionCluster = new ArrayList<>(COMMAND);
        sessionCluster.set(0, "jobmanager");
        assertStops(sessionCluster, "expects the command 'standalone-job ...', not 'jobmanager'");
        List<String> ownSnapshot = new ArrayList<>(COMMAND);
        ownSnapshot.addAll(1, List.of("--fromSavepoint", "/somewhere"));
        assertStops(ownSnapshot, "the command names a snapshot itself (--fromSavepoint); set SETREC_RESTORE=<path> "
                + "instead");
    }

    @Test
    void newestSnapshotPrintsNothingWhereThereIsNone() throws Exception {
        Process process = new ProcessBuilder("bash", EntrypointRun.script("newest-snapshot.sh").toString(),
                work.resolve("missing").toString(), jobCheckpoints.toString()).redirectErrorStream(true).start();
        assertEquals("", new String(process.getInputStream().readAllBytes()));
        assertEquals(0, process.waitFor());
    }

    private void assertStops(List<String> command, String message) throws Exception {
        EntrypointRun run = EntrypointRun.of(work, environment(Map.of()), command);
        assertEquals(2, run.status(), run.output());
        assertEquals("jobmanager-entrypoint: " + message, run.output().strip());
    }

    private EntrypointRun run(Map<String, String> extra) throws Exception {
        EntrypointRun run = EntrypointRun.of(work, environment(extra), COMMAND);
        assertEquals(0, run.status(), run.output());
        return run;
    }

    /** FLINK_PROPERTIES as in docker-compose.yml, with the fixture directories. */
    private Map<String, String> environment(Map<String, String> extra) {
        Map<String, String> environment = new HashMap<>(extra);
        environment.put("FLINK_PROPERTIES", "  jobmanager.rpc.address: jobmanager\n"
                + "  execution.checkpointing.dir: " + checkpoints.toUri() + "\n"
                + "  execution.checkpointing.savepoint-dir:   file://" + savepoints + "  \n"
                + "  state.backend.type: rocksdb\n");
        return environment;
    }

    private static List<String> resumingFrom(Path snapshot) {
        List<String> args = new ArrayList<>(COMMAND);
        args.addAll(1, List.of("--fromSavepoint", snapshot.toString()));
        return args;
    }

    /** A complete snapshot: a directory with a _metadata file written at {@code millis}. */
    private static Path snapshot(Path dir, long millis) throws IOException {
        Files.createDirectories(dir);
        Path metadata = Files.writeString(dir.resolve("_metadata"), "metadata");
        Files.setLastModifiedTime(metadata, FileTime.fromMillis(millis));
        return dir;
    }
}
