package dev.setrec.cluster;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.setrec.cluster.harness.FlinkRest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a job's recovery from a failure at {@code failedAt} went: when the job manager noticed (the job switched to
 * RESTARTING; a job manager that took over instead has no such line), when the job ran again, when its last task
 * switched to RUNNING, and the longest INITIALIZING of a task (state restore plus the operators' open(), which loads
 * the model in in-process mode). Times from the job manager's log and REST API, on the test's own clock (all on one
 * machine). Reported, never asserted.
 */
record RecoveryTimeline(long failedAt, OptionalLong detectedAt, long runningAgainAt, long tasksRunningAt,
                        long slowestInitializingMs, int restarts) {
    private static final DateTimeFormatter LOG_TIME = DateTimeFormatter.ofPattern("HH:mm:ss,SSS");

    /** Reads the timeline of job {@code jobId} from the logs of the job managers and the REST API. */
    static RecoveryTimeline of(FlinkRest rest, List<Path> jobManagerLogs, String jobId, long failedAt) {
        Pattern transition = Pattern.compile("^(\\d\\d:\\d\\d:\\d\\d,\\d{3}) .*\\(" + jobId
                + "\\) switched from state (\\w+) to (\\w+)\\.");
        OptionalLong detected = OptionalLong.empty();
        long runningAgain = -1;
        int restarts = 0;
        for (Path log : jobManagerLogs) {
            for (String line : lines(log)) {
                Matcher m = transition.matcher(line);
                if (!m.find()) {
                    continue;
                }
                long at = epochMillis(m.group(1), failedAt);
                if (at < failedAt) {
                    continue;
                }
                if (m.group(3).equals("RESTARTING")) {
                    restarts++;
                    if (detected.isEmpty()) {
                        detected = OptionalLong.of(at);
                    }
                } else if (m.group(3).equals("RUNNING")) {
                    runningAgain = Math.max(runningAgain, at);
                }
            }
        }
        long tasksRunning = 0;
        long slowestInitializing = 0;
        for (JsonElement vertex : rest.get("/jobs/" + jobId).getAsJsonArray("vertices")) {
            String vertexId = vertex.getAsJsonObject().get("id").getAsString();
            for (JsonElement element : rest.get("/jobs/" + jobId + "/vertices/" + vertexId)
                    .getAsJsonArray("subtasks")) {
                JsonObject subtask = element.getAsJsonObject();
                JsonObject durations = subtask.getAsJsonObject("status-duration");
                long beforeRunning = 0;
                for (String state : List.of("CREATED", "SCHEDULED", "DEPLOYING", "INITIALIZING")) {
                    beforeRunning += Math.max(0, durations.get(state).getAsLong());
                }
                tasksRunning = Math.max(tasksRunning, subtask.get("start-time").getAsLong() + beforeRunning);
                slowestInitializing = Math.max(slowestInitializing, durations.get("INITIALIZING").getAsLong());
            }
        }
        return new RecoveryTimeline(failedAt, detected, runningAgain, tasksRunning, slowestInitializing, restarts);
    }

    /** The timeline's points in seconds after the failure, named as benchmark metrics. */
    Map<String, Double> metrics() {
        Map<String, Double> metrics = new LinkedHashMap<>();
        detectedAt.ifPresent(at -> metrics.put("recovery_failure_noticed_s", (at - failedAt) / 1000.0));
        metrics.put("recovery_job_running_s", (runningAgainAt - failedAt) / 1000.0);
        metrics.put("recovery_tasks_running_s", (tasksRunningAt - failedAt) / 1000.0);
        metrics.put("recovery_slowest_initializing_s", slowestInitializingMs / 1000.0);
        return metrics;
    }

    private static List<String> lines(Path log) {
        try {
            return Files.readAllLines(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A log line's time of day on the day of {@code near}: the logs print no date. */
    private static long epochMillis(String timeOfDay, long near) {
        ZoneId zone = ZoneId.systemDefault();
        LocalDate day = Instant.ofEpochMilli(near).atZone(zone).toLocalDate();
        return LocalTime.parse(timeOfDay, LOG_TIME).atDate(day).atZone(zone).toInstant().toEpochMilli();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "failure noticed (job RESTARTING) after %s, job running again after %.1f s,"
                        + " every task running after %.1f s (slowest INITIALIZING, state restore and open() with the"
                        + " model load: %.1f s), %d restart(s)",
                detectedAt.isPresent() ? String.format(Locale.ROOT, "%.1f s", (detectedAt.getAsLong() - failedAt)
                        / 1000.0) : "- (a new job manager took over)",
                (runningAgainAt - failedAt) / 1000.0, (tasksRunningAt - failedAt) / 1000.0,
                slowestInitializingMs / 1000.0, restarts);
    }
}
