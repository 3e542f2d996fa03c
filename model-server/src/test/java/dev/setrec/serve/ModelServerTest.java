package dev.setrec.serve;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.setrec.serve.ApiClient.Reply;
import dev.setrec.testing.TinyModels;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(120)
class ModelServerTest extends TinyModelsSetup {
    final TinyModels.HashEncoder encoder = new TinyModels.HashEncoder();
    final ByteArrayOutputStream logged = new ByteArrayOutputStream();
    ModelServer server;
    ApiClient api;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    ModelServer start(ServerConfig config) throws IOException {
        server = ModelServer.start(first, config, encoder, new PrintStream(logged, true));
        api = new ApiClient(server.uri());
        return server;
    }

    Reply call(String method, String path, String body, String token) throws IOException, InterruptedException {
        return api.call(method, path, body, token);
    }

    Reply call(String method, String path, String body) throws IOException, InterruptedException {
        return call(method, path, body, null);
    }

    static String recommendBody(int k, String... history) {
        JsonObject body = new JsonObject();
        body.addProperty("k", k);
        JsonArray requests = new JsonArray();
        JsonObject entry = new JsonObject();
        entry.addProperty("user", "u1");
        JsonArray items = new JsonArray();
        for (String id : history) {
            items.add(id);
        }
        entry.add("history", items);
        requests.add(entry);
        body.add("requests", requests);
        return body.toString();
    }

    static List<String> ids(JsonObject result) {
        List<String> ids = new ArrayList<>();
        result.getAsJsonArray("items").forEach(e -> ids.add(e.getAsJsonObject().get("item_id").getAsString()));
        return ids;
    }

    static String version(Path dir) throws IOException {
        return JsonParser.parseString(Files.readString(dir.resolve("model.json"))).getAsJsonObject().get("version")
                .getAsString();
    }

    @Test
    void recommendsTopKWithoutTheHistoryAndNamesTheModelVersion() throws Exception {
        start(config());
        Reply reply = call("POST", "/v1/recommend", recommendBody(5, "1", "2", "3"));
        assertEquals(200, reply.status(), reply.raw().body());
        assertEquals(version(first), reply.json().get("model_version").getAsString());
        JsonObject result = reply.json().getAsJsonArray("results").get(0).getAsJsonObject();
        assertEquals("u1", result.get("user").getAsString());
        List<String> ids = ids(result);
        assertEquals(5, ids.size());
        assertFalse(ids.contains("1") || ids.contains("2") || ids.contains("3"), "history excluded: " + ids);
        assertEquals(5, new HashSet<>(ids).size());

        JsonObject cold = JsonParser.parseString(recommendBody(5, "1")).getAsJsonObject();
        cold.addProperty("setting", "cold");
        List<String> coldIds = ids(call("POST", "/v1/recommend", cold.toString()).json().getAsJsonArray("results")
                .get(0).getAsJsonObject());
        assertTrue(coldIds.stream().allMatch(id -> Integer.parseInt(id) >= 30), "cold setting ranks cold items "
                + coldIds);

        JsonObject slotted = JsonParser.parseString(recommendBody(5, "1")).getAsJsonObject();
        slotted.addProperty("new_item_slots", 2);
        List<String> slottedIds = ids(call("POST", "/v1/recommend", slotted.toString()).json()
                .getAsJsonArray("results").get(0).getAsJsonObject());
        assertEquals(5, slottedIds.size());
        assertTrue(slottedIds.contains(coldIds.get(0)) && slottedIds.stream().filter(coldIds::contains).count() >= 2,
                "two places for the best cold items: " + slottedIds + ", cold top 5 " + coldIds);

        Reply unknown = call("POST", "/v1/recommend", recommendBody(5, "no-such-item"));
        assertEquals(200, unknown.status());
        assertEquals(List.of(), ids(unknown.json().getAsJsonArray("results").get(0).getAsJsonObject()));
    }

    @Test
    void concurrentRequestsAreMergedIntoBatches() throws Exception {
        start(config().withBatching(64, Duration.ofMillis(50), 1024));
        int requests = 24;
        List<CompletableFuture<HttpResponse<String>>> replies = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            replies.add(api.http().sendAsync(HttpRequest.newBuilder(URI.create(server.uri() + "/v1/recommend"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(recommendBody(3, Integer.toString(i)))).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> reply : replies) {
            assertEquals(200, reply.join().statusCode(), reply.join().body());
        }
        String metrics = call("GET", "/metrics", null).raw().body();
        assertEquals(requests, (int) metric(metrics, "setrec_batch_size_sum"));
        double batches = metric(metrics, "setrec_batch_size_count");
        assertTrue(batches < requests, requests + " concurrent requests ran in " + batches + " forward passes");
    }

    static double metric(String exposition, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(?:\\{[^}]*})? (\\S+)$").matcher(exposition);
        assertTrue(m.find(), name + " in\n" + exposition);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void aSwapUnderLoadLosesNoRequestAndRollbackRestoresThePreviousVersion() throws Exception {
        start(config());
        AtomicBoolean loading = new AtomicBoolean(true);
        AtomicInteger failures = new AtomicInteger();
        AtomicInteger answered = new AtomicInteger();
        Set<String> versionsSeen = ConcurrentHashMap.newKeySet();
        Thread load = new Thread(() -> {
            while (loading.get()) {
                try {
                    Reply r = call("POST", "/v1/recommend", recommendBody(5, "4", "5"));
                    if (r.status() == 200 && r.json().getAsJsonArray("results").get(0).getAsJsonObject()
                            .getAsJsonArray("items").size() == 5) {
                        versionsSeen.add(r.json().get("model_version").getAsString());
                        answered.incrementAndGet();
                    } else {
                        failures.incrementAndGet();
                    }
                } catch (Exception e) {
                    failures.incrementAndGet();
                }
            }
        });
        load.start();
        while (answered.get() < 5) {
            Thread.onSpinWait();
        }
        Reply swapped = call("POST", "/v1/model/load", "{\"dir\":" + quote(second) + "}");
        assertEquals(200, swapped.status(), swapped.raw().body());
        assertEquals(version(second), swapped.json().get("version").getAsString());
        assertEquals(version(first), swapped.json().get("previous_version").getAsString());
        int afterSwap = answered.get();
        while (answered.get() < afterSwap + 5) {
            Thread.onSpinWait();
        }
        Reply rolledBack = call("POST", "/v1/model/rollback", null);
        assertEquals(200, rolledBack.status(), rolledBack.raw().body());
        int afterRollback = answered.get();
        while (answered.get() < afterRollback + 5) {
            Thread.onSpinWait();
        }
        loading.set(false);
        load.join();
        assertEquals(0, failures.get(), "requests lost or failed during swap and rollback");
        assertEquals(Set.of(version(first), version(second)), versionsSeen);
        assertEquals(version(first), call("GET", "/v1/model", null).json().get("version").getAsString());
        assertEquals(409, call("POST", "/v1/model/rollback", null).status(), "only one version to roll back to");
    }

    @Test
    void aBrokenModelIsRefusedAndTheServingOneStays(@TempDir Path outside) throws Exception {
        start(config());
        Path broken = TinyModels.save(models.resolve("broken"), 3);
        Files.write(broken.resolve("weights.bin"), new byte[] {1, 2, 3});
        Reply refused = call("POST", "/v1/model/load", "{\"dir\":" + quote(broken) + "}");
        assertEquals(422, refused.status());
        assertTrue(refused.json().get("error").getAsString().contains(broken.toString()), refused.raw().body());
        Reply missing = call("POST", "/v1/model/load", "{\"dir\":\"nope\"}");
        assertEquals(422, missing.status(), "a relative dir is taken below the models root");
        assertTrue(missing.json().get("error").getAsString().contains(models.resolve("nope").toString()),
                missing.raw().body());
        for (String elsewhere : List.of(quote(TinyModels.save(outside.resolve("m"), 4)), "\"../../etc\"",
                quote(models))) {
            Reply forbidden = call("POST", "/v1/model/load", "{\"dir\":" + elsewhere + "}");
            assertEquals(400, forbidden.status(), elsewhere);
            assertTrue(forbidden.json().get("error").getAsString().contains("models root"), forbidden.raw().body());
        }
        assertEquals(version(first), call("GET", "/v1/model", null).json().get("version").getAsString());
        assertEquals(200, call("POST", "/v1/recommend", recommendBody(3, "1")).status());
        assertEquals(200, call("POST", "/v1/model/load", "{\"dir\":\"second\"}").status(), "relative to the root");
    }

    static String quote(Path p) {
        return new com.google.gson.JsonPrimitive(p.toString()).toString();
    }

    @Test
    void onboardedItemsAreRankableAtOnceAndSurviveARestartAndASwap() throws Exception {
        start(config());
        String body = "{\"items\":[{\"item_id\":\"new-1\",\"title\":\"A brand new puzzle\",\"categories\":[\"Toys\","
                + "\"Puzzles\"],\"brand\":\"Acme\"},{\"item_id\":\"1\",\"title\":\"item 1\"}]}";
        Reply onboarded = call("POST", "/v1/items", body);
        assertEquals(200, onboarded.status(), onboarded.raw().body());
        JsonArray items = onboarded.json().getAsJsonArray("items");
        assertTrue(items.get(0).getAsJsonObject().get("added").getAsBoolean());
        assertEquals(TinyModels.ITEMS, items.get(0).getAsJsonObject().get("row").getAsInt());
        JsonObject known = items.get(1).getAsJsonObject();
        assertFalse(known.get("added").getAsBoolean() || known.get("updated").getAsBoolean(),
                "a known id with the text it has is left as it is: " + known);
        assertTrue(coldCatalogueOf(TinyModels.ITEMS).contains("new-1"));

        Reply tokens = call("GET", "/v1/items/new-1", null);
        assertEquals(200, tokens.status(), tokens.raw().body());
        assertTrue(tokens.json().get("cold").getAsBoolean());
        assertEquals(16, tokens.json().getAsJsonArray("cf_token").size());
        assertEquals(2, tokens.json().getAsJsonArray("semantic_tokens").size());
        assertEquals(404, call("GET", "/v1/items/nothing-here", null).status());

        Reply republished = call("POST", "/v1/items", "{\"items\":[{\"item_id\":\"new-1\",\"title\":\"A puzzle, "
                + "renamed\"}]}");
        JsonObject changed = republished.json().getAsJsonArray("items").get(0).getAsJsonObject();
        assertFalse(changed.get("added").getAsBoolean());
        assertTrue(changed.get("updated").getAsBoolean(), "new text, new tokens: " + changed);
        assertEquals(TinyModels.ITEMS, changed.get("row").getAsInt(), "the same row");
        JsonObject retokenized = call("GET", "/v1/items/new-1", null).json();
        assertNotEquals(tokens.json().get("semantic_tokens"), retokenized.get("semantic_tokens"));

        server.close();
        start(config());
        assertTrue(coldCatalogueOf(TinyModels.ITEMS).contains("new-1"), "onboarded item kept across a restart");
        assertEquals(retokenized.get("semantic_tokens"), call("GET", "/v1/items/new-1", null).json()
                .get("semantic_tokens"), "restored with its newest text");
        assertEquals(1, call("GET", "/v1/model", null).json().get("onboarded_items").getAsInt());
        assertEquals(200, call("POST", "/v1/model/load", "{\"dir\":" + quote(second) + "}").status());
        assertTrue(coldCatalogueOf(TinyModels.ITEMS).contains("new-1"), "onboarded item tokenized by the new model");
        JsonArray ids = call("GET", "/v1/items", null).json().getAsJsonArray("item_ids");
        assertEquals(TinyModels.ITEMS + 1, ids.size());
    }

    List<String> coldCatalogueOf(int k) throws Exception {
        JsonObject body = JsonParser.parseString(recommendBody(k, "1")).getAsJsonObject();
        body.addProperty("setting", "cold");
        Reply reply = call("POST", "/v1/recommend", body.toString());
        assertEquals(200, reply.status(), reply.raw().body());
        return ids(reply.json().getAsJsonArray("results").get(0).getAsJsonObject());
    }

    @Test
    void overloadIsAnsweredWith429AndRetryAfter() throws Exception {
        start(config().withBatching(1, Duration.ZERO, 2));
        JsonObject body = new JsonObject();
        JsonArray requests = new JsonArray();
        for (int i = 0; i < 200; i++) {
            JsonObject entry = new JsonObject();
            JsonArray history = new JsonArray();
            history.add(Integer.toString(i % 30));
            entry.add("history", history);
            requests.add(entry);
        }
        body.add("requests", requests);
        Reply reply = call("POST", "/v1/recommend", body.toString());
        assertEquals(429, reply.status(), "200 histories into a queue of 2 scored one at a time");
        assertEquals("1", reply.raw().headers().firstValue("Retry-After").orElse(""));
        assertTrue(reply.json().get("error").getAsString().contains("full"), reply.raw().body());
        assertEquals(200, call("POST", "/v1/recommend", recommendBody(3, "1")).status(), "serves again afterwards");
    }

    @Test
    void aTokenIsEnforcedWhenSetAndHealthStaysOpen() throws Exception {
        start(config().withToken("s3cret"));
        assertEquals(401, call("POST", "/v1/recommend", recommendBody(3, "1")).status());
        assertEquals(401, call("POST", "/v1/recommend", recommendBody(3, "1"), "wrong").status());
        assertEquals(401, call("GET", "/metrics", null).status());
        assertEquals(200, call("POST", "/v1/recommend", recommendBody(3, "1"), "s3cret").status());
        assertEquals(200, call("GET", "/health/live", null).status());
        assertEquals(200, call("GET", "/health/ready", null).status());
    }

    @Test
    void invalidRequestsGetTheReason() throws Exception {
        start(config());
        assertBad(400, "POST", "/v1/recommend", "{not json", "not valid JSON");
        assertBad(400, "POST", "/v1/recommend", "[]", "JSON object");
        assertBad(400, "POST", "/v1/recommend", "{\"k\":5}", "requests");
        assertBad(400, "POST", "/v1/recommend", "{\"k\":100000,\"requests\":[{\"history\":[\"1\"]}]}", "k must be");
        assertBad(400, "POST", "/v1/recommend", "{\"k\":3,\"new_item_slots\":4,\"requests\":[{\"history\":[\"1\"]}]}",
                "new_item_slots must be");
        assertBad(400, "POST", "/v1/recommend", "{\"k\":2.5,\"requests\":[{\"history\":[\"1\"]}]}", "integer");
        assertBad(400, "POST", "/v1/recommend", "{\"setting\":\"lukewarm\",\"requests\":[{\"history\":[\"1\"]}]}",
                "setting");
        assertBad(400, "POST", "/v1/recommend", "{\"requests\":[{\"history\":[1]}]}", "requests[0].history[0]");
        assertBad(400, "POST", "/v1/recommend", "{\"requests\":[]}", "1..");
        assertBad(400, "POST", "/v1/items", "{\"items\":[{\"item_id\":\"x\"}]}", "no text");
        assertBad(400, "POST", "/v1/items", "{\"items\":[{\"title\":\"no id\"}]}", "item_id");
        assertBad(400, "POST", "/v1/model/load", "{}", "dir");
        assertBad(413, "POST", "/v1/recommend", "{\"pad\":\"" + "x".repeat(2 << 20) + "\"}", "limit");
        assertBad(404, "GET", "/v2/anything", null, "no such path");
        assertBad(405, "GET", "/v1/recommend", null, "POST");
    }

    void assertBad(int status, String method, String path, String body, String reason) throws Exception {
        Reply reply = call(method, path, body);
        assertEquals(status, reply.status(), path + " " + body + " -> " + reply.raw().body());
        assertTrue(reply.json().get("error").getAsString().contains(reason), reply.raw().body());
    }

    @Test
    void everyPathOfTheOpenApiDescriptionIsServedWithMetrics() throws Exception {
        start(config());
        String spec = new String(ModelServer.class.getResourceAsStream("/openapi.yaml").readAllBytes());
        Matcher paths = Pattern.compile("(?m)^  (/\\S+):$").matcher(spec);
        List<String> described = new ArrayList<>();
        while (paths.find()) {
            described.add(paths.group(1));
        }
        assertEquals(List.of("/v1/recommend", "/v1/items", "/v1/items/{item_id}", "/v1/model", "/v1/model/load",
                "/v1/model/rollback", "/health/live", "/health/ready", "/metrics"), described);
        for (String path : described) {
            Reply reply = call("GET", path.replace("{item_id}", "1"), null);
            assertNotEquals(404, reply.status(), path + " is served");
        }
        String metrics = call("GET", "/metrics", null).raw().body();
        for (String name : List.of("setrec_http_requests_total", "setrec_http_request_duration_seconds_bucket",
                "setrec_batch_size", "setrec_queue_depth", "setrec_items", "setrec_model_info")) {
            assertTrue(metrics.contains(name), name + " in\n" + metrics);
        }
        assertTrue(metrics.contains("version=\"" + version(first) + "\""), metrics);
    }

    @Test
    void aModelThatCannotLoadStopsTheStartWithTheReason(@TempDir Path empty) {
        IOException e = assertThrows(IOException.class,
                () -> ModelServer.start(empty, config(), encoder, new PrintStream(logged, true)));
        assertTrue(e.getMessage().contains(empty.toString()), e.getMessage());
    }
}
