package dev.setrec.cluster.harness;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** What the tests read from a Flink cluster's REST API (the job manager's, rest.port). */
public final class FlinkRest {
    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public FlinkRest(URI base) {
        this.base = base;
    }

    /** The JSON object GET {@code path} answers; fails on any status but 200. */
    public JsonObject get(String path) {
        return fetch(path).getAsJsonObject();
    }

    private JsonElement fetch(String path) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(base.resolve(path))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("GET " + path + ": " + response.statusCode() + " " + response.body());
            }
            return JsonParser.parseString(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + base.resolve(path), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** The ids of the jobs the job manager knows that have not reached a terminal state. */
    public Set<String> unendedJobs() {
        Set<String> ids = new HashSet<>();
        for (JsonElement job : get("/jobs").getAsJsonArray("jobs")) {
            String status = job.getAsJsonObject().get("status").getAsString();
            if (!Set.of("FINISHED", "CANCELED", "FAILED").contains(status)) {
                ids.add(job.getAsJsonObject().get("id").getAsString());
            }
        }
        return ids;
    }

    /** The resource ids of the task managers registered with the job manager. */
    public Set<String> taskManagers() {
        Set<String> ids = new HashSet<>();
        for (JsonElement tm : get("/taskmanagers").getAsJsonArray("taskmanagers")) {
            ids.add(tm.getAsJsonObject().get("id").getAsString());
        }
        return ids;
    }

    /** The job's status (RUNNING, RESTARTING, FINISHED, ...). */
    public String jobState(String jobId) {
        return get("/jobs/" + jobId).get("state").getAsString();
    }

    /** True once the job runs and every one of its subtasks does. */
    public boolean allTasksRunning(String jobId) {
        JsonObject job = get("/jobs/" + jobId);
        if (!"RUNNING".equals(job.get("state").getAsString())) {
            return false;
        }
        for (JsonElement vertex : job.getAsJsonArray("vertices")) {
            JsonObject counts = vertex.getAsJsonObject().getAsJsonObject("tasks");
            int parallelism = vertex.getAsJsonObject().get("parallelism").getAsInt();
            if (counts.get("RUNNING").getAsInt() != parallelism) {
                return false;
            }
        }
        return true;
    }

    /** The highest parallelism of the job's vertices (its sources' may be lower). */
    public int parallelism(String jobId) {
        int parallelism = 0;
        for (JsonElement vertex : get("/jobs/" + jobId).getAsJsonArray("vertices")) {
            parallelism = Math.max(parallelism, vertex.getAsJsonObject().get("parallelism").getAsInt());
        }
        return parallelism;
    }

    /** One line per failure Flink recorded for the job: what failed, where, and the exception's first line. */
    public List<String> failures(String jobId) {
        List<String> failures = new ArrayList<>();
        JsonObject history = get("/jobs/" + jobId + "/exceptions").getAsJsonObject("exceptionHistory");
        for (JsonElement entry : history.getAsJsonArray("entries")) {
            JsonObject e = entry.getAsJsonObject();
            String stack = e.get("stacktrace").getAsString();
            failures.add(text(e, "taskName") + " on " + text(e, "endpoint") + ": "
                    + stack.lines().findFirst().orElse(""));
        }
        return failures;
    }

    /** The task managers that run a subtask of the job. */
    public Set<String> taskManagersOf(String jobId) {
        Set<String> ids = new HashSet<>();
        for (JsonElement vertex : get("/jobs/" + jobId).getAsJsonArray("vertices")) {
            String vertexId = vertex.getAsJsonObject().get("id").getAsString();
            for (JsonElement subtask : get("/jobs/" + jobId + "/vertices/" + vertexId)
                    .getAsJsonArray("subtasks")) {
                ids.add(subtask.getAsJsonObject().get("taskmanager-id").getAsString());
            }
        }
        return ids;
    }

    /** The id of the job's latest completed checkpoint, if any. */
    public Optional<Long> latestCheckpoint(String jobId) {
        JsonElement completed = get("/jobs/" + jobId + "/checkpoints").getAsJsonObject("latest").get("completed");
        return completed == null || completed.isJsonNull() ? Optional.empty()
                : Optional.of(completed.getAsJsonObject().get("id").getAsLong());
    }

    /** The id of the checkpoint the job's current run was restored from, if it was restored from one. */
    public Optional<Long> restoredCheckpoint(String jobId) {
        JsonElement restored = get("/jobs/" + jobId + "/checkpoints").getAsJsonObject("latest").get("restored");
        return restored == null || restored.isJsonNull() ? Optional.empty()
                : Optional.of(restored.getAsJsonObject().get("id").getAsLong());
    }

    /** A metric of a task manager ({@code /taskmanagers/ID/metrics}), if it reports one. */
    public Optional<Double> taskManagerMetric(String taskManager, String metric) {
        return metric(fetch("/taskmanagers/" + taskManager + "/metrics?get=" + metric).getAsJsonArray());
    }

    /** A metric of the job manager. */
    public Optional<Double> jobManagerMetric(String metric) {
        return metric(fetch("/jobmanager/metrics?get=" + metric).getAsJsonArray());
    }

    /** A metrics answer: [{"id": ..., "value": ...}], empty where the metric is not (yet) reported. */
    private static Optional<Double> metric(JsonArray values) {
        return values.isEmpty() ? Optional.empty()
                : Optional.of(values.get(0).getAsJsonObject().get("value").getAsDouble());
    }

    private static String text(JsonObject object, String key) {
        JsonElement value = object.get(key);
        return value == null || value.isJsonNull() ? "-" : value.getAsString();
    }
}
