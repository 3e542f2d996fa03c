package dev.setrec.jobs.quickstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.util.SerializedThrowable;
import org.junit.jupiter.api.Test;

/** The job's state, restarts, failures and last failure as the console words them. */
class JobHealthTest {
    private static final long NOW = 1_700_000_000_000L;
    private static final ClassLoader OURS = JobHealthTest.class.getClassLoader();

    /** An exception class that a class loader without this module's classes cannot load. */
    static final class PoisonRecordException extends RuntimeException {
        PoisonRecordException(String message) {
            super(message);
        }
    }

    @Test
    void aRunningJobWithTasksStillComingUpIsStartingOrRestarting() {
        assertEquals(JobState.STARTING, JobState.of(JobStatus.INITIALIZING, 0, 0, 0));
        assertEquals(JobState.STARTING, JobState.of(JobStatus.RUNNING, 3, 5, 0), "first deployment");
        assertEquals(JobState.RESTARTING, JobState.of(JobStatus.RUNNING, 3, 5, 1), "deployed again after a failure");
        assertEquals(JobState.RUNNING, JobState.of(JobStatus.RUNNING, 5, 5, 1));
        assertEquals(JobState.RESTARTING, JobState.of(JobStatus.RESTARTING, 0, 5, 2));
        assertEquals(JobState.CANCELLED, JobState.of(JobStatus.CANCELED, 0, 5, 0));
        assertEquals(JobState.FAILED, JobState.of(JobStatus.FAILED, 0, 5, 3));
        Set<JobState> ended = EnumSet.noneOf(JobState.class);
        for (JobState state : JobState.values()) {
            if (state.ended()) {
                ended.add(state);
            }
        }
        assertEquals(EnumSet.of(JobState.FAILED, JobState.CANCELLED, JobState.FINISHED, JobState.SUSPENDED), ended);
    }

    @Test
    void theLineNamesStateRestartsFailuresTasksAndTheLastFailure() {
        assertEquals("running | no restarts", health(JobState.RUNNING, 0, 0, 5, null).describe(NOW));
        assertEquals("starting: 2/5 tasks up | no restarts", health(JobState.STARTING, 0, 0, 2, null).describe(NOW));
        JobHealth restarting = health(JobState.RESTARTING, 1, 1, 0, failure("java.io.IOException: disk full", 4_000));
        assertEquals("restarting: 0/5 tasks up | 1 restart | 1 failure, 4 s ago: java.io.IOException: disk full",
                restarting.describe(NOW));
        assertEquals("running | 2 restarts | 3 failures, the last 3 min ago: x",
                health(JobState.RUNNING, 2, 3, 5, failure("x", 180_000)).describe(NOW));
        assertEquals("failed for good | no restarts | 1 failure, 0 s ago: x",
                health(JobState.FAILED, 0, 1, 0, failure("x", 0)).describe(NOW));
    }

    @Test
    void agesGrowFromSecondsToMinutesToHours() {
        assertEquals("0 s", JobHealth.age(-5));
        assertEquals("119 s", JobHealth.age(119_999));
        assertEquals("2 min", JobHealth.age(120_000));
        assertEquals("119 min", JobHealth.age(119 * 60_000 + 59_999));
        assertEquals("2 h", JobHealth.age(120 * 60_000));
    }

    @Test
    void theLastWordsGiveTheCauseOfAFailure() {
        assertEquals("the job failed for good after 2 restarts: java.io.IOException: disk full",
                health(JobState.FAILED, 2, 3, 0, failure("java.io.IOException: disk full", 0)).endedBecause());
        assertEquals("the job failed for good after 2 restarts (5 failures): x",
                health(JobState.FAILED, 2, 5, 0, failure("x", 0)).endedBecause(),
                "more failures than restarts answered");
        assertEquals("the job failed for good: java.lang.IllegalStateException: no model",
                health(JobState.FAILED, 0, 1, 0, failure("java.lang.IllegalStateException: no model", 0))
                        .endedBecause());
        assertEquals("the job ended (cancelled) after 1 restart",
                health(JobState.CANCELLED, 1, 1, 0, failure("x", 0)).endedBecause());
    }

    @Test
    void stateRestartsAndFailuresCountAsAChange() {
        JobHealth running = health(JobState.RUNNING, 1, 1, 5, failure("x", 0));
        assertTrue(running.changedFrom(null));
        assertFalse(running.changedFrom(health(JobState.RUNNING, 1, 1, 4, failure("x", 1_000))), "tasks, age: no");
        assertTrue(running.changedFrom(health(JobState.RESTARTING, 1, 1, 5, failure("x", 0))));
        assertTrue(running.changedFrom(health(JobState.RUNNING, 0, 1, 5, failure("x", 0))));
        assertTrue(running.changedFrom(health(JobState.RUNNING, 1, 2, 5, failure("x", 0))));
    }

    @Test
    void theRootCauseIsTheInnermostCauseOnOneLine() {
        Exception error = new IllegalStateException("task failed", new IOException("disk full\nat block 7"));
        assertEquals("java.io.IOException: disk full", RootCause.of(error, OURS));
        assertEquals("java.lang.IllegalStateException", RootCause.of(new IllegalStateException(), OURS));
        String longMessage = "x".repeat(RootCause.MAX_LENGTH * 2);
        String cut = RootCause.of(new IOException(longMessage), OURS);
        assertEquals(RootCause.MAX_LENGTH, cut.length());
        assertTrue(cut.endsWith("..."));
    }

    @Test
    void failuresHandedOverByFlinkReadLikeTheOriginals() throws Exception {
        Exception original = new IllegalStateException("task failed", new PoisonRecordException("bad record 7"));
        // wrapped twice, as a task's failure is on its way to the job master
        Throwable handedOver = new SerializedThrowable(new SerializedThrowable(original));
        String poison = PoisonRecordException.class.getName() + ": bad record 7";
        assertEquals(poison, RootCause.of(handedOver, OURS));
        try (URLClassLoader withoutOurClasses = new URLClassLoader(new URL[0], null)) {
            assertEquals(poison, RootCause.of(handedOver, withoutOurClasses),
                    "named by the class and message it carries where the class cannot be loaded");
        }
    }

    private static JobHealth health(JobState state, int restarts, int failures, int tasksUp,
                                    JobHealth.Failure failure) {
        return new JobHealth(state, restarts, failures, tasksUp, 5, Optional.ofNullable(failure));
    }

    private static JobHealth.Failure failure(String cause, long millisAgo) {
        return new JobHealth.Failure(cause, NOW - millisAgo);
    }
}
