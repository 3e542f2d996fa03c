package dev.setrec.jobs.scoring;

import com.google.gson.JsonParseException;
import dev.setrec.api.ApiJson;
import dev.setrec.api.ErrorBody;
import dev.setrec.api.Item;
import dev.setrec.api.ItemIds;
import dev.setrec.api.ItemsRequest;
import dev.setrec.api.ItemsResponse;
import dev.setrec.api.ModelInfo;
import dev.setrec.api.RecommendRequest;
import dev.setrec.api.RecommendResponse;
import dev.setrec.jobs.JobOptions;
import dev.setrec.jobs.records.Ranking;
import dev.setrec.schemas.ItemEvent;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
 *
 * <p>The server may be away: when the job starts, restarts or at any time later. Creating the operator never waits
 * for it (only a server that refuses the token fails the job: that does not mend itself); until it has answered,
 * rankings fail at once (the job's fallback answers) and interactions are not checked against the catalogue. Items
 * published while the server is away are kept and onboarded when it answers again.
 */
public final class RemoteSetRec implements SetRecOperator {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteSetRec.class);
    /** Startup checks and catalogue reads: off the hot path, and a large catalogue takes a while to send. */
    private static final Budget CONTROL = new Budget(Duration.ofSeconds(30), 0);
    /** How long the circuit breaker's readiness check may take: it runs on the batcher's thread. */
    private static final Duration AVAILABILITY_TIMEOUT = Duration.ofMillis(300);
    /** Items per POST /v1/items when kept items are sent. */
    private static final int ONBOARD_CHUNK = 256;

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

    private final ServerFactory server;
    private final ModelServerEndpoint endpoint;
    /** "model server URL": how every error message starts. */
    private final String label;
    private final Budget scoring;
    private final HttpClient http;
    /** Only grows: the server ignores unknown ids in a history, whereas a dropped id would dead-letter events. */
    private final Set<String> known = ConcurrentHashMap.newKeySet();
    /** Items this task manager sent, by id: the hash of the text sent, so that only new text is sent again. */
    private final Map<String, Integer> sentText = new ConcurrentHashMap<>();
    /** Items to onboard once the server answers, by id (the newest text wins). */
    private final Map<String, ItemEvent> pending = new LinkedHashMap<>();
    private final ScheduledExecutorService background;
    private volatile boolean connected;
    private volatile String modelVersion = UNKNOWN_VERSION;

    /**
     * A factory for the model server of the options: {@code setrec.model-server.*} and the scoring timeout. Where the
     * server is and its token are resolved on the task manager ({@link ModelServerEndpoint}).
     */
    public static Factory factory(ReadableConfig options) {
        int retries = options.get(JobOptions.MODEL_SERVER_RETRIES);
        Duration refresh = options.get(JobOptions.MODEL_SERVER_CATALOGUE_REFRESH);
        if (retries < 0 || refresh.toMillis() < 1) {
            throw new IllegalArgumentException(JobOptions.MODEL_SERVER_RETRIES.key() + " must not be negative and "
                    + JobOptions.MODEL_SERVER_CATALOGUE_REFRESH.key() + " at least a millisecond");
        }
        return new ServerFactory(ModelServerEndpoint.Settings.of(options), retries,
                options.get(JobOptions.MODEL_SERVER_BACKOFF), options.get(JobOptions.SCORING_TIMEOUT), refresh);
    }

    private record ServerFactory(ModelServerEndpoint.Settings endpoint, int retries, Duration backoff,
                                 Duration timeout, Duration catalogueRefresh) implements Factory {
        @Override
        public String key() {
            return "remote:" + endpoint.url(System.getenv());
        }

        @Override
        public SetRecOperator create() throws IOException, InterruptedException {
            return new RemoteSetRec(this, endpoint.resolve(System.getenv()));
        }
    }

    /**
     * Tries the server once: where it answers, reads its model version and catalogue; where it refuses the token,
     * fails; where it is away or not ready, goes on and keeps trying in the background.
     */
    private RemoteSetRec(ServerFactory server, ModelServerEndpoint endpoint)
            throws IOException, InterruptedException {
        this.server = server;
        this.endpoint = endpoint;
        this.label = "model server " + endpoint.url();
        this.scoring = new Budget(server.timeout(), server.retries());
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(server.timeout())
                .build();
        background = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "setrec-model-server");
            thread.setDaemon(true);
            return thread;
        });
        try {
            connect();
        } catch (RefusedException e) {
            if (e.status() == 401) {
                background.shutdownNow();
                throw new SuppressRestartsException(new IOException(label + (endpoint.token() == null
                        ? " wants a bearer token and has none: " : " refused the token: ")
                        + ModelServerEndpoint.TOKEN_SOURCES, e));
            }
            LOG.warn("{} does not answer yet ({}): recommendations fall back to popularity until it does", label,
                    e.getMessage());
        } catch (IOException e) {
            LOG.warn("{} does not answer yet ({}): recommendations fall back to popularity until it does", label,
                    e.getMessage());
        }
        long period = server.catalogueRefresh().toMillis();
        background.scheduleWithFixedDelay(this::keepInStep, period, period, TimeUnit.MILLISECONDS);
    }

    /** Checks that the server is ready and takes the token, reads its model version and catalogue. */
    private void connect() throws IOException, InterruptedException {
        // readiness with the scoring budget: a server that hangs must not hold up a task's start for long
        exchange(request("/health/ready").GET(), new Budget(server.timeout(), 0));
        ModelInfo info = answer(exchange(request("/v1/model").GET(), CONTROL), ModelInfo.class);
        if (info.version() != null) {
            modelVersion = info.version();
        }
        readCatalogue();
        if (!connected) {
            connected = true;
            LOG.info("{} answers: model version {}", label, modelVersion);
        }
    }

    /**
     * The background schedule: connects while the server has not answered, re-reads the catalogue (items
     * onboarded elsewhere) and onboards the items kept while the server was away. A failure is logged, and the next
     * round tries again (a thrown one would end the schedule).
     */
    private void keepInStep() {
        try {
            if (connected) {
                readCatalogue();
            } else {
                connect();
            }
            onboardPending();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            LOG.warn("{}: {}", label, e.getMessage());
        }
    }

    @Override
    public List<Ranking> recommend(List<String[]> histories, RankingOptions ranking)
            throws IOException, InterruptedException {
        int k = ranking.k();
        if (histories.isEmpty()) {
            return List.of(); // the API refuses a call without requests
        }
        if (!connected) {
            throw new IOException(label + " has not answered yet");
        }
        List<RecommendRequest.Query> queries = new ArrayList<>(histories.size());
        for (String[] history : histories) {
            queries.add(new RecommendRequest.Query(null, Arrays.asList(history), null));
        }
        RecommendRequest request = new RecommendRequest(k, "all", ranking.excludeSeen(), ranking.newItemSlots(),
                (int) Math.min(Integer.MAX_VALUE, scoring.total().toMillis()), queries);
        RecommendResponse answer = answer(exchange(post("/v1/recommend", request), scoring), RecommendResponse.class);
        versionOf(answer.modelVersion());
        String version = answer.modelVersion() != null ? answer.modelVersion() : modelVersion;
        List<RecommendResponse.Result> results = Objects.requireNonNullElse(answer.results(), List.of());
        if (results.size() != histories.size()) {
            throw new IOException(label + " answered " + results.size() + " results for "
                    + histories.size() + " histories");
        }
        List<Ranking> rankings = new ArrayList<>(results.size());
        for (RecommendResponse.Result result : results) {
            rankings.add(ranking(result, k, version));
        }
        return rankings;
    }

    /** One result's items, best first, ranked by the model of {@code version}. */
    private Ranking ranking(RecommendResponse.Result result, int k, String version) throws IOException {
        if (result == null) {
            throw new IOException(label + ": malformed answer: a result that is null");
        }
        List<RecommendResponse.ScoredItem> items = Objects.requireNonNullElse(result.items(), List.of());
        if (items.size() > k) {
            throw new IOException(label + ": malformed answer: more than the " + k + " items asked for");
        }
        if (items.isEmpty()) {
            return Ranking.UNRANKED; // the server knows none of the history's items
        }
        String[] ids = new String[items.size()];
        float[] scores = new float[items.size()];
        for (int i = 0; i < ids.length; i++) {
            RecommendResponse.ScoredItem item = items.get(i);
            if (item == null || item.itemId() == null) {
                throw new IOException(label + ": malformed answer: a ranked item without item_id");
            }
            ids[i] = item.itemId();
            scores[i] = item.score();
        }
        return new Ranking(ids, scores, false, version);
    }

    @Override
    public boolean knows(String itemId) {
        return known.contains(itemId);
    }

    @Override
    public boolean catalogueLoaded() {
        return connected;
    }

    /**
     * Onboards the items on the server (which tokenizes their text), except those this task manager sent before
     * with the same text (every parallel instance sees each item event). Where the server is away or overloaded the
     * items are kept and sent when it answers; a refusal (a bad item) is thrown.
     */
    @Override
    public void addItems(List<ItemEvent> items) throws IOException, InterruptedException {
        List<ItemEvent> toSend = new ArrayList<>();
        for (ItemEvent item : items) {
            Integer sent = sentText.get(item.getItemId());
            if (sent == null || sent != textHash(item)) {
                toSend.add(item);
            }
        }
        if (toSend.isEmpty()) {
            return;
        }
        if (!connected) {
            keep(toSend);
            return;
        }
        try {
            post(toSend);
        } catch (RefusedException e) {
            if (e.status() != 429 && e.status() != 503) {
                throw e;
            }
            keep(toSend);
        } catch (IOException e) {
            keep(toSend);
        }
    }

    private void keep(List<ItemEvent> items) {
        synchronized (pending) {
            for (ItemEvent item : items) {
                pending.put(item.getItemId(), item);
            }
        }
        LOG.warn("{} is away: {} items kept to onboard when it answers", label, items.size());
    }

    /** Sends the kept items; a chunk the server refuses is logged and dropped (it was checked when published). */
    private void onboardPending() throws IOException, InterruptedException {
        List<ItemEvent> items;
        synchronized (pending) {
            items = new ArrayList<>(pending.values());
        }
        for (int from = 0; from < items.size(); from += ONBOARD_CHUNK) {
            List<ItemEvent> chunk = items.subList(from, Math.min(items.size(), from + ONBOARD_CHUNK));
            try {
                post(chunk);
            } catch (RefusedException e) {
                if (e.status() == 429 || e.status() == 503) {
                    throw e;
                }
                LOG.error("{} refused {} kept items, dropped: {}", label, chunk.size(), e.getMessage());
            }
            synchronized (pending) {
                chunk.forEach(item -> pending.remove(item.getItemId(), item));
            }
        }
    }

    /** One POST /v1/items with the items' text; each is known (and not sent again with this text) once it is in. */
    private void post(List<ItemEvent> items) throws IOException, InterruptedException {
        List<Item> sent = new ArrayList<>(items.size());
        for (ItemEvent item : items) {
            sent.add(new Item(item.getItemId(), item.getTitle(), item.getCategories(), item.getBrand(),
                    item.getDescription()));
        }
        // read for its version
        versionOf(answer(exchange(post("/v1/items", new ItemsRequest(sent)), scoring), ItemsResponse.class)
                .modelVersion());
        for (ItemEvent item : items) {
            known.add(item.getItemId());
            sentText.put(item.getItemId(), textHash(item));
        }
    }

    private static int textHash(ItemEvent item) {
        return Objects.hash(item.getTitle(), item.getCategories(), item.getBrand(), item.getDescription());
    }

    /** Whether the server says it is ready, asked with a short timeout (the circuit breaker's check). */
    @Override
    public boolean available() {
        if (!connected) {
            return false;
        }
        try {
            exchange(request("/health/ready").GET(), new Budget(AVAILABILITY_TIMEOUT, 0));
            return true;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public String modelVersion() {
        return modelVersion;
    }

    /** Stops the background schedule (interrupting a call in flight); the HTTP client needs no closing. */
    @Override
    public void close() {
        background.shutdownNow();
    }

    private void readCatalogue() throws IOException, InterruptedException {
        ItemIds catalogue = answer(exchange(request("/v1/items").GET(), CONTROL), ItemIds.class);
        versionOf(catalogue.modelVersion());
        List<String> ids = Objects.requireNonNullElse(catalogue.itemIds(), List.of());
        if (ids.contains(null)) {
            throw new IOException(label + ": malformed answer: a null among the catalogue's item ids");
        }
        known.addAll(ids);
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(endpoint.url() + path))
                .header("Accept", "application/json");
        if (endpoint.token() != null) {
            request.header("Authorization", "Bearer " + endpoint.token());
        }
        return request;
    }

    private HttpRequest.Builder post(String path, Record body) {
        return request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(ApiJson.write(body)));
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
            String error = ApiJson.read(body, ErrorBody.class).error();
            if (error != null) {
                return error;
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

    /** The server's 200 answer read into its record. */
    private <T extends Record> T answer(String body, Class<T> type) throws IOException {
        try {
            return ApiJson.read(body, type);
        } catch (JsonParseException | IllegalStateException | NumberFormatException e) {
            throw new IOException(label + ": malformed answer: " + e.getMessage(), e);
        }
    }

    /** Every answer's {@code model_version} becomes the version this operator reports. */
    private void versionOf(String answered) {
        if (answered != null) {
            modelVersion = answered;
        }
    }
}
