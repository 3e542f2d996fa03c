package dev.setrec.jobs.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.setrec.jobs.quickstart.ItemTitles;
import dev.setrec.jobs.quickstart.JobHealth;
import dev.setrec.jobs.quickstart.JobState;
import dev.setrec.jobs.quickstart.StatusBoard;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job on the local cluster as the console sees it: one that keeps failing on a poison record restarts as often as
 * the failure-rate strategy lets it (at most 3 failures in 5 minutes: 3 restarts, the 4th failure ends the job), each
 * restart and its cause in view, and then fails for good with the cause; a snapshot named in the configuration is
 * restored from (as with Flink's local executor); a job that is closed while running ends cancelled.
 */
@Timeout(120)
class LocalClusterTest {
    private static final long POISON = 500;
    private static final Duration POLL = Duration.ofMillis(25);

    static final class PoisonRecordException extends RuntimeException {
        PoisonRecordException(String message) {
            super(message);
        }
    }

    /** Fails on the poison record, on every attempt (no checkpoints: each attempt reads the sequence anew). */
    static final class FailOnPoison implements MapFunction<Long, Long> {
        @Override
        public Long map(Long value) {
            if (value == POISON) {
                throw new IllegalStateException("cannot score", new PoisonRecordException("record " + value));
            }
            return value;
        }
    }

    static final class Slowly implements MapFunction<Long, Long> {
        @Override
        public Long map(Long value) throws InterruptedException {
            Thread.sleep(1);
            return value;
        }
    }

    @Test
    void aJobThatKeepsFailingShowsEachRestartWithItsCauseThenFailsForGood() throws Exception {
        Configuration conf = new Configuration();
        conf.set(CoreOptions.DEFAULT_PARALLELISM, 2);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "failure-rate");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FAILURE_RATE_MAX_FAILURES_PER_INTERVAL, 3);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FAILURE_RATE_FAILURE_RATE_INTERVAL, Duration.ofMinutes(5));
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FAILURE_RATE_DELAY, Duration.ofMillis(500));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.fromSequence(0, 1_000_000).map(new FailOnPoison()).keyBy(value -> value % 7).map(value -> value)
                .sinkTo(new DiscardingSink<>());

        ByteArrayOutputStream console = new ByteArrayOutputStream();
        StatusBoard board = new StatusBoard(new PrintStream(console, true, StandardCharsets.UTF_8),
                ItemTitles.none(), false);
        List<JobHealth> seen = new ArrayList<>();
        JobHealth end;
        try (LocalCluster cluster = LocalCluster.run(env, conf, "poisoned")) {
            while (!cluster.awaitEnd(POLL)) {
                JobHealth now = cluster.health();
                seen.add(now);
                board.render(now, System.currentTimeMillis());
            }
            end = cluster.health();
            board.summary(end, System.currentTimeMillis());
        }

        String cause = PoisonRecordException.class.getName() + ": record " + POISON;
        assertEquals(JobState.FAILED, end.state(), seen::toString);
        assertEquals(3, end.restarts(), "3 restarts within the interval, then the 4th failure fails the job");
        assertEquals(4, end.failures());
        assertEquals(Optional.of(cause), end.lastFailure().map(JobHealth.Failure::rootCause));
        assertEquals("the job failed for good after 3 restarts: " + cause, end.endedBecause());
        for (int restart = 1; restart <= 3; restart++) {
            int n = restart;
            assertTrue(seen.stream().anyMatch(h -> h.state() == JobState.RESTARTING && h.restarts() == n
                            && h.failures() == n
                            && h.lastFailure().map(JobHealth.Failure::rootCause).equals(Optional.of(cause))),
                    "restart " + n + " seen while under way, with its cause: " + seen);
        }
        assertTrue(seen.stream().noneMatch(h -> h.restarts() > 3), "never more restarts than there were: " + seen);

        String log = console.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("job      restarting"), log);
        assertTrue(log.contains("| 1 restart | 1 failure, "), log);
        assertTrue(log.contains("job      failed for good | 3 restarts | 4 failures, the last "), log);
        assertTrue(log.contains("ago: " + cause + "\n"), log);
    }

    @Test
    void aSnapshotToRestoreFromInTheConfigurationIsRestoredFrom(@TempDir Path work) throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        Path missing = work.resolve("chk-42");
        conf.set(StateRecoveryOptions.SAVEPOINT_PATH, missing.toString()); // as ./setrec job --set would give it
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.fromSequence(0, 10).map(new Slowly()).sinkTo(new DiscardingSink<>());
        try (LocalCluster cluster = LocalCluster.run(env, conf, "restored")) {
            assertTrue(cluster.awaitEnd(Duration.ofSeconds(60)), "restoring from nothing fails the job at once");
            JobHealth end = cluster.health();
            assertEquals(JobState.FAILED, end.state());
            assertTrue(end.lastFailure().map(JobHealth.Failure::rootCause).orElse("").contains(missing.toString()),
                    "the job looked for the snapshot named: " + end);
        }
    }

    @Test
    void aRunningJobEndsCancelledWhenClosed() throws Exception {
        Configuration conf = new Configuration();
        conf.set(CoreOptions.DEFAULT_PARALLELISM, 2);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.fromSequence(0, Long.MAX_VALUE).map(new Slowly()).keyBy(value -> value % 7).map(value -> value)
                .sinkTo(new DiscardingSink<>());

        LocalCluster cluster = LocalCluster.run(env, conf, "endless");
        try (cluster) {
            JobHealth health = cluster.health();
            while (health.state() != JobState.RUNNING) {
                assertTrue(health.state() == JobState.STARTING, health::toString);
                Thread.sleep(POLL.toMillis());
                health = cluster.health();
            }
            assertEquals(new JobHealth(JobState.RUNNING, 0, 0, health.tasks(), health.tasks(), Optional.empty()),
                    health);
            assertTrue(health.tasks() >= 2, "both subtasks of each task");
            assertTrue(cluster.restAddress().toString().startsWith("http"));
        }
        assertEquals(JobState.CANCELLED, cluster.health().state(), "the last state read stays after closing");
        cluster.close(); // again: nothing left to do
    }
}
