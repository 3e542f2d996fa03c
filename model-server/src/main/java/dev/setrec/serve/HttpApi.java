package dev.setrec.serve;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.stream.JsonWriter;
import dev.setrec.model.setrec.ScoreMix;
import dev.setrec.model.setrec.SetRecService;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.MimeTypes;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import java.io.IOException;
import java.io.StringWriter;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;

/** The HTTP/JSON API of model-server/src/main/resources/openapi.yaml on Jetty's core handler (no servlets). */
final class HttpApi extends Handler.Abstract {
    private final Serving serving;
    private final Access access;
    private final ModelsRoot modelsRoot;
    private final Requests requests;
    private final RequestLimits limits;

    HttpApi(Serving serving, ServerConfig config, Access access, ModelsRoot modelsRoot) {
        this.serving = serving;
        this.access = access;
        this.modelsRoot = modelsRoot;
        this.requests = new Requests(config.limits(), config.deadline());
        this.limits = config.limits();
    }

    /** A handler that needs the parsed request body. */
    @FunctionalInterface
    private interface BodyHandler {
        void handle(Exchange exchange, JsonObject body) throws ApiError, IOException;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        // the raw path: item ids are percent-decoded once, by the item route itself
        String path = Objects.requireNonNullElse(request.getHttpURI().getPath(), "");
        Exchange exchange = new Exchange(request, response, callback, Route.of(path), serving.metrics());
        try {
            access.authorize(request, exchange.route);
            if (exchange.route == Route.UNMATCHED) {
                throw new ApiError(404, "no such path: " + path);
            }
            String method = request.getMethod();
            if (!exchange.route.methods.contains(method)) {
                throw new ApiError(405, "use " + String.join(" or ", exchange.route.methods) + ", not " + method);
            }
            boolean get = "GET".equals(method);
            switch (exchange.route) {
                case LIVE -> exchange.sendJson(200, "{\"live\":true}");
                case READY -> ready(exchange);
                case METRICS -> exchange.send(200, serving.metrics().contentType(), serving.metrics().scrape());
                case RECOMMEND -> withBody(exchange, false, this::recommend);
                case ITEMS -> {
                    if (get) {
                        itemIds(exchange);
                    } else {
                        withBody(exchange, false, this::onboard);
                    }
                }
                case ITEM -> tokens(exchange, path.substring(Route.ITEMS.template.length() + 1));
                case MODEL -> exchange.sendJson(200, info(serving.current()).toString());
                case MODEL_LOAD -> withBody(exchange, false, this::load);
                case MODEL_ROLLBACK -> withBody(exchange, true, this::rollback);
                case UNMATCHED -> throw new IllegalStateException("answered 404 above");
            }
        } catch (ApiError e) {
            exchange.fail(e);
        } catch (RuntimeException | IOException e) {
            exchange.fail(500, "internal error: " + e);
        }
        return true;
    }

    /**
     * Reads the body without holding a thread while it arrives, parses it as strict JSON and hands it on. A body
     * must be {@code application/json}: a web page may send text/plain (or no type) across origins without asking.
     * Where {@code optional}, an empty body counts as an empty object.
     */
    private void withBody(Exchange exchange, boolean optional, BodyHandler handler) {
        CompletableFuture<byte[]> body = BodyReader.read(exchange.request, limits.maxBodyBytes(), limits.bodyTimeout());
        body.whenComplete((bytes, failure) -> {
            try {
                if (failure != null) {
                    throw failure instanceof ApiError api ? api
                            : new ApiError(400, "cannot read the request body: " + failure);
                }
                if (optional && bytes.length == 0) {
                    handler.handle(exchange, new JsonObject());
                } else {
                    requireJson(exchange.request);
                    handler.handle(exchange, StrictJson.parseObject(bytes));
                }
            } catch (ApiError e) {
                exchange.fail(e);
            } catch (RuntimeException | IOException e) {
                exchange.fail(500, "internal error: " + e);
            }
        });
    }

    private static void requireJson(Request request) throws ApiError {
        String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        String base = type == null ? null : MimeTypes.getContentTypeWithoutCharset(type).strip().toLowerCase(Locale.ROOT);
        String charset = type == null ? null : MimeTypes.getCharsetFromContentType(type);
        if (!"application/json".equals(base) || (charset != null && !"utf-8".equalsIgnoreCase(charset))) {
            throw new ApiError(415, "a request body must be Content-Type: application/json (UTF-8), not "
                    + (type == null ? "none" : type));
        }
    }

    private void ready(Exchange exchange) throws ApiError {
        requireReady();
        exchange.sendJson(200, "{\"ready\":true}");
    }

    private void recommend(Exchange exchange, JsonObject body) throws ApiError {
        requireReady();
        Requests.Recommend call = requests.recommend(body, exchange.start);
        // submitted only once every entry is valid: a 400 leaves no work queued
        List<CompletableFuture<Serving.Answer>> answers = new ArrayList<>(call.queries().size());
        for (Serving.Query query : call.queries()) {
            answers.add(serving.recommend(query));
        }
        CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).whenComplete((ignored, failure) -> {
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure;
                if (cause instanceof RejectedExecutionException) {
                    exchange.fail(serving.accepting() ? 429 : 503, cause.getMessage());
                } else {
                    exchange.fail(500, "scoring failed: " + cause);
                }
                return;
            }
            try {
                sendRecommendations(exchange, call.users(), answers);
            } catch (IOException e) {
                exchange.fail(500, "internal error: " + e);
            }
        });
    }

    private static void sendRecommendations(Exchange exchange, List<String> users,
                                            List<CompletableFuture<Serving.Answer>> answers) throws IOException {
        StringWriter text = new StringWriter();
        JsonWriter json = new JsonWriter(text);
        json.beginObject();
        String version = null;
        json.name("results").beginArray();
        for (int i = 0; i < answers.size(); i++) {
            Serving.Answer answer = answers.get(i).join();
            if (answer.expired()) {
                exchange.fail(504, "the deadline passed before the request was scored");
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
            json.endArray();
            json.name("known_items").value(answer.knownItems());
            json.endObject();
        }
        json.endArray();
        // one version for the whole response: entries scored in batches on both sides of a swap name the last one
        json.name("model_version").value(version);
        json.endObject();
        exchange.sendJson(200, text.toString());
    }

    private void itemIds(Exchange exchange) throws ApiError {
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
            exchange.sendJson(200, out.toString());
        } finally {
            model.release();
        }
    }

    private void onboard(Exchange exchange, JsonObject body) throws ApiError, IOException {
        requireReady();
        List<Serving.Onboarded> done = serving.onboard(requests.items(body, System.currentTimeMillis()));
        JsonObject out = new JsonObject();
        out.addProperty("model_version", serving.current().version());
        JsonArray array = new JsonArray();
        for (Serving.Onboarded o : done) {
            JsonObject entry = new JsonObject();
            entry.addProperty("item_id", o.itemId());
            entry.addProperty("row", o.row());
            entry.addProperty("added", o.change() == SetRecService.Change.ADDED);
            entry.addProperty("updated", o.change() == SetRecService.Change.RETOKENIZED);
            array.add(entry);
        }
        out.add("items", array);
        exchange.sendJson(200, out.toString());
    }

    private void tokens(Exchange exchange, String encodedId) throws ApiError {
        requireReady();
        String id;
        try {
            id = URLDecoder.decode(encodedId.replace("+", "%2B"), StandardCharsets.UTF_8); // '+' is not a space here
        } catch (IllegalArgumentException e) {
            throw new ApiError(400, "the item id in the path is not percent-encoded properly: " + e.getMessage());
        }
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
            exchange.sendJson(200, out.toString());
        } finally {
            model.release();
        }
    }

    private void load(Exchange exchange, JsonObject body) throws ApiError {
        try {
            serving.load(modelsRoot.resolve(requests.loadDir(body)));
        } catch (Serving.ModelRefused e) {
            throw new ApiError(422, e.getMessage());
        }
        exchange.sendJson(200, info(serving.current()).toString());
    }

    private void rollback(Exchange exchange, JsonObject body) throws ApiError {
        requests.rollback(body);
        if (!serving.rollback()) {
            throw new ApiError(409, "no previous model version to roll back to");
        }
        exchange.sendJson(200, info(serving.current()).toString());
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

    private static JsonArray floats(float[] values) {
        JsonArray array = new JsonArray(values.length);
        for (float v : values) {
            array.add(v);
        }
        return array;
    }
}
