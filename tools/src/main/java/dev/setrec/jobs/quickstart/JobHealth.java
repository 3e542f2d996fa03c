package dev.setrec.jobs.quickstart;

import java.util.Optional;

/**
 * What the console tells about the job at one moment: its state, how often its tasks were restarted, how many
 * failures Flink handled (what its restart strategy counts: one restart may answer several failures at once, such as
 * a checkpoint failure reported twice), how many of its tasks are up, and the latest failure (one line: the root
 * cause; none before the first).
 */
public record JobHealth(JobState state, int restarts, int failures, int tasksUp, int tasks,
                        Optional<Failure> lastFailure) {
    /** A failure of the job: its root cause ({@link RootCause}) and when it happened (wall clock). */
    public record Failure(String rootCause, long atMillis) {
    }

    /** Before the cluster has said anything about the job. */
    public static JobHealth starting() {
        return new JobHealth(JobState.STARTING, 0, 0, 0, 0, Optional.empty());
    }

    /** Whether the two differ in what a log should show at once: the state, a restart, a failure. */
    public boolean changedFrom(JobHealth earlier) {
        return earlier == null || state != earlier.state || restarts != earlier.restarts
                || failures != earlier.failures;
    }

    /**
     * E.g. "restarting: 3/5 tasks up | 2 restarts | 3 failures, the last 4 s ago: java.io.IOException: disk full".
     */
    public String describe(long nowMillis) {
        StringBuilder line = new StringBuilder(state.label());
        if ((state == JobState.STARTING || state == JobState.RESTARTING) && tasks > 0) {
            line.append(": ").append(tasksUp).append('/').append(tasks).append(" tasks up");
        }
        line.append(" | ").append(restarts == 0 ? "no restarts" : count(restarts, "restart"));
        lastFailure.ifPresent(failure -> line.append(" | ").append(count(failures, "failure"))
                .append(failures == 1 ? ", " : ", the last ").append(age(nowMillis - failure.atMillis()))
                .append(" ago: ").append(failure.rootCause()));
        return line.toString();
    }

    /**
     * The command's last words when the job ended on its own, e.g. "the job failed for good after 2 restarts (3
     * failures): java.io.IOException: disk full".
     */
    public String endedBecause() {
        String after = restarts == 0 ? "" : " after " + count(restarts, "restart");
        if (state != JobState.FAILED) {
            return "the job ended (" + state.label() + ")" + after;
        }
        // each restart answers a failure and one more ends the job; where Flink handled more, say so
        String failed = failures != restarts + 1 ? " (" + count(failures, "failure") + ")" : "";
        return "the job " + state.label() + after + failed + lastFailure.map(f -> ": " + f.rootCause()).orElse("");
    }

    static String age(long millis) {
        long seconds = Math.max(0, millis) / 1000;
        if (seconds < 120) {
            return seconds + " s";
        }
        long minutes = seconds / 60;
        return minutes < 120 ? minutes + " min" : minutes / 60 + " h";
    }

    private static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
