package dev.setrec.serve;

import dev.setrec.api.ApiJson;
import dev.setrec.api.ErrorBody;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** One request and its response: every answer is counted under the request's route and carries safe headers. */
final class Exchange {
    private static final String JSON = "application/json";

    final Request request;
    final Response response;
    final Route route;
    final long start;
    private final Callback callback;
    private final ServerMetrics metrics;

    Exchange(Request request, Response response, Callback callback, Route route, ServerMetrics metrics) {
        this.request = request;
        this.response = response;
        this.callback = callback;
        this.route = route;
        this.metrics = metrics;
        this.start = System.nanoTime();
    }

    /** 200 with the body as JSON. */
    void ok(Record body) {
        sendJson(200, body);
    }

    private void sendJson(int status, Record body) {
        send(status, JSON, ApiJson.write(body).getBytes(StandardCharsets.UTF_8));
    }

    void send(int status, String contentType, byte[] body) {
        metrics.request(route, status, start);
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        // answers are data, never pages: no sniffing them into HTML, no caching of scores or errors
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    /**
     * The one place a refusal becomes a response: {"error": reason} with its status; a refusal for the moment
     * says when to come back, a wrong method which methods the path takes.
     */
    void fail(ApiError error) {
        if (error.status.retryLater()) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
        }
        if (error.status == ApiError.Status.METHOD_NOT_ALLOWED) {
            response.getHeaders().put(HttpHeader.ALLOW, route.allow());
        }
        sendJson(error.status.code, new ErrorBody(error.getMessage()));
    }
}
