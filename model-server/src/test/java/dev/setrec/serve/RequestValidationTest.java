package dev.setrec.serve;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.setrec.serve.ApiClient.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every request body is strict JSON with known fields and bounded strings; odd requests get a clear answer. */
@Timeout(180)
class RequestValidationTest extends TinyModelsSetup {
    static final String RECOMMEND = "/v1/recommend";
    static final String HISTORY = "\"requests\":[{\"history\":[\"1\",\"2\"]}]";

    static void assertBad(RunningServer server, int status, String path, String body, String... reason)
            throws Exception {
        Reply reply = server.call("POST", path, body);
        assertEquals(status, reply.status(), body + " -> " + reply.raw().body());
        for (String part : reason) {
            assertTrue(reply.error().contains(part), body + " -> " + reply.error() + " (wanted " + part + ")");
        }
    }

    @Test
    void lenientJsonIsRefused() throws Exception {
        try (RunningServer server = RunningServer.start(first, config())) {
            assertEquals(200, server.call("POST", RECOMMEND, "{\"k\":3," + HISTORY + "}").status());
            for (String lenient : List.of("{k:3," + HISTORY + "}", "{'k':3," + HISTORY + "}",
                    "{\"k\":3, /* a comment */" + HISTORY + "}", "{\"k\":3," + HISTORY + "} trailing",
                    "{\"k\":3," + HISTORY + "}{}", "{\"k\":3;" + HISTORY + "}", "{\"k\":NaN," + HISTORY + "}",
                    "{\"k\":3," + HISTORY + ",}", "{\"requests\":[{\"history\":['1']}]}")) {
                assertBad(server, 400, RECOMMEND, lenient, "JSON");
            }
            assertBad(server, 400, RECOMMEND, "{\"k\":3,\"k\":4," + HISTORY + "}", "duplicate", "k");
            assertBad(server, 400, RECOMMEND, "[".repeat(5_000) + "]".repeat(5_000), "JSON");
        }
    }

    @Test
    void unknownFieldsAreRefusedByName() throws Exception {
        try (RunningServer server = RunningServer.start(first, config())) {
            assertBad(server, 400, RECOMMEND, "{\"kk\":3," + HISTORY + "}", "unknown field", "kk");
            assertBad(server, 400, RECOMMEND, "{\"requests\":[{\"histroy\":[\"1\"],\"history\":[\"1\"]}]}",
                    "unknown field", "requests[0]", "histroy");
            assertBad(server, 400, "/v1/items", "{\"items\":[{\"item_id\":\"x\",\"titel\":\"typo\"}]}",
                    "unknown field", "items[0]", "titel");
            assertBad(server, 400, "/v1/model/load", "{\"dir\":\"first\",\"force\":true}", "unknown field", "force");
            assertBad(server, 400, "/v1/model/rollback", "{\"to\":\"v1\"}", "unknown field", "to");
        }
    }

    @Test
    void aBodyThatIsNotUtf8OrNotJsonIsRefused() throws Exception {
        try (RunningServer server = RunningServer.start(first, config())) {
            byte[] latin1 = "{\"requests\":[{\"user\":\"Jos\u00e9\",\"history\":[\"1\"]}]}"
                    .getBytes(StandardCharsets.ISO_8859_1);
            Reply notUtf8 = server.api.send(server.api.request(RECOMMEND).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(latin1)));
            assertEquals(400, notUtf8.status(), notUtf8.raw().body());
            assertTrue(notUtf8.error().contains("UTF-8"), notUtf8.error());

            Reply plainText = server.api.send(server.api.request(RECOMMEND).header("Content-Type", "text/plain")
                    .POST(HttpRequest.BodyPublishers.ofString("{" + HISTORY + "}")));
            assertEquals(415, plainText.status(), "a browser may send text/plain across origins: "
                    + plainText.raw().body());
            assertTrue(plainText.error().contains("application/json"), plainText.error());
        }
    }

    @Test
    void everyStringHasALimitNamedInTheRefusal() throws Exception {
        try (RunningServer server = RunningServer.start(first, config())) {
            String longId = "x".repeat(257);
            String longInBytes = "\u00e9".repeat(129); // 129 characters, 258 bytes
            assertBad(server, 400, RECOMMEND, "{\"requests\":[{\"history\":[\"1\",\"" + longId + "\"]}]}",
                    "requests[0].history[1]", "256 bytes");
            assertBad(server, 400, RECOMMEND, "{\"requests\":[{\"history\":[\"" + longInBytes + "\"]}]}",
                    "requests[0].history[0]", "256 bytes");
            assertBad(server, 400, RECOMMEND, "{\"requests\":[{\"history\":[\"1\"],\"exclude\":[\"" + longId
                    + "\"]}]}", "requests[0].exclude[0]", "256 bytes");
            assertBad(server, 400, RECOMMEND, "{\"requests\":[{\"user\":\"" + longId + "\",\"history\":[\"1\"]}]}",
                    "requests[0].user", "256 bytes");
            assertBad(server, 400, "/v1/items", items(item(longId, "title", "a title")), "items[0].item_id",
                    "256 bytes");
            String longText = "t".repeat(4097);
            for (String field : List.of("title", "brand")) {
                assertBad(server, 400, "/v1/items", items(item("n1", field, longText)), "items[0]." + field,
                        "4096 bytes");
            }
            JsonObject longCategory = item("n1", "title", "ok");
            JsonArray categories = new JsonArray();
            categories.add("Toys");
            categories.add(longText);
            longCategory.add("categories", categories);
            assertBad(server, 400, "/v1/items", items(longCategory), "items[0].categories[1]", "4096 bytes");
            JsonObject manyCategories = item("n1", "title", "ok");
            JsonArray many = new JsonArray();
            for (int i = 0; i < 33; i++) {
                many.add("level " + i);
            }
            manyCategories.add("categories", many);
            assertBad(server, 400, "/v1/items", items(manyCategories), "items[0].categories", "32");

            String description = "d".repeat(20_000);
            Reply cut = server.call("POST", "/v1/items", items(item("long-description", "description", description)));
            assertEquals(200, cut.status(), "a long description is cut, not refused: " + cut.raw().body());
        }
        try (ItemStore store = ItemStore.open(itemStore)) {
            ItemStore.StoredItem stored = store.all(new PrintStream(new ByteArrayOutputStream())).get(0);
            assertEquals("d".repeat(RequestLimits.DEFAULTS.maxDescriptionBytes()), stored.text().keywords());
        }
        RequestLimits small = new RequestLimits(1000, 512, 200, 1 << 20, 8, 16, 2, 32,
                java.time.Duration.ofSeconds(30));
        try (RunningServer server = RunningServer.start(first, config().withLimits(small))) {
            assertBad(server, 400, RECOMMEND, "{\"requests\":[{\"history\":[\"123456789\"]}]}", "8 bytes");
            assertBad(server, 400, "/v1/items", items(item("n1", "title", "x".repeat(17))), "16 bytes");
        }
    }

    static JsonObject item(String id, String field, String value) {
        JsonObject item = new JsonObject();
        item.addProperty("item_id", id);
        item.addProperty(field, value);
        return item;
    }

    static String items(JsonObject... entries) {
        JsonArray array = new JsonArray();
        for (JsonObject entry : entries) {
            array.add(entry);
        }
        JsonObject body = new JsonObject();
        body.add("items", array);
        return body.toString();
    }

    @Test
    void eachResultSaysHowManyOfTheHistorysItemsTheModelKnows() throws Exception {
        try (RunningServer server = RunningServer.start(first, config())) {
            Reply reply = server.call("POST", RECOMMEND, "{\"k\":3,\"requests\":[{\"history\":[\"nope\",\"nada\"]},"
                    + "{\"history\":[\"1\",\"nope\",\"2\"]},{\"history\":[]}]}");
            assertEquals(200, reply.status(), reply.raw().body());
            JsonArray results = reply.json().getAsJsonArray("results");
            assertEquals(0, results.get(0).getAsJsonObject().get("known_items").getAsInt());
            assertEquals(0, results.get(0).getAsJsonObject().getAsJsonArray("items").size());
            assertEquals(2, results.get(1).getAsJsonObject().get("known_items").getAsInt());
            assertEquals(3, results.get(1).getAsJsonObject().getAsJsonArray("items").size());
            assertEquals(0, results.get(2).getAsJsonObject().get("known_items").getAsInt());
        }
    }

    @Test
    void oddRequestsGetAClearAnswer() throws Exception {
        try (RunningServer server = RunningServer.start(first, config())) {
            assertBad(server, 400, RECOMMEND, "{\"k\":-1," + HISTORY + "}", "k must be");
            assertBad(server, 400, RECOMMEND, "{\"k\":1e12," + HISTORY + "}", "k must be");
            assertBad(server, 400, RECOMMEND, "{\"k\":\"5\"," + HISTORY + "}", "k must be");
            assertBad(server, 400, RECOMMEND, "{\"deadline_ms\":-5," + HISTORY + "}", "deadline_ms");
            for (String method : List.of("PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE")) {
                Reply reply = server.call(method, RECOMMEND, null);
                assertEquals(405, reply.status(), method);
                assertEquals("POST", reply.raw().headers().firstValue("Allow").orElse(""), method);
            }
            Reply other = server.api.send(server.api.request("/v1/model")
                    .method("BREW", HttpRequest.BodyPublishers.noBody()));
            assertEquals(405, other.status());
            assertEquals("GET", other.raw().headers().firstValue("Allow").orElse(""));

            String hugeHeader = raw(server.port(), "GET /v1/model HTTP/1.1\r\nHost: localhost\r\nX-Big: "
                    + "a".repeat(20 * 1024) + "\r\nConnection: close\r\n\r\n");
            assertTrue(hugeHeader.startsWith("HTTP/1.1 431") && hugeHeader.contains("{\"error\":"), hugeHeader);
            String badPath = raw(server.port(), "GET /v1/items/a%zz HTTP/1.1\r\nHost: localhost\r\n"
                    + "Connection: close\r\n\r\n");
            assertTrue(badPath.startsWith("HTTP/1.1 400") && badPath.contains("application/json")
                    && badPath.contains("{\"error\":"), "errors Jetty answers itself are JSON too: " + badPath);

            // item ids are any string: percent-encoded in the path, decoded once ('+' stays '+')
            String id = "a+b c/d%e\u00e9";
            assertEquals(200, server.call("POST", "/v1/items", items(item(id, "title", "Odd id"))).status());
            Reply tokens = server.call("GET", "/v1/items/" + URLEncoder.encode(id, StandardCharsets.UTF_8)
                    .replace("+", "%20"), null);
            assertEquals(200, tokens.status(), tokens.raw().body());
            assertEquals(id, tokens.json().get("item_id").getAsString());
            assertBad(server, 400, "/v1/items", items(item("tab\tid", "title", "t")), "items[0].item_id",
                    "control character");
            assertBad(server, 400, RECOMMEND, "{\"requests\":[{\"history\":[\"a\\u0000b\"]}]}",
                    "requests[0].history[0]", "control character");
        }
    }

    @Test
    void slowBodiesHoldNoServerThread() throws Exception {
        try (RunningServer server = RunningServer.start(first, config())) {
            List<Socket> slow = new ArrayList<>();
            try {
                for (int i = 0; i < 100; i++) { // more than the server's 64 threads
                    Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port());
                    OutputStream out = socket.getOutputStream();
                    out.write(("POST /v1/recommend HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                            + "Content-Length: 1000\r\n\r\n{\"requests\":").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    slow.add(socket);
                }
                Reply reply = server.api.send(server.api.request(RECOMMEND).header("Content-Type", "application/json")
                        .timeout(java.time.Duration.ofSeconds(15))
                        .POST(HttpRequest.BodyPublishers.ofString("{" + HISTORY + "}")));
                assertEquals(200, reply.status(), "served while 100 bodies trickle in");
                assertFalse(slow.get(0).isClosed());
            } finally {
                for (Socket socket : slow) {
                    socket.close();
                }
            }
        }
    }

    @Test
    void aBodyThatTricklesInIsCutOffAtTheBodyTimeout() throws Exception {
        RequestLimits quick = RequestLimits.DEFAULTS.withBodyTimeout(java.time.Duration.ofSeconds(1));
        try (RunningServer server = RunningServer.start(first, config().withLimits(quick));
             Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            socket.setSoTimeout(30_000);
            Thread trickle = new Thread(() -> {
                try {
                    OutputStream out = socket.getOutputStream();
                    out.write(("POST /v1/recommend HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                            + "Content-Length: 1000\r\n\r\n{").getBytes(StandardCharsets.US_ASCII));
                    for (int i = 0; i < 100; i++) { // a byte every 100 ms: never idle, never done
                        out.flush();
                        Thread.sleep(100);
                        out.write(' ');
                    }
                } catch (IOException | InterruptedException closedByTheServer) {
                    // the answer is read below
                }
            });
            trickle.start();
            String answer = readUntilClosed(socket.getInputStream());
            trickle.interrupt();
            assertTrue(answer.startsWith("HTTP/1.1 408") && answer.contains("1000 ms"), answer);
        }
    }

    /** What arrives until the server closes (a reset after the answer, for unread bytes, ends it too). */
    static String readUntilClosed(InputStream in) {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        try {
            for (int n; (n = in.read(buffer)) > 0; ) {
                received.write(buffer, 0, n);
            }
        } catch (IOException reset) {
            // what came before it is the answer
        }
        return received.toString(StandardCharsets.UTF_8);
    }

    /** Sends {@code request} as is over a socket and returns the whole response. */
    static String raw(int port, String request) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
