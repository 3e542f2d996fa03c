package dev.setrec.serve;

import dev.setrec.serve.ApiClient.Reply;
import dev.setrec.testing.TinyModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The model server as an outsider meets it: who may call what, where it listens, what it loads, what it counts. */
@Timeout(180)
class ApiSecurityTest extends TinyModelsSetup {
    static final String SCORING = "scoring-token";
    static final String ADMIN = "admin-token";

    @Test
    void aNonLoopbackAddressWithoutATokenIsRefusedUnlessTheOperatorAsksForIt() throws Exception {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> RunningServer.start(first, config().withHost("0.0.0.0")));
        assertTrue(refused.getMessage().contains("--insecure-no-auth")
                && refused.getMessage().contains(ServerConfig.TOKEN_ENV), refused.getMessage());
        try (RunningServer server = RunningServer.start(first, config().withHost("0.0.0.0").withToken(SCORING))) {
            assertEquals(401, server.call("GET", "/v1/model", null).status());
        }
        try (RunningServer server = RunningServer.start(first, config().withHost("0.0.0.0").withInsecureNoAuth())) {
            assertEquals(200, server.call("GET", "/v1/model", null).status());
            assertTrue(server.log().contains("WITHOUT authentication"), server.log());
        }
        try (RunningServer server = RunningServer.start(first, config().withHost("localhost"))) {
            assertEquals(200, server.call("GET", "/v1/model", null).status(), "loopback: no token needed");
        }
    }

    @Test
    void modelManagementTakesTheAdminTokenAndTheScoringTokenDoesNotGrantIt() throws Exception {
        try (RunningServer server = RunningServer.start(first, config().withToken(SCORING).withAdminToken(ADMIN))) {
            String load = "{\"dir\":\"second\"}";
            Reply withScoringToken = server.call("POST", "/v1/model/load", load, SCORING);
            assertEquals(403, withScoringToken.status(), withScoringToken.raw().body());
            assertTrue(withScoringToken.error().contains("admin token"), withScoringToken.error());
            assertEquals(403, server.call("POST", "/v1/model/rollback", null, SCORING).status());
            assertEquals(401, server.call("POST", "/v1/model/load", load, null).status());
            assertEquals(401, server.call("POST", "/v1/model/load", load, "guess").status());

            assertEquals(200, server.call("POST", "/v1/model/load", load, ADMIN).status());
            assertEquals(200, server.call("POST", "/v1/model/rollback", null, ADMIN).status());

            Reply scoringWithAdminToken = server.call("POST", "/v1/recommend", ModelServerTest.recommendBody(3, "1"),
                    ADMIN);
            assertEquals(403, scoringWithAdminToken.status(), "the admin token is for model management only");
            assertEquals(200, server.call("POST", "/v1/recommend", ModelServerTest.recommendBody(3, "1"), SCORING)
                    .status());
        }
    }

    @Test
    void withoutAnAdminTokenModelManagementIsOffUnlessTheServerIsAnOpenLoopbackOne() throws Exception {
        try (RunningServer server = RunningServer.start(first, config().withToken(SCORING))) {
            Reply refused = server.call("POST", "/v1/model/load", "{\"dir\":\"second\"}", SCORING);
            assertEquals(403, refused.status());
            assertTrue(refused.error().contains(ServerConfig.ADMIN_TOKEN_ENV), refused.error());
            assertEquals(403, server.call("POST", "/v1/model/rollback", null, SCORING).status());
        }
        try (RunningServer server = RunningServer.start(first, config().withHost("0.0.0.0").withInsecureNoAuth())) {
            Reply refused = server.call("POST", "/v1/model/load", "{\"dir\":\"second\"}");
            assertEquals(403, refused.status(), "--insecure-no-auth opens scoring, not model management");
            assertTrue(refused.error().contains(ServerConfig.ADMIN_TOKEN_ENV), refused.error());
        }
        try (RunningServer server = RunningServer.start(first, config())) {
            assertEquals(200, server.call("POST", "/v1/model/load", "{\"dir\":\"second\"}").status(),
                    "no token at all, on loopback: development");
        }
        IllegalArgumentException same = assertThrows(IllegalArgumentException.class,
                () -> RunningServer.start(first, config().withToken(SCORING).withAdminToken(SCORING)));
        assertTrue(same.getMessage().contains("differ"), same.getMessage());
    }

    @Test
    void metricsStayBoundedUnderRandomPathsWithAndWithoutAToken() throws Exception {
        for (String token : new String[] {null, SCORING}) {
            try (RunningServer server = RunningServer.start(first,
                    token == null ? config() : config().withToken(token))) {
                Random random = new Random(7);
                randomCalls(server, random, 50);
                scrape(server, token); // the scrape's own series appears from here on
                String before = scrape(server, token);
                randomCalls(server, random, 2_000);
                String after = scrape(server, token);
                assertEquals(before.lines().count(), after.lines().count(), "series after 2,000 random paths:\n"
                        + after);
                Set<String> labels = pathLabels(after);
                Set<String> allowed = Set.of("/v1/recommend", "/v1/items", "/v1/items/{item_id}", "/v1/model",
                        "/v1/model/load", "/v1/model/rollback", "/health/live", "/health/ready", "/metrics",
                        "unmatched");
                assertTrue(allowed.containsAll(labels), "path labels " + labels);
                assertTrue(after.length() < 20_000, after.length() + " bytes of metrics");
            }
        }
    }

    private static void randomCalls(RunningServer server, Random random, int calls) throws Exception {
        List<String> prefixes = List.of("/", "/v1/", "/v1/items/", "/health/", "/v1/model/", "/metrics/");
        List<String> methods = List.of("GET", "POST", "PUT", "DELETE");
        for (int i = 0; i < calls; i++) {
            String path = prefixes.get(random.nextInt(prefixes.size())) + Long.toString(random.nextLong() >>> 1, 36);
            server.call(methods.get(random.nextInt(methods.size())), path, null);
        }
    }

    private static String scrape(RunningServer server, String token) throws Exception {
        Reply reply = server.call("GET", "/metrics", null, token);
        assertEquals(200, reply.status());
        return reply.raw().body();
    }

    private static Set<String> pathLabels(String metrics) {
        Set<String> labels = new HashSet<>();
        Matcher m = Pattern.compile("path=\"([^\"]*)\"").matcher(metrics);
        while (m.find()) {
            labels.add(m.group(1));
        }
        return labels;
    }

    @Test
    void aSymlinkBelowTheModelsRootThatLeadsOutOfItIsRefused(@TempDir Path outside) throws Exception {
        Path elsewhere = TinyModels.save(outside.resolve("elsewhere"), 4);
        Path escape = Files.createSymbolicLink(models.resolve("escape"), elsewhere);
        Path alias = Files.createSymbolicLink(models.resolve("alias"), second);
        try (RunningServer server = RunningServer.start(first, config())) {
            for (String dir : List.of("\"escape\"", ModelServerTest.quote(escape))) {
                Reply refused = server.call("POST", "/v1/model/load", "{\"dir\":" + dir + "}");
                assertEquals(400, refused.status(), dir + ": " + refused.raw().body());
                assertTrue(refused.error().contains("models root"), refused.error());
            }
            assertEquals(200, server.call("POST", "/v1/model/load", "{\"dir\":\"alias\"}").status(),
                    "a link that stays below the root is followed");
        } finally {
            Files.delete(escape);
            Files.delete(alias);
        }
    }

    @Test
    void theModelsRootIsNeverAFilesystemRoot() {
        Path root = Path.of("/").toAbsolutePath();
        IllegalArgumentException byDefault = assertThrows(IllegalArgumentException.class,
                () -> RunningServer.start(root.resolve("setrec-model"), config()));
        assertTrue(byDefault.getMessage().contains("--models-root"), byDefault.getMessage());
        IllegalArgumentException named = assertThrows(IllegalArgumentException.class,
                () -> RunningServer.start(first, config().withModelsRoot(root)));
        assertTrue(named.getMessage().contains("filesystem root"), named.getMessage());
    }

    @Test
    void aServerWithoutATokenAnswersOnlyRequestsForALoopbackHost() throws Exception {
        try (RunningServer server = RunningServer.start(first, config())) {
            assertTrue(rawGet(server.port(), "evil.example:" + server.port()).startsWith("HTTP/1.1 403"),
                    "a page that rebinds its name to 127.0.0.1 must not reach an open server");
            assertTrue(rawGet(server.port(), "localhost:" + server.port()).startsWith("HTTP/1.1 200"));
            assertTrue(rawGet(server.port(), "127.0.0.1:" + server.port()).startsWith("HTTP/1.1 200"));
        }
    }

    /** GET /v1/model with the given Host header, over a socket (HTTP clients do not let one set Host). */
    static String rawGet(int port, String host) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /v1/model HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
