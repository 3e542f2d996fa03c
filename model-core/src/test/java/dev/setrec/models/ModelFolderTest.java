package dev.setrec.models;

import dev.setrec.model.ModelIO;
import dev.setrec.testing.TinyModelVersions;
import dev.setrec.testing.TinyModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelFolderTest {
    @TempDir
    Path folder;

    @Test
    void versionsAreTheSubfoldersWithModelJsonNewestByNameLeavingOutTemporaryNames() throws IOException {
        TinyModelVersions.write(folder, "2026-01-02", 1);
        TinyModelVersions.write(folder, "2026-01-10", 2);
        Files.createDirectories(folder.resolve("2026-02-01")); // being written: no model.json yet
        TinyModels.save(folder.resolve(".2026-03-01.tmp"), 3);
        assertEquals(List.of(folder.resolve("2026-01-10"), folder.resolve("2026-01-02")),
                ModelFolder.completeVersions(folder));
        assertTrue(ModelFolder.isModelsFolder(folder));
        assertFalse(ModelFolder.isModelsFolder(folder.resolve("2026-01-10")), "a model dir");
    }

    @Test
    void theVersionsToTryAreNewerThanTheLoadedOneAndNotKnownBroken() throws IOException {
        for (String name : List.of("v1", "v2", "v3", "v4")) {
            TinyModelVersions.write(folder, name, 1);
        }
        assertEquals(List.of(folder.resolve("v4"), folder.resolve("v2")),
                ModelFolder.versionsToTry(folder, "v1", Set.of("v3")));
        assertEquals(List.of(), ModelFolder.versionsToTry(folder, "v4", Set.of()));
    }

    @Test
    void theWatcherLoadsEachNewerVersionOnceAndReportsABrokenOneOnce() throws Exception {
        TinyModelVersions.write(folder, "v1", 1);
        List<Path> tried = new CopyOnWriteArrayList<>();
        List<String> warnings = new CopyOnWriteArrayList<>();
        ModelFolder.VersionLoader parseManifest = dir -> {
            tried.add(dir);
            ModelIO.readManifest(dir);
        };
        try (ModelFolder.Watcher watcher = new ModelFolder.Watcher(folder, Duration.ofMillis(20), parseManifest,
                warnings::add)) {
            assertEquals("v1", watcher.newestLoaded(), "the version present at the start loads at once");
            TinyModelVersions.writeUnparsable(folder, "v3"); // before v2: v3 is tried first however the checks fall
            TinyModelVersions.write(folder, "v2", 2);
            awaitTrue(() -> tried.contains(folder.resolve("v3")) && "v2".equals(watcher.newestLoaded()));
            TinyModelVersions.write(folder, "v4", 4);
            awaitTrue(() -> "v4".equals(watcher.newestLoaded()));
        }
        assertEquals(List.of("v1", "v3", "v2", "v4"), tried.stream().map(ModelFolder::name).toList(),
                "newest first, the broken v3 tried once, nothing loaded twice");
        assertEquals(1, warnings.size(), "one warning: " + warnings);
        assertTrue(warnings.get(0).contains(folder.resolve("v3").toString()), warnings.get(0));
    }

    private static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "not within 30 s");
            Thread.sleep(10);
        }
    }
}
