package dev.setrec.serve;

import dev.setrec.testing.TinyModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

/**
 * What the server tests start from: two tiny models saved once per test class in one models root (the second to
 * load or swap to), a fresh item store per test, and the default config on a free port.
 */
abstract class TinyModelsSetup {
    @TempDir
    static Path models;
    static Path first;
    static Path second;

    @TempDir
    Path itemStore;

    @BeforeAll
    static void saveModels() throws IOException {
        first = TinyModels.save(models.resolve("first"), 1);
        second = TinyModels.save(models.resolve("second"), 2);
    }

    ServerConfig config() {
        return ServerConfig.defaults(itemStore).withPort(0);
    }
}
