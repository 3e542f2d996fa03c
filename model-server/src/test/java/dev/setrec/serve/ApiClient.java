package dev.setrec.serve;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Calls a running model server over real HTTP, as a client of the API does (JSON bodies, optional bearer token). */
final class ApiClient {
    /** A response: its status, its body as JSON where it is an object, and the raw response. */
    record Reply(int status, JsonObject json, HttpResponse<String> raw) {
        String error() {
            return json == null || !json.has("error") ? "" : json.get("error").getAsString();
        }
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;

    ApiClient(URI base) {
        this.base = base;
    }

    HttpClient http() {
        return http;
    }

    /** {@code body} (null: none) is sent as application/json; {@code token} (null: none) as the bearer token. */
    Reply call(String method, String path, String body, String token) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return send(request);
    }

    Reply send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        JsonObject json = response.body().startsWith("{") ? JsonParser.parseString(response.body()).getAsJsonObject()
                : null;
        return new Reply(response.statusCode(), json, response);
    }

    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
    }
}
