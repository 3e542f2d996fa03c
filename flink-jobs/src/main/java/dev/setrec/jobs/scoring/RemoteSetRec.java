package dev.setrec.jobs.scoring;

import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonWriter;
import dev.setrec.jobs.JobOptions;
import dev.setrec.jobs.records.Ranking;
import dev.setrec.schemas.ItemEvent;
import org.apache.flink.configuration.ReadableConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * SETRec on the model server ({@code ./setrec serve}) over its HTTP/JSON API (model-server's openapi.yaml): one
 * POST /v1/recommend per micro-batch, which the server merges again with the batches of other task managers.
 * The catalogue's ids are mirrored in a local set, re-read periodically for items onboarded elsewhere, so that
 * {@link #knows}, asked for every interaction, never goes over the network.
 */
public final class RemoteSetRec implements SetRecOperator {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteSetRec.class);
    /** Startup checks and catalogue reads: off the hot path, and a large catalogue takes a while to send. */
    private static final Budget CONTROL = new Budget(Duration.ofSeconds(30), 0);

    /** How long one call may take in all, retries and their waits included, and how many retries fit in that. */
    private record Budget(Duration total, int retries) {
    }

    /** Refused by the server: its status and its {@code error} text. */
    public static final class RefusedException extends IOException {
        private final int status;
        private final String reason;

        RefusedException(String call, int status, String reason) {
            super(call + ": " + status + " " + reason);
            this.status = status;
            this.reason = reason;
        }

        public int status() {
            return status;
        }

        public String reason() {
            return reason;
        }
    }

    /** Reads one JSON value. */
    @FunctionalInterface
    private interface ValueReader {
        void read(JsonReader json) throws IOException;
    }

    /** Writes one JSON request body. */
    @FunctionalInterface
    private interface BodyWriter {
        void write(JsonWriter json) throws IOException;
    }

    private final ServerFactory server;
    /** "model server URL": how every error message starts. */
    private final String label;
    private final Budget scoring;
    private final HttpClient http;
    /** Only grows: the server ignores unknown ids in a history, whereas a dropped id would dead-letter events. */
    private final Set<String> known = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService catalogueRefresh;
    private volatile String modelVersion;

    /** A factory for the model server of the options: {@code setrec.model-server.*} and the scoring timeout. */
    public static Factory factory(ReadableConfig options) {
        String url = options.get(JobOptions.MODEL_SERVER_URL).strip().replaceAll("/+$", "");
        URI uri = URI.create(url);
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
            throw new IllegalArgumentException(JobOptions.MODEL_SERVER_URL.key() + " must be an http(s) URL, not "
                    + url);
        }
        int retries = options.get(JobOptions.MODEL_SERVER_RETRIES);
        Duration refresh = options.get(JobOptions.MODEL_SERVER_CATALOGUE_REFRESH);
        if (retries < 0 || refresh.toMillis() < 1) {
            throw new IllegalArgumentException(JobOptions.MODEL_SERVER_RETRIES.key() + " must not be negative and "
                    + JobOptions.MODEL_SERVER_CATALOGUE_REFRESH.key() + " at least a millisecond");
        }
        return new ServerFactory(url, options.getOptional(JobOptions.MODEL_SERVER_TOKEN).orElse(null), retries,
                options.get(JobOptions.MODEL_SERVER_BACKOFF), options.get(JobOptions.SCORING_TIMEOUT), refresh);
    }

    private record ServerFactory(String url, String token, int retries, Duration backoff, Duration timeout,
                                 Duration catalogueRefresh) implements Factory {
        @Override
        public String key() {
            return "remote:" + url;
        }

        @Override
        public SetRecOperator create() throws IOException, InterruptedException {
            return new RemoteSetRec(this);
        }

        /** Without the token: job graphs and their factories end up in logs. */
        @Override
        public String toString() {
            return "RemoteSetRec.Factory[" + url + (token == null ? "" : ", with a token") + "]";
        }
    }

    /** Checks that the server is ready and takes the token, reads its model version and catalogue. */
    private RemoteSetRec(ServerFactory server) throws IOException, InterruptedException {
        this.server = server;
        this.label = "model server " + server.url();
        this.scoring = new Budget(server.timeout(), server.retries());
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(server.timeout())
                .build();
        requireReady();
        try {
            readAnswer(exchange(request("/v1/model").GET(), CONTROL), "version",
                    json -> modelVersion = json.nextString());
            readCatalogue();
        } catch (RefusedException e) {
            if (e.status() != 401) {
                throw e;
            }
            throw new IOException(label + (server.token() == null ? " wants a bearer token: set "
                    : " refused the token of ") + JobOptions.MODEL_SERVER_TOKEN.key(), e);
        }
        if (modelVersion == null) {
            throw new IOException(label + ": GET /v1/model named no version");
        }
        catalogueRefresh = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "setrec-catalogue-refresh");
            thread.setDaemon(true);
            return thread;
        });
        long period = server.catalogueRefresh().toMillis();
        catalogueRefresh.scheduleWithFixedDelay(this::refreshCatalogue, period, period, TimeUnit.MILLISECONDS);
    }

    /** Fails at once, naming the server, where it does not answer or is not ready: the job would only fall back. */
    private void requireReady() throws IOException, InterruptedException {
        try {
            exchange(request("/health/ready").GET(), CONTROL);
        } catch (RefusedException e) {
            throw new IOException(label + " is not ready (" + e.status() + " " + e.reason()
                    + ")", e);
        } catch (IOException e) {
            throw new IOException(label + " is unreachable (" + e.getCause() + ")", e);
        }
    }

    @Override
    public List<Ranking> recommend(List<String[]> histories, RankingOptions ranking)
            throws IOException, InterruptedException {
        int k = ranking.k();
        if (histories.isEmpty()) {
            return List.of(); // the API refuses a call without requests
        }
        String body = json(out -> {
            out.beginObject().name("k").value(k).name("setting").value("all")
                    .name("exclude_seen").value(ranking.excludeSeen()).name("new_item_slots").value(ranking.newItemSlots())
                    .name("deadline_ms").value(scoring.total().toMillis()).name("requests").beginArray();
            for (String[] history : histories) {
                out.beginObject().name("history").beginArray();
                for (String item : history) {
                    out.value(item);
                }
                out.endArray().endObject();
            }
            out.endArray().endObject();
        });
        List<Ranking> rankings = new ArrayList<>(histories.size());
        readAnswer(exchange(post("/v1/recommend", body), scoring), "results", json -> {
            json.beginArray();
            while (json.hasNext()) {
                rankings.add(readRanking(json, k));
            }
            json.endArray();
        });
        if (rankings.size() != histories.size()) {
            throw new IOException(label + " answered " + rankings.size() + " results for "
                    + histories.size() + " histories");
        }
        return rankings;
    }

    /** One result, {@code {"items": [{"item_id": ..., "score": ...}, ...]}}, best first. */
    private static Ranking readRanking(JsonReader json, int k) throws IOException {
        String[] ids = new String[k];
        float[] scores = new float[k];
        int n = 0;
        json.beginObject();
        while (json.hasNext()) {
            if (!json.nextName().equals("items")) {
                json.skipValue();
                continue;
            }
            json.beginArray();
            while (json.hasNext()) {
                if (n == k) {
                    throw new IOException("more than the " + k + " items asked for");
                }
                json.beginObject();
                while (json.hasNext()) {
                    switch (json.nextName()) {
                        case "item_id" -> ids[n] = json.nextString();
                        case "score" -> scores[n] = (float) json.nextDouble();
                        default -> json.skipValue();
                    }
                }
                json.endObject();
                if (ids[n++] == null) {
                    throw new IOException("a ranked item without item_id");
                }
            }
            json.endArray();
        }
        json.endObject();
        return n == k ? new Ranking(ids, scores, false)
                : new Ranking(Arrays.copyOf(ids, n), Arrays.copyOf(scores, n), false);
    }

    @Override
    public boolean knows(String itemId) {
        return known.contains(itemId);
    }

    /** Onboards the item on the server (which tokenizes its text), unless this task manager already knows it. */
    @Override
    public void addItem(ItemEvent item) throws IOException, InterruptedException {
        if (known.contains(item.getItemId())) {
            return; // every parallel instance sees each item event: one call per task manager is enough
        }
        String body = json(out -> {
            out.beginObject().name("items").beginArray().beginObject()
                    .name("item_id").value(item.getItemId())
                    .name("title").value(item.getTitle())
                    .name("categories").beginArray();
            for (String category : item.getCategories()) {
                out.value(category);
            }
            out.endArray()
                    .name("brand").value(item.getBrand())
                    .name("description").value(item.getDescription())
                    .endObject().endArray().endObject();
        });
        readAnswer(exchange(post("/v1/items", body), scoring), "items", JsonReader::skipValue); // for its version
        known.add(item.getItemId());
    }

    @Override
    public String modelVersion() {
        return modelVersion;
    }

    /** Stops the catalogue refresh (interrupting one in flight); the HTTP client needs no closing. */
    @Override
    public void close() {
        catalogueRefresh.shutdownNow();
    }

    private void readCatalogue() throws IOException, InterruptedException {
        readAnswer(exchange(request("/v1/items").GET(), CONTROL), "item_ids", json -> {
            json.beginArray();
            while (json.hasNext()) {
                known.add(json.nextString());
            }
            json.endArray();
        });
    }

    /** The scheduled re-read: a failure is logged, and the next one tries again (a thrown one ends the schedule). */
    private void refreshCatalogue() {
        try {
            readCatalogue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not re-read the item ids: {}", e.getMessage());
        }
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.url() + path))
                .header("Accept", "application/json");
        if (server.token() != null) {
            request.header("Authorization", "Bearer " + server.token());
        }
        return request;
    }

    private HttpRequest.Builder post(String path, String json) {
        return request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
    }

    /**
     * The body of the server's 200 answer. I/O failures and refusals for load (429, 503) are retried with a
     * doubling backoff while the budget lasts; the server's Retry-After is waited for only where it fits in what
     * is left. Any other refusal is thrown at once.
     */
    private String exchange(HttpRequest.Builder request, Budget budget) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + budget.total().toNanos();
        long backoff = server.backoff().toNanos();
        for (int attempt = 0; ; attempt++) {
            HttpRequest sent = request.timeout(Duration.ofNanos(deadline - System.nanoTime())).build();
            String call = label + ": " + sent.method() + " " + sent.uri().getPath();
            IOException failure;
            long serverWait = 0;
            try {
                HttpResponse<String> response = http.send(sent, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return response.body();
                }
                failure = new RefusedException(call, response.statusCode(), errorText(response.body()));
                serverWait = retryAfterNanos(response);
            } catch (IOException e) {
                failure = new IOException(call + ": " + e, e);
            }
            if (failure instanceof RefusedException refused && refused.status() != 429 && refused.status() != 503) {
                throw refused;
            }
            long left = deadline - System.nanoTime();
            long wait = serverWait < left ? Math.max(backoff, serverWait) : backoff;
            if (attempt == budget.retries() || wait >= left) {
                throw failure;
            }
            TimeUnit.NANOSECONDS.sleep(wait);
            if (System.nanoTime() >= deadline) {
                throw failure; // overslept: no time left for another attempt
            }
            backoff = Math.min(2 * backoff, budget.total().toNanos());
        }
    }

    /** The {@code error} of the API's error body, else the body as it is. */
    private static String errorText(String body) {
        try {
            JsonElement error = JsonParser.parseString(body).getAsJsonObject().get("error");
            if (error != null && error.isJsonPrimitive()) {
                return error.getAsString();
            }
        } catch (JsonParseException | IllegalStateException notTheApisError) {
            // a proxy's page, say: shown as it is
        }
        return body;
    }

    /** The Retry-After header's seconds (the API sends whole seconds), 0 where there is none. */
    private static long retryAfterNanos(HttpResponse<?> response) {
        try {
            return TimeUnit.SECONDS.toNanos(response.headers().firstValueAsLong("Retry-After").orElse(0));
        } catch (NumberFormatException notSeconds) {
            return 0;
        }
    }

    private static String json(BodyWriter body) throws IOException {
        StringWriter text = new StringWriter();
        try (JsonWriter json = new JsonWriter(text)) {
            body.write(json);
        }
        return text.toString();
    }

    /**
     * Reads the value of an answer's {@code field} with {@code value}, skipping the other fields; every answer's
     * {@code model_version} becomes the version this operator reports.
     */
    private void readAnswer(String body, String field, ValueReader value) throws IOException {
        try (JsonReader json = new JsonReader(new StringReader(body))) {
            json.beginObject();
            while (json.hasNext()) {
                String name = json.nextName();
                if (name.equals("model_version")) {
                    modelVersion = json.nextString();
                } else if (name.equals(field)) {
                    value.read(json);
                } else {
                    json.skipValue();
                }
            }
            json.endObject();
        } catch (IOException | IllegalStateException | NumberFormatException e) {
            throw new IOException(label + ": malformed answer: " + e.getMessage(), e);
        }
    }
}
