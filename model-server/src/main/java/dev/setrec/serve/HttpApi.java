package dev.setrec.serve;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.stream.JsonWriter;
import dev.setrec.data.ItemText;
import dev.setrec.eval.Setting;
import dev.setrec.model.setrec.ScoreMix;
import dev.setrec.model.setrec.SetRecService;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/** The HTTP/JSON API of model-server/src/main/resources/openapi.yaml on Jetty's core handler (no servlets). */
final class HttpApi extends Handler.Abstract {
    private static final String JSON = "application/json";
    private static final String ITEMS = "/v1/items";
    /** How much of an over-limit body is read and dropped before the 413, in multiples of the limit. */
    private static final int DRAIN_FACTOR = 16;

    /** A request that breaks the API's rules: answered with its status and reason. */
    private static final class ApiError extends Exception {
        final int status;

        ApiError(int status, String reason) {
            super(reason, null, false, false);
            this.status = status;
        }
    }

    private final Serving serving;
    private final ServerConfig config;
    private final byte[] expectedAuthorization;
    private final Path modelsRoot;

    /**
     * @param modelsRoot absolute and normalised: model directories are loaded from below it only, so that a token
     *                   holder cannot make the server read arbitrary directories
     */
    HttpApi(Serving serving, ServerConfig config, Path modelsRoot) {
        this.serving = serving;
        this.config = config;
        this.modelsRoot = modelsRoot;
        this.expectedAuthorization = config.token() == null ? null
                : ("Bearer " + config.token()).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        long start = System.nanoTime();
        String path = Request.getPathInContext(request);
        String route = route(path);
        try {
            if (!route.startsWith("/health/")) {
                authenticate(request);
            }
            String method = request.getMethod();
            switch (route) {
                case "/health/live" -> requireGet(method, () -> send(response, callback, route, start, 200, "{\"live\":true}"));
                case "/health/ready" -> requireGet(method, () -> ready(response, callback, route, start));
                case "/metrics" -> requireGet(method, () -> metrics(response, callback, route, start));
                case "/v1/recommend" -> requirePost(method, () -> recommend(request, response, callback, route, start));
                case ITEMS -> {
                    if ("GET".equals(method)) {
                        itemIds(response, callback, route, start);
                    } else {
                        requirePost(method, () -> onboard(request, response, callback, route, start));
                    }
                }
                case ITEMS + "/{item_id}" -> requireGet(method, () -> tokens(path, response, callback, route, start));
                case "/v1/model" -> requireGet(method, () -> send(response, callback, route, start, 200,
                        info(serving.current()).toString()));
                case "/v1/model/load" -> requirePost(method, () -> load(request, response, callback, route, start));
                case "/v1/model/rollback" -> requirePost(method, () -> rollback(response, callback, route, start));
                default -> throw new ApiError(404, "no such path: " + path);
            }
        } catch (ApiError e) {
            fail(response, callback, route, start, e.status, e.getMessage());
        } catch (RuntimeException | IOException e) {
            fail(response, callback, route, start, 500, "internal error: " + e);
        }
        return true;
    }

    /** The metric label of a path: item ids are folded into one route so that labels stay few. */
    private static String route(String path) {
        return path.startsWith(ITEMS + "/") && path.length() > ITEMS.length() + 1 ? ITEMS + "/{item_id}" : path;
    }

    private void authenticate(Request request) throws ApiError {
        if (expectedAuthorization == null) {
            return;
        }
        String given = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        if (given == null || !MessageDigest.isEqual(expectedAuthorization, given.getBytes(StandardCharsets.UTF_8))) {
            throw new ApiError(401, given == null ? "this server needs an Authorization: Bearer token"
                    : "wrong bearer token");
        }
    }

    @FunctionalInterface
    private interface Action {
        void run() throws ApiError, IOException;
    }

    private static void requireGet(String method, Action action) throws ApiError, IOException {
        requireMethod("GET", method, action);
    }

    private static void requirePost(String method, Action action) throws ApiError, IOException {
        requireMethod("POST", method, action);
    }

    private static void requireMethod(String wanted, String method, Action action) throws ApiError, IOException {
        if (!wanted.equals(method)) {
            throw new ApiError(405, "use " + wanted + ", not " + method);
        }
        action.run();
    }

    private void ready(Response response, Callback callback, String route, long start) throws ApiError {
        if (!serving.ready()) {
            throw new ApiError(503, "no model loaded yet");
        }
        send(response, callback, route, start, 200, "{\"ready\":true}");
    }

    private void metrics(Response response, Callback callback, String route, long start) throws IOException {
        byte[] body = serving.metrics().scrape();
        serving.metrics().request(route, 200, start);
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, serving.metrics().contentType());
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    private void recommend(Request request, Response response, Callback callback, String route, long start)
            throws ApiError, IOException {
        requireReady();
        JsonObject body = readObject(request);
        int k = optionalInt(body, "k", 10);
        if (k < 1 || k > config.maxK()) {
            throw new ApiError(400, "k must be 1.." + config.maxK() + ", not " + k);
        }
        int newItemSlots = optionalInt(body, "new_item_slots", 0);
        if (newItemSlots < 0 || newItemSlots > k) {
            throw new ApiError(400, "new_item_slots must be 0..k (" + k + "), not " + newItemSlots);
        }
        Setting setting = setting(body);
        boolean excludeSeen = !body.has("exclude_seen") || bool(body, "exclude_seen");
        long deadlineMs = optionalInt(body, "deadline_ms", (int) config.deadline().toMillis());
        if (deadlineMs < 1) {
            throw new ApiError(400, "deadline_ms must be positive");
        }
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(deadlineMs);
        JsonArray entries = array(body, "requests");
        if (entries.isEmpty() || entries.size() > config.maxHistories()) {
            throw new ApiError(400, "requests must hold 1.." + config.maxHistories() + " entries, not " + entries.size());
        }
        List<String> users = new ArrayList<>(entries.size());
        List<CompletableFuture<Serving.Answer>> answers = new ArrayList<>(entries.size());
        List<Serving.Query> queries = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            String where = "requests[" + i + "]";
            JsonObject entry = object(entries.get(i), where);
            users.add(entry.has("user") ? string(entry.get("user"), where + ".user") : null);
            List<String> history = strings(entry, "history", where, config.maxHistory());
            List<String> excluded = new ArrayList<>(excludeSeen ? history : List.of());
            if (entry.has("exclude")) {
                excluded.addAll(strings(entry, "exclude", where, config.maxK()));
            }
            queries.add(new Serving.Query(history, excluded, k, newItemSlots, setting, deadline));
        }
        // submitted only once every entry is valid: a 400 leaves no work queued
        for (Serving.Query query : queries) {
            answers.add(serving.recommend(query));
        }
        CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).whenComplete((ignored, failure) -> {
            if (failure != null) {
                Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
                if (cause instanceof RejectedExecutionException) {
                    response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
                    fail(response, callback, route, start, serving.accepting() ? 429 : 503, cause.getMessage());
                } else {
                    fail(response, callback, route, start, 500, "scoring failed: " + cause);
                }
                return;
            }
            try {
                sendRecommendations(response, callback, route, start, users, answers);
            } catch (IOException e) {
                fail(response, callback, route, start, 500, "internal error: " + e);
            }
        });
    }

    private void sendRecommendations(Response response, Callback callback, String route, long start,
                                     List<String> users, List<CompletableFuture<Serving.Answer>> answers)
            throws IOException {
        StringWriter text = new StringWriter();
        JsonWriter json = new JsonWriter(text);
        json.beginObject();
        String version = null;
        json.name("results").beginArray();
        for (int i = 0; i < answers.size(); i++) {
            Serving.Answer answer = answers.get(i).join();
            if (answer.expired()) {
                fail(response, callback, route, start, 504, "the deadline passed before the request was scored");
                return;
            }
            version = answer.modelVersion();
            json.beginObject();
            if (users.get(i) != null) {
                json.name("user").value(users.get(i));
            }
            json.name("items").beginArray();
            for (SetRecService.Scored s : answer.items()) {
                json.beginObject().name("item_id").value(s.itemId()).name("score").value(s.score()).endObject();
            }
            json.endArray().endObject();
        }
        json.endArray();
        // one version for the whole response: entries scored in batches on both sides of a swap name the last one
        json.name("model_version").value(version);
        json.endObject();
        send(response, callback, route, start, 200, text.toString());
    }

    private void itemIds(Response response, Callback callback, String route, long start) throws ApiError {
        requireReady();
        ModelVersions.Version model = serving.lease();
        try {
            JsonObject out = new JsonObject();
            out.addProperty("model_version", model.version());
            List<String> ids = model.service.itemIds();
            out.addProperty("count", ids.size());
            JsonArray array = new JsonArray(ids.size());
            ids.forEach(array::add);
            out.add("item_ids", array);
            send(response, callback, route, start, 200, out.toString());
        } finally {
            model.release();
        }
    }

    private void onboard(Request request, Response response, Callback callback, String route, long start)
            throws ApiError, IOException {
        requireReady();
        JsonArray entries = array(readObject(request), "items");
        if (entries.isEmpty() || entries.size() > config.maxHistories()) {
            throw new ApiError(400, "items must hold 1.." + config.maxHistories() + " entries, not " + entries.size());
        }
        List<ItemStore.StoredItem> items = new ArrayList<>(entries.size());
        long now = System.currentTimeMillis();
        for (int i = 0; i < entries.size(); i++) {
            String where = "items[" + i + "]";
            JsonObject entry = object(entries.get(i), where);
            String id = entry.has("item_id") ? string(entry.get("item_id"), where + ".item_id") : "";
            if (id.isBlank()) {
                throw new ApiError(400, where + ": item_id is missing or empty");
            }
            List<String> categories = entry.has("categories") ? strings(entry, "categories", where, 100) : List.of();
            ItemStore.StoredItem item = new ItemStore.StoredItem(id, ItemText.of(text(entry, "title", where),
                    categories, text(entry, "brand", where), text(entry, "description", where)), now);
            if (item.text().isEmpty()) {
                throw new ApiError(400, where + ": item " + id + " has no text (title, categories, brand or "
                        + "description): a new item is ranked by its text");
            }
            items.add(item);
        }
        List<Serving.Onboarded> done = serving.onboard(items);
        JsonObject out = new JsonObject();
        out.addProperty("model_version", serving.current().version());
        JsonArray array = new JsonArray();
        for (Serving.Onboarded o : done) {
            JsonObject entry = new JsonObject();
            entry.addProperty("item_id", o.itemId());
            entry.addProperty("row", o.row());
            entry.addProperty("added", o.added());
            array.add(entry);
        }
        out.add("items", array);
        send(response, callback, route, start, 200, out.toString());
    }

    private void tokens(String path, Response response, Callback callback, String route, long start) throws ApiError {
        requireReady();
        String id = URLDecoder.decode(path.substring(ITEMS.length() + 1), StandardCharsets.UTF_8);
        ModelVersions.Version model = serving.lease();
        try {
            int row = model.service.row(id);
            if (row < 0) {
                throw new ApiError(404, "unknown item " + id);
            }
            float[][] tokens = model.service.tokens(row);
            JsonObject out = new JsonObject();
            out.addProperty("model_version", model.version());
            out.addProperty("item_id", id);
            out.addProperty("row", row);
            out.addProperty("cold", model.service.isCold(row));
            out.add("cf_token", floats(tokens[0]));
            JsonArray semantic = new JsonArray();
            for (int t = 1; t < tokens.length; t++) {
                semantic.add(floats(tokens[t]));
            }
            out.add("semantic_tokens", semantic);
            send(response, callback, route, start, 200, out.toString());
        } finally {
            model.release();
        }
    }

    private void load(Request request, Response response, Callback callback, String route, long start)
            throws ApiError, IOException {
        JsonObject body = readObject(request);
        if (!body.has("dir")) {
            throw new ApiError(400, "dir is missing: the model directory to load");
        }
        // relative to the models root; an absolute path must lie below it
        Path dir = modelsRoot.resolve(string(body.get("dir"), "dir")).normalize();
        if (!dir.startsWith(modelsRoot) || dir.equals(modelsRoot)) {
            throw new ApiError(400, "dir must be a directory below the models root " + modelsRoot);
        }
        try {
            serving.load(dir);
        } catch (Serving.ModelRefused e) {
            throw new ApiError(422, e.getMessage());
        }
        send(response, callback, route, start, 200, info(serving.current()).toString());
    }

    private void rollback(Response response, Callback callback, String route, long start) throws ApiError {
        if (!serving.rollback()) {
            throw new ApiError(409, "no previous model version to roll back to");
        }
        send(response, callback, route, start, 200, info(serving.current()).toString());
    }

    private JsonObject info(ModelVersions.Version model) {
        JsonObject out = new JsonObject();
        out.addProperty("ready", model != null);
        if (model == null) {
            out.addProperty("version", "");
            out.addProperty("items", 0);
            return out;
        }
        ModelVersions.Version previous = serving.previous();
        out.addProperty("version", model.version());
        out.addProperty("previous_version", previous == null ? null : previous.version());
        out.addProperty("dir", model.dir.toString());
        out.addProperty("items", model.service.numItems());
        out.addProperty("onboarded_items", serving.onboardedItems());
        ScoreMix mix = model.service.mix();
        out.addProperty("beta", mix.beta());
        out.addProperty("beta_cold", mix.betaCold());
        out.addProperty("cold_shift", mix.coldShift());
        out.addProperty("loaded_at", model.loadedAt.toString());
        return out;
    }

    private void requireReady() throws ApiError {
        if (!serving.ready()) {
            throw new ApiError(503, "no model loaded yet");
        }
    }

    // --- JSON input: every rule broken is a 400 naming the field ---

    private JsonObject readObject(Request request) throws ApiError, IOException {
        long declared = request.getLength();
        try (InputStream in = Content.Source.asInputStream(request)) {
            if (declared > config.maxBodyBytes()) {
                drainOversized(in);
                throw new ApiError(413, "request body of " + declared + " bytes is over the limit of "
                        + config.maxBodyBytes());
            }
            byte[] bytes = in.readNBytes(config.maxBodyBytes() + 1);
            if (bytes.length > config.maxBodyBytes()) {
                drainOversized(in);
                throw new ApiError(413, "request body is over the limit of " + config.maxBodyBytes() + " bytes");
            }
            return parseObject(bytes);
        }
    }

    /**
     * Reads and drops the rest of an over-limit body, up to {@link #DRAIN_FACTOR} times the limit: a client still
     * sending when the server answers and closes gets a reset that can swallow the 413 it was about to read.
     * Beyond that much the connection is closed anyway; memory use stays one small buffer.
     */
    private void drainOversized(InputStream in) throws IOException {
        long left = (long) DRAIN_FACTOR * config.maxBodyBytes();
        byte[] buffer = new byte[8192];
        int read;
        while (left > 0 && (read = in.read(buffer, 0, (int) Math.min(buffer.length, left))) > 0) {
            left -= read;
        }
    }

    private static JsonObject parseObject(byte[] bytes) throws ApiError {
        try {
            JsonElement parsed = JsonParser.parseString(new String(bytes, StandardCharsets.UTF_8));
            return object(parsed, "the request body");
        } catch (JsonParseException e) {
            throw new ApiError(400, "the request body is not valid JSON: " + e.getMessage());
        }
    }

    private static JsonObject object(JsonElement element, String where) throws ApiError {
        if (element == null || !element.isJsonObject()) {
            throw new ApiError(400, where + " must be a JSON object");
        }
        return element.getAsJsonObject();
    }

    private static JsonArray array(JsonObject body, String field) throws ApiError {
        JsonElement element = body.get(field);
        if (element == null || !element.isJsonArray()) {
            throw new ApiError(400, field + " must be a JSON array");
        }
        return element.getAsJsonArray();
    }

    private static String string(JsonElement element, String where) throws ApiError {
        if (!element.isJsonPrimitive() || !element.getAsJsonPrimitive().isString()) {
            throw new ApiError(400, where + " must be a string");
        }
        return element.getAsString();
    }

    private static String text(JsonObject entry, String field, String where) throws ApiError {
        return entry.has(field) && !entry.get(field).isJsonNull() ? string(entry.get(field), where + "." + field).strip()
                : "";
    }

    private static List<String> strings(JsonObject entry, String field, String where, int max) throws ApiError {
        JsonElement element = entry.get(field);
        if (element == null || !element.isJsonArray()) {
            throw new ApiError(400, where + "." + field + " must be an array of strings");
        }
        JsonArray array = element.getAsJsonArray();
        if (array.size() > max) {
            throw new ApiError(400, where + "." + field + " holds " + array.size() + " entries, more than " + max);
        }
        List<String> out = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            out.add(string(array.get(i), where + "." + field + "[" + i + "]"));
        }
        return out;
    }

    private static int optionalInt(JsonObject body, String field, int fallback) throws ApiError {
        JsonElement element = body.get(field);
        if (element == null) {
            return fallback;
        }
        if (!element.isJsonPrimitive() || !element.getAsJsonPrimitive().isNumber()) {
            throw new ApiError(400, field + " must be an integer");
        }
        double value = element.getAsDouble();
        if (value != Math.rint(value) || Math.abs(value) > Integer.MAX_VALUE) {
            throw new ApiError(400, field + " must be an integer, not " + element);
        }
        return (int) value;
    }

    private static boolean bool(JsonObject body, String field) throws ApiError {
        JsonElement element = body.get(field);
        if (!element.isJsonPrimitive() || !element.getAsJsonPrimitive().isBoolean()) {
            throw new ApiError(400, field + " must be true or false");
        }
        return element.getAsBoolean();
    }

    private static Setting setting(JsonObject body) throws ApiError {
        if (!body.has("setting")) {
            return Setting.ALL;
        }
        String name = string(body.get("setting"), "setting");
        for (Setting s : Setting.values()) {
            if (s.label().equals(name.toLowerCase(Locale.ROOT))) {
                return s;
            }
        }
        throw new ApiError(400, "setting must be all, warm or cold, not " + name);
    }

    private static JsonArray floats(float[] values) {
        JsonArray array = new JsonArray(values.length);
        for (float v : values) {
            array.add(v);
        }
        return array;
    }

    // --- output ---

    private void send(Response response, Callback callback, String route, long start, int status, String json) {
        serving.metrics().request(route, status, start);
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, JSON);
        response.write(true, ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8)), callback);
    }

    private void fail(Response response, Callback callback, String route, long start, int status, String reason) {
        if (status == 503) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
        }
        JsonObject error = new JsonObject();
        error.addProperty("error", reason);
        send(response, callback, route, start, status, error.toString());
    }
}
