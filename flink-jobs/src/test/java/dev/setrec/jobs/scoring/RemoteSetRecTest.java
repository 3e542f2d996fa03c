package dev.setrec.jobs.scoring;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.setrec.jobs.JobOptions;
import dev.setrec.jobs.records.Ranking;
import dev.setrec.schemas.ItemEvent;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The remote operator against a fake model server that speaks the API of model-server's openapi.yaml. */
class RemoteSetRecTest {
    private static final String TWO_RESULTS = """
            {"results": [
              {"user": "ignored", "items": [{"item_id": "x", "score": 0.9}, {"item_id": "y", "score": 0.5}]},
              {"items": [{"item_id": "z", "score": 0.25}]}
            ], "model_version": "v2"}""";

    private FakeModelServer server;
    private final List<SetRecOperator> opened = new ArrayList<>();

    @BeforeEach
    void startServer() throws IOException {
        server = new FakeModelServer();
    }

    @AfterEach
    void stopAll() throws Exception {
        for (SetRecOperator operator : opened) {
            operator.close();
        }
        server.close();
    }

    private Configuration options() {
        Configuration options = new Configuration();
        options.set(JobOptions.SCORING_MODE, Operators.REMOTE);
        options.set(JobOptions.MODEL_SERVER_URL, server.url());
        return options;
    }

    private SetRecOperator open(Configuration options) throws Exception {
        SetRecOperator operator = Operators.factory(options, null).create();
        opened.add(operator);
        return operator;
    }

    private static List<String[]> histories(String[]... histories) {
        return List.of(histories);
    }

    @Test
    void oneCallPerBatchWithTheApisRequestShapeAndRankingsInOrder() throws Exception {
        server.answer("POST", "/v1/recommend", request -> Answer.ok(TWO_RESULTS));
        SetRecOperator operator = open(options());
        assertEquals("v1", operator.modelVersion(), "read from GET /v1/model at startup");

        List<Ranking> rankings = operator.recommend(histories(new String[] {"a", "b"}, new String[] {"c"}),
                new RankingOptions(3, true, 1));

        List<Recorded> calls = server.requests("POST", "/v1/recommend");
        assertEquals(1, calls.size(), "the whole batch in one call");
        JsonObject sent = JsonParser.parseString(calls.get(0).body()).getAsJsonObject();
        assertEquals(3, sent.get("k").getAsInt());
        assertEquals("all", sent.get("setting").getAsString());
        assertTrue(sent.get("exclude_seen").getAsBoolean());
        assertEquals(1, sent.get("new_item_slots").getAsInt());
        assertEquals(1000, sent.get("deadline_ms").getAsLong(), "the scoring timeout's default");
        JsonArray requests = sent.getAsJsonArray("requests");
        assertEquals(2, requests.size());
        assertEquals(List.of("a", "b"), strings(requests.get(0).getAsJsonObject().getAsJsonArray("history")));
        assertEquals(List.of("c"), strings(requests.get(1).getAsJsonObject().getAsJsonArray("history")));
        assertEquals("application/json", calls.get(0).header("Content-Type"));

        assertEquals(2, rankings.size());
        assertArrayEquals(new String[] {"x", "y"}, rankings.get(0).itemIds());
        assertArrayEquals(new float[] {0.9f, 0.5f}, rankings.get(0).scores());
        assertFalse(rankings.get(0).fallback());
        assertEquals("v2", rankings.get(0).modelVersion(), "the version of the answer that ranked it");
        assertArrayEquals(new String[] {"z"}, rankings.get(1).itemIds(), "fewer than k are kept as they are");
        assertEquals("v2", operator.modelVersion(), "the latest version a response named");
    }

    /** An answer not of the API's shape is an I/O failure (the fallback answers), not a crash of the operator. */
    @Test
    void anAnswerNotOfTheApisShapeFailsTheCallAsIo() throws Exception {
        SetRecOperator operator = open(options());
        for (String malformed : List.of("", "[]", "{\"results\": {}}", "{\"results\": [null]}",
                "{\"results\": [{\"items\": [null]}]}", "{\"results\": [{\"items\": [{\"score\": 1}]}]}")) {
            server.answer("POST", "/v1/recommend", request -> Answer.ok(malformed));
            assertThrows(IOException.class, () -> operator.recommend(histories(new String[] {"a"}),
                    new RankingOptions(3, true, 0)), malformed);
        }
    }

    private static List<String> strings(JsonArray array) {
        List<String> strings = new ArrayList<>();
        array.forEach(element -> strings.add(element.getAsString()));
        return strings;
    }

    @Test
    void refusalsForLoadAreRetriedWithADoublingBackoffThenSucceed() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        server.answer("POST", "/v1/recommend", request -> switch (attempts.incrementAndGet()) {
            // a Retry-After beyond the scoring timeout is not waited for
            case 1 -> Answer.error(503, "model loading").withHeader("Retry-After", "60");
            case 2 -> Answer.error(429, "batch queue full").withHeader("Retry-After", "60");
            default -> Answer.ok(TWO_RESULTS);
        });
        Configuration options = options();
        options.set(JobOptions.MODEL_SERVER_RETRIES, 2);
        options.set(JobOptions.MODEL_SERVER_BACKOFF, Duration.ofMillis(40));
        SetRecOperator operator = open(options);

        List<Ranking> rankings = operator.recommend(histories(new String[] {"a"}, new String[] {"b"}),
                new RankingOptions(2, false, 0));

        assertEquals(2, rankings.size());
        List<Recorded> calls = server.requests("POST", "/v1/recommend");
        assertEquals(3, calls.size());
        long firstGap = calls.get(1).arrivedNanos() - calls.get(0).arrivedNanos();
        long secondGap = calls.get(2).arrivedNanos() - calls.get(1).arrivedNanos();
        assertTrue(firstGap >= TimeUnit.MILLISECONDS.toNanos(40), "first backoff: " + firstGap + " ns");
        assertTrue(secondGap >= TimeUnit.MILLISECONDS.toNanos(80), "doubled: " + secondGap + " ns");
    }

    @Test
    void aBadRequestIsNotRetriedAndTheServersReasonIsInTheException() throws Exception {
        server.answer("POST", "/v1/recommend", request -> Answer.error(400, "k must be at most 100"));
        SetRecOperator operator = open(options());

        RemoteSetRec.RefusedException e = assertThrows(RemoteSetRec.RefusedException.class,
                () -> operator.recommend(histories(new String[] {"a"}), new RankingOptions(500, true, 0)));

        assertEquals(400, e.status());
        assertTrue(e.getMessage().contains("k must be at most 100"), e.getMessage());
        assertEquals(1, server.requests("POST", "/v1/recommend").size());
    }

    @Test
    void givesUpWithinTheScoringTimeoutWhenTheServerStaysOverloaded() throws Exception {
        server.answer("POST", "/v1/recommend", request -> Answer.error(503, "shutting down"));
        Configuration options = withTightBudget(options());
        SetRecOperator operator = open(options);

        long start = System.nanoTime();
        IOException e = assertThrows(IOException.class,
                () -> operator.recommend(histories(new String[] {"a"}), new RankingOptions(5, true, 0)));

        assertWithinBudget(start, options);
        assertTrue(e.getMessage().contains("shutting down"), e.getMessage());
        assertTrue(server.requests("POST", "/v1/recommend").size() > 1, "retried while the budget lasted");
    }

    @Test
    void givesUpWithinTheScoringTimeoutWhenTheServerDoesNotAnswer() throws Exception {
        server.answer("POST", "/v1/recommend", request -> server.hang());
        Configuration options = withTightBudget(options());
        SetRecOperator operator = open(options);

        long start = System.nanoTime();
        assertThrows(IOException.class,
                () -> operator.recommend(histories(new String[] {"a"}), new RankingOptions(5, true, 0)));

        assertWithinBudget(start, options);
    }

    /** Retries that would last far longer than the scoring timeout. */
    private static Configuration withTightBudget(Configuration options) {
        options.set(JobOptions.SCORING_TIMEOUT, Duration.ofSeconds(1));
        options.set(JobOptions.MODEL_SERVER_RETRIES, 1000);
        options.set(JobOptions.MODEL_SERVER_BACKOFF, Duration.ofMillis(5));
        return options;
    }

    private static void assertWithinBudget(long startNanos, Configuration options) {
        Duration took = Duration.ofNanos(System.nanoTime() - startNanos);
        // the margin is for a busy machine; without the budget the call would take minutes
        Duration limit = options.get(JobOptions.SCORING_TIMEOUT).plusSeconds(1);
        assertTrue(took.compareTo(limit) < 0, "took " + took);
    }

    @Test
    void theBearerTokenGoesWithEveryCall() throws Exception {
        server.answer("POST", "/v1/recommend", request -> Answer.ok(TWO_RESULTS));
        Configuration options = options();
        options.set(JobOptions.MODEL_SERVER_TOKEN, "s3cret");
        SetRecOperator operator = open(options);
        operator.recommend(histories(new String[] {"a"}, new String[] {"b"}), new RankingOptions(2, true, 0));
        operator.addItems(List.of(item("new-1")));

        List<Recorded> all = server.requests();
        assertEquals(5, all.size(), "ready, model, items, recommend, onboard: " + all);
        for (Recorded request : all) {
            assertEquals("Bearer s3cret", request.header("Authorization"), request.toString());
        }
    }

    @Test
    void theTokenFileIsReadWhenTheOperatorOpensNotWhenTheJobIsBuilt(@TempDir Path dir) throws Exception {
        Path tokenFile = dir.resolve("token");
        Configuration options = options();
        options.set(JobOptions.MODEL_SERVER_TOKEN_FILE, tokenFile.toString());
        SetRecOperator.Factory shipped = InstantiationUtil.clone(Operators.factory(options, null));
        Files.writeString(tokenFile, "from-the-file\n");

        SetRecOperator operator = shipped.create();
        opened.add(operator);

        List<Recorded> all = server.requests();
        assertFalse(all.isEmpty());
        for (Recorded request : all) {
            assertEquals("Bearer from-the-file", request.header("Authorization"), request.toString());
        }
    }

    @Test
    void aRefusedTokenFailsTheJobOnceWithoutRestarts() {
        server.answer("GET", "/v1/model", request -> Answer.error(401, "missing or wrong token"));
        Configuration options = options();
        options.set(JobOptions.MODEL_SERVER_TOKEN, "wrong");

        SuppressRestartsException e = assertThrows(SuppressRestartsException.class, () -> open(options));

        String message = e.getCause().getMessage();
        assertTrue(message.contains(server.url()) && message.contains("refused the token")
                && message.contains(JobOptions.MODEL_SERVER_TOKEN.key()), message);
    }

    @Test
    void knowsTheServersCatalogueAndARefreshPicksUpNewIds() throws Exception {
        Configuration options = options();
        options.set(JobOptions.MODEL_SERVER_CATALOGUE_REFRESH, Duration.ofMillis(10));
        SetRecOperator operator = open(options);
        assertTrue(operator.knows("a") && operator.knows("c"));
        assertFalse(operator.knows("elsewhere"));

        server.catalogue.add("elsewhere");
        // the next read starts after the add; the one after it starts only once that read is applied
        int readsSoFar = server.requests("GET", "/v1/items").size();
        server.awaitRequests("GET", "/v1/items", readsSoFar + 2);

        assertTrue(operator.knows("elsewhere"));
    }

    @Test
    void aRefreshThatFailsIsLoggedAndTheNextOneStillRuns() throws Exception {
        Configuration options = options();
        options.set(JobOptions.MODEL_SERVER_CATALOGUE_REFRESH, Duration.ofMillis(10));
        SetRecOperator operator = open(options);
        server.answer("GET", "/v1/items", request -> Answer.error(500, "disk full"));

        // the next read fails; the one after it shows that the schedule goes on
        int readsSoFar = server.requests("GET", "/v1/items").size();
        server.awaitRequests("GET", "/v1/items", readsSoFar + 2);

        assertTrue(operator.knows("a"), "the ids read before stay known");
    }

    @Test
    void anOnboardedItemIsPostedWithItsTextAndKnownAtOnce() throws Exception {
        SetRecOperator operator = open(options());
        assertFalse(operator.knows("new-1"));

        operator.addItems(List.of(item("new-1")));
        operator.addItems(List.of(item("new-1")));

        assertTrue(operator.knows("new-1"));
        List<Recorded> posts = server.requests("POST", "/v1/items");
        assertEquals(1, posts.size(), "an item this operator sent with the same text is not sent again");
        JsonObject sent = JsonParser.parseString(posts.get(0).body()).getAsJsonObject()
                .getAsJsonArray("items").get(0).getAsJsonObject();
        assertEquals("new-1", sent.get("item_id").getAsString());
        assertEquals("Wooden train", sent.get("title").getAsString());
        assertEquals(List.of("Toys", "Trains"), strings(sent.getAsJsonArray("categories")));
        assertEquals("Brio", sent.get("brand").getAsString());
        assertEquals("Beech wood, four wagons", sent.get("description").getAsString());
        assertEquals("v3", operator.modelVersion(), "taken from the onboarding answer");
    }

    @Test
    void anItemPublishedAgainWithNewTextIsSentAgain() throws Exception {
        SetRecOperator operator = open(options());
        operator.addItems(List.of(item("new-1")));

        ItemEvent renamed = ItemEvent.newBuilder(item("new-1")).setTitle("Wooden steam train").build();
        operator.addItems(List.of(renamed));

        List<Recorded> posts = server.requests("POST", "/v1/items");
        assertEquals(2, posts.size());
        assertEquals("Wooden steam train", JsonParser.parseString(posts.get(1).body()).getAsJsonObject()
                .getAsJsonArray("items").get(0).getAsJsonObject().get("title").getAsString());
    }

    @Test
    void aHistoryTheServerCannotRankIsMarkedForTheFallback() throws Exception {
        server.answer("POST", "/v1/recommend", request -> Answer.ok("""
                {"results": [{"items": [], "known_items": 0}, {"items": [{"item_id": "a", "score": 1.0}]}],
                 "model_version": "v1"}"""));
        SetRecOperator operator = open(options());

        List<Ranking> rankings = operator.recommend(histories(new String[] {"unknown"}, new String[] {"b"}),
                new RankingOptions(5, true, 0));

        assertTrue(rankings.get(0).fallback(), "no item known: the job's fallback answers");
        assertFalse(rankings.get(1).fallback());
    }

    private static ItemEvent item(String id) {
        return ItemEvent.newBuilder().setItemId(id).setTitle("Wooden train").setCategories(List.of("Toys", "Trains"))
                .setBrand("Brio").setDescription("Beech wood, four wagons").setEventTime(Instant.EPOCH).build();
    }

    @Test
    void aServerAwayAtStartIsNoErrorRankingsFailAtOnceAndItemsWaitUntilItAnswers() throws Exception {
        int port = server.port();
        server.close();
        Configuration options = options();
        options.set(JobOptions.MODEL_SERVER_CATALOGUE_REFRESH, Duration.ofMillis(20));
        SetRecOperator operator = open(options);

        assertFalse(operator.catalogueLoaded(), "nothing read yet: unknown items cannot be told");
        assertEquals(SetRecOperator.UNKNOWN_VERSION, operator.modelVersion());
        assertFalse(operator.available());
        long start = System.nanoTime();
        IOException e = assertThrows(IOException.class,
                () -> operator.recommend(histories(new String[] {"a"}), new RankingOptions(5, true, 0)));
        assertTrue(e.getMessage().contains("has not answered yet"), e.getMessage());
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(1), "failed at once, no waiting");
        operator.addItems(List.of(item("new-1"))); // kept, not refused

        server = new FakeModelServer(port);
        awaitTrue(() -> operator.knows("new-1"), "the kept item onboarded");

        assertTrue(operator.catalogueLoaded());
        assertEquals(1, server.requests("POST", "/v1/items").size());
        assertTrue(operator.knows("a") && operator.knows("new-1"));
        assertEquals("v3", operator.modelVersion());
        assertTrue(operator.available());
    }

    @Test
    void aServerNotReadyAtStartIsUsedOnceReady() throws Exception {
        AtomicInteger readiness = new AtomicInteger();
        server.answer("GET", "/health/ready", request -> readiness.incrementAndGet() < 3
                ? Answer.error(503, "loading the model").withHeader("Retry-After", "5") : Answer.ok("{}"));
        Configuration options = options();
        options.set(JobOptions.MODEL_SERVER_CATALOGUE_REFRESH, Duration.ofMillis(20));
        SetRecOperator operator = open(options);
        assertFalse(operator.catalogueLoaded());

        awaitTrue(operator::catalogueLoaded, "the catalogue read");

        assertTrue(operator.knows("a"));
        assertEquals("v1", operator.modelVersion());
    }

    @Test
    void theFactoryIsSerializableKeyedByTheUrlAndKeepsTheTokenOutOfItsName() throws Exception {
        Configuration options = options();
        options.set(JobOptions.MODEL_SERVER_URL, server.url() + "/");
        options.set(JobOptions.MODEL_SERVER_TOKEN, "s3cret");
        SetRecOperator.Factory factory = Operators.factory(options, null);

        SetRecOperator.Factory shipped = InstantiationUtil.clone(factory);

        assertEquals("remote:" + server.url(), shipped.key(), "a trailing slash does not make another operator");
        assertFalse(shipped.toString().contains("s3cret"), shipped.toString());
    }

    /**
     * A task manager outlives many jobs: a thread the operator started and left running holds the job's classes (its
     * inherited access control context names the job's protection domains) until it ends. The HTTP client's threads
     * end once the client is unreachable, the background thread at close.
     */
    @Test
    void aClosedOperatorLeavesNoThreadRunningOnceUnreachable() throws Exception {
        server.answer("POST", "/v1/recommend", request -> Answer.ok(TWO_RESULTS));
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        SetRecOperator operator = open(options());
        operator.recommend(histories(new String[] {"a"}, new String[] {"c"}), new RankingOptions(3, true, 0));
        operator.close();
        opened.remove(operator);
        operator = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        List<String> left;
        while (!(left = clientThreadsStartedSince(before)).isEmpty()) {
            assertTrue(System.nanoTime() < deadline, "threads of a closed operator still running after 10 s: " + left);
            System.gc();
            Thread.sleep(50);
        }
    }

    /** Live threads not in {@code before} and not the fake server's. */
    private static List<String> clientThreadsStartedSince(Set<Thread> before) {
        return Thread.getAllStackTraces().keySet().stream().filter(thread -> !before.contains(thread))
                .map(Thread::getName).filter(name -> !name.startsWith(FakeModelServer.THREADS)).sorted().toList();
    }

    /** Polls until the condition holds; fails the test after 5 s. */
    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what + ": not within 5 s");
            Thread.sleep(5);
        }
    }

    /** One request as the fake server saw it. */
    record Recorded(String method, String path, Map<String, String> headers, String body, long arrivedNanos) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** What the fake server answers: a status, a JSON body, extra headers. */
    record Answer(int status, String body, Map<String, String> headers) {
        static Answer ok(String json) {
            return new Answer(200, json, Map.of());
        }

        static Answer error(int status, String reason) {
            JsonObject error = new JsonObject();
            error.addProperty("error", reason);
            return new Answer(status, error.toString(), Map.of());
        }

        Answer withHeader(String name, String value) {
            return new Answer(status, body, Map.of(name, value));
        }
    }

    /**
     * A model server on an ephemeral loopback port: ready, version v1, catalogue a, b, c, onboarding accepted;
     * {@link #answer} replaces the answer of one method and path. It records every request.
     */
    static final class FakeModelServer implements AutoCloseable {
        final List<String> catalogue = new CopyOnWriteArrayList<>(List.of("a", "b", "c"));
        private final Map<String, Function<Recorded, Answer>> answers = new ConcurrentHashMap<>();
        private final List<Recorded> requests = new ArrayList<>();
        /** Holds the handlers of {@link #hang} until the server closes. */
        private final CountDownLatch closing = new CountDownLatch(1);
        /** How the names of the fake server's threads start. */
        static final String THREADS = "fake-model-server";
        private final ExecutorService handlers = Executors.newCachedThreadPool(task -> new Thread(task, THREADS));
        private final HttpServer http;

        FakeModelServer() throws IOException {
            this(0);
        }

        /** On {@code port} (0: a free one). */
        FakeModelServer(int port) throws IOException {
            answer("GET", "/health/ready", request -> Answer.ok("{}"));
            answer("GET", "/v1/model", request -> Answer.ok("{\"version\": \"v1\", \"items\": 3, \"ready\": true}"));
            answer("GET", "/v1/items", request -> {
                JsonObject items = new JsonObject();
                items.addProperty("model_version", "v1");
                items.addProperty("count", catalogue.size());
                JsonArray ids = new JsonArray();
                catalogue.forEach(ids::add);
                items.add("item_ids", ids);
                return Answer.ok(items.toString());
            });
            answer("POST", "/v1/items", request -> Answer.ok("{\"model_version\": \"v3\", \"items\": "
                    + "[{\"item_id\": \"new-1\", \"row\": 3, \"added\": true}]}"));
            http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
            http.createContext("/", this::handle);
            http.setExecutor(handlers);
            http.start();
        }

        String url() {
            return "http://127.0.0.1:" + port();
        }

        int port() {
            return http.getAddress().getPort();
        }

        void answer(String method, String path, Function<Recorded, Answer> answer) {
            answers.put(method + " " + path, answer);
        }

        /** An answer that never comes (until the server closes). */
        Answer hang() {
            try {
                closing.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Answer.error(503, "closed");
        }

        private void handle(HttpExchange exchange) throws IOException {
            Map<String, String> headers = new ConcurrentHashMap<>();
            exchange.getRequestHeaders().forEach((name, values) ->
                    headers.put(name.toLowerCase(Locale.ROOT), values.get(0)));
            Recorded request = new Recorded(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), headers,
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8), System.nanoTime());
            synchronized (requests) {
                requests.add(request);
                requests.notifyAll();
            }
            Function<Recorded, Answer> answerer = answers.get(request.method() + " " + request.path());
            Answer answer = answerer != null ? answerer.apply(request) : Answer.error(404, "unknown path");
            byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
            answer.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(answer.status(), body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }

        List<Recorded> requests() {
            synchronized (requests) {
                return List.copyOf(requests);
            }
        }

        List<Recorded> requests(String method, String path) {
            return requests().stream().filter(r -> r.method().equals(method) && r.path().equals(path)).toList();
        }

        /** Waits until {@code count} requests for the method and path have arrived (fails the test after 5 s). */
        void awaitRequests(String method, String path, int count) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            synchronized (requests) {
                while (requests(method, path).size() < count) {
                    long left = deadline - System.nanoTime();
                    assertTrue(left > 0, "waited 5 s for " + count + " " + method + " " + path);
                    TimeUnit.NANOSECONDS.timedWait(requests, left);
                }
            }
        }

        @Override
        public void close() {
            closing.countDown();
            http.stop(0);
            handlers.shutdownNow();
        }
    }
}
