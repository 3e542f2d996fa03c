package dev.setrec.serve;

import dev.setrec.api.ApiJson;
import dev.setrec.api.InvalidJson;
import dev.setrec.api.ItemsRequest;
import dev.setrec.api.Liveness;
import dev.setrec.api.LoadRequest;
import dev.setrec.api.RecommendRequest;
import dev.setrec.api.RollbackRequest;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.MimeTypes;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import java.io.IOException;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

import static dev.setrec.serve.ApiError.Status.BAD_REQUEST;
import static dev.setrec.serve.ApiError.Status.INTERNAL;
import static dev.setrec.serve.ApiError.Status.METHOD_NOT_ALLOWED;
import static dev.setrec.serve.ApiError.Status.NOT_FOUND;
import static dev.setrec.serve.ApiError.Status.NOT_JSON;

/**
 * The HTTP/JSON API of model-server/src/main/resources/openapi.yaml on Jetty's core handler (no servlets): routes
 * each request, after access checks, to the {@link InferenceApi} or the {@link ManagementApi}, with its body read
 * strictly into the API's record; every refusal on the way is answered by {@link Exchange#fail}.
 */
final class HttpApi extends Handler.Abstract {
    private final Serving serving;
    private final Access access;
    private final RequestLimits limits;
    private final InferenceApi inference;
    private final ManagementApi management;

    HttpApi(Serving serving, ServerConfig config, Access access, ModelsRoot modelsRoot) {
        this.serving = serving;
        this.access = access;
        this.limits = config.limits();
        Requests requests = new Requests(config.limits(), config.deadline());
        this.inference = new InferenceApi(serving, requests);
        this.management = new ManagementApi(serving, requests, modelsRoot);
    }

    /** A handler of a request body read into its record. */
    @FunctionalInterface
    private interface BodyHandler<T> {
        void handle(Exchange exchange, T body) throws ApiError, IOException;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        // the raw path: item ids are percent-decoded once, by the item route itself
        String path = Objects.requireNonNullElse(request.getHttpURI().getPath(), "");
        Exchange exchange = new Exchange(request, response, callback, Route.of(path), serving.metrics());
        try {
            access.authorize(request, exchange.route);
            if (exchange.route == Route.UNMATCHED) {
                throw new ApiError(NOT_FOUND, "no such path: " + path);
            }
            String method = request.getMethod();
            if (!exchange.route.methods.contains(method)) {
                throw new ApiError(METHOD_NOT_ALLOWED, "use " + String.join(" or ", exchange.route.methods)
                        + ", not " + method);
            }
            switch (exchange.route) {
                case LIVE -> exchange.ok(Liveness.LIVE);
                case READY -> inference.ready(exchange);
                case METRICS -> exchange.send(200, serving.metrics().contentType(), serving.metrics().scrape());
                case RECOMMEND -> withBody(exchange, RecommendRequest.class, null, inference::recommend);
                case ITEMS -> {
                    if ("GET".equals(method)) {
                        inference.itemIds(exchange);
                    } else {
                        withBody(exchange, ItemsRequest.class, null, inference::onboard);
                    }
                }
                case ITEM -> inference.tokens(exchange, path.substring(Route.ITEMS.template.length() + 1));
                case MODEL -> management.info(exchange);
                case MODEL_LOAD -> withBody(exchange, LoadRequest.class, null, management::load);
                case MODEL_ROLLBACK -> withBody(exchange, RollbackRequest.class, new RollbackRequest(),
                        management::rollback);
                case UNMATCHED -> throw new IllegalStateException("answered 404 above");
            }
        } catch (ApiError e) {
            exchange.fail(e);
        } catch (RuntimeException | IOException e) {
            exchange.fail(new ApiError(INTERNAL, "internal error: " + e));
        }
        return true;
    }

    /**
     * Reads the body without holding a thread while it arrives, reads it strictly into its record and hands it
     * on. A body must be {@code application/json}: a web page may send text/plain (or no type) across origins
     * without asking. An empty body is {@code whenEmpty} where that is not null.
     */
    private <T extends Record> void withBody(Exchange exchange, Class<T> type, T whenEmpty, BodyHandler<T> handler) {
        CompletableFuture<byte[]> body = BodyReader.read(exchange.request, limits.maxBodyBytes(), limits.bodyTimeout());
        body.whenComplete((bytes, failure) -> {
            try {
                if (failure != null) {
                    throw failure instanceof ApiError api ? api
                            : new ApiError(BAD_REQUEST, "cannot read the request body: " + failure);
                }
                if (whenEmpty != null && bytes.length == 0) {
                    handler.handle(exchange, whenEmpty);
                } else {
                    requireJson(exchange.request);
                    handler.handle(exchange, ApiJson.readStrict(bytes, type));
                }
            } catch (InvalidJson e) {
                exchange.fail(new ApiError(BAD_REQUEST, e.getMessage()));
            } catch (ApiError e) {
                exchange.fail(e);
            } catch (RuntimeException | IOException e) {
                exchange.fail(new ApiError(INTERNAL, "internal error: " + e));
            }
        });
    }

    private static void requireJson(Request request) throws ApiError {
        String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        String base = type == null ? null
                : MimeTypes.getContentTypeWithoutCharset(type).strip().toLowerCase(Locale.ROOT);
        String charset = type == null ? null : MimeTypes.getCharsetFromContentType(type);
        if (!"application/json".equals(base) || (charset != null && !"utf-8".equalsIgnoreCase(charset))) {
            throw new ApiError(NOT_JSON, "a request body must be Content-Type: application/json (UTF-8), not "
                    + (type == null ? "none" : type));
        }
    }
}
