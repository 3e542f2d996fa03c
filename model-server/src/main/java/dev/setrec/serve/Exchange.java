package dev.setrec.serve;

import com.google.gson.JsonObject;
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

    void sendJson(int status, String json) {
        send(status, JSON, json.getBytes(StandardCharsets.UTF_8));
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

    /** {"error": reason} with the status; 429 and 503 say when to come back. */
    void fail(int status, String reason) {
        if (status == 429 || status == 503) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
        }
        if (status == 405) {
            response.getHeaders().put(HttpHeader.ALLOW, route.allow());
        }
        JsonObject error = new JsonObject();
        error.addProperty("error", reason);
        sendJson(status, error.toString());
    }

    void fail(ApiError error) {
        fail(error.status, error.getMessage());
    }
}
