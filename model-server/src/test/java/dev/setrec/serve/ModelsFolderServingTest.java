package dev.setrec.serve;

import com.google.gson.JsonObject;
import dev.setrec.testing.TinyModelVersions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A server started on a models folder: the newest version serves, newer ones are picked up while it runs. */
@Timeout(120)
class ModelsFolderServingTest {
    private static final Duration REFRESH = Duration.ofMillis(50);

    @TempDir
    Path folder;
    @TempDir
    Path itemStore;

    private ServerConfig config() {
        return ServerConfig.defaults(itemStore).withPort(0).withModelsRefresh(REFRESH);
    }

    @Test
    void newerVersionsServeWithoutARestartAndABrokenOneIsSkippedOnce() throws Exception {
        String v1 = TinyModelVersions.write(folder, "v1", 1);
        try (RunningServer running = RunningServer.start(folder, config())) {
            assertEquals(v1, model(running).get("version").getAsString());
            assertEquals(200, running.call("POST", "/v1/items", "{\"items\":[{\"item_id\":\"new-1\","
                    + "\"title\":\"A brand new puzzle\"}]}").status());

            String v2 = TinyModelVersions.write(folder, "v2", 2);
            awaitVersion(running, v2);
            JsonObject served = model(running);
            assertEquals(folder.resolve("v2").toRealPath().toString(),
                    Path.of(served.get("dir").getAsString()).toRealPath().toString(), "the serving version's dir");
            assertEquals(v1, served.get("previous_version").getAsString(), "v1 is kept for a rollback");
            assertEquals(200, running.call("GET", "/v1/items/new-1", null).status(),
                    "the onboarded item carried over into v2");

            Path broken = TinyModelVersions.writeUnparsable(folder, "v3");
            awaitTrue(() -> running.log().contains(broken.toString()), "the broken v3 logged");
            assertEquals(v2, model(running).get("version").getAsString(), "v2 keeps serving");
            assertEquals(200, running.call("POST", "/v1/recommend", ModelServerTest.recommendBody(3, "1")).status());
            String v4 = TinyModelVersions.write(folder, "v4", 4); // the next check after v3 has been refused
            awaitVersion(running, v4);
            assertEquals(1, running.log().lines().filter(line -> line.contains(broken.toString())).count(),
                    "v3 logged once:\n" + running.log());
            assertEquals(200, running.call("POST", "/v1/model/load", "{\"dir\":\"v2\"}").status(),
                    "a manual load names a version relative to the models folder");
            assertEquals(v2, model(running).get("version").getAsString());
        }
    }

    @Test
    void aFolderWithoutALoadableVersionStopsTheStartWithTheReason() throws IOException {
        TinyModelVersions.writeUnparsable(folder, "v1");
        IOException e = assertThrows(IOException.class, () -> RunningServer.start(folder, config()));
        assertTrue(e.getMessage().contains("models folder " + folder) && e.getMessage().contains("no version"),
                e.getMessage());
    }

    private static JsonObject model(RunningServer running) throws IOException, InterruptedException {
        return running.call("GET", "/v1/model", null).json();
    }

    private static void awaitVersion(RunningServer running, String version) throws Exception {
        awaitTrue(() -> version.equals(model(running).get("version").getAsString()), "version " + version);
    }

    @FunctionalInterface
    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void awaitTrue(Condition condition, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.holds()) {
            assertTrue(System.nanoTime() < deadline, what + " within 30 s");
            Thread.sleep(20);
        }
    }
}
