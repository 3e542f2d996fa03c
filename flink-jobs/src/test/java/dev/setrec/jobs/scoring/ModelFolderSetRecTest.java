package dev.setrec.jobs.scoring;

import dev.setrec.model.ModelManifest;
import dev.setrec.models.ModelFolder;
import dev.setrec.schemas.ItemEvent;
import dev.setrec.testing.TinyModelVersions;
import dev.setrec.testing.TinyModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelFolderSetRecTest {
    private static final Duration REFRESH = Duration.ofMillis(50);
    private static final RankingOptions TOP_3 = new RankingOptions(3, false, 0);

    @TempDir
    Path folder;

    private ModelFolderSetRec open() {
        return new ModelFolderSetRec(folder, new TinyModels.HashEncoder(), REFRESH);
    }

    private static ItemEvent item(String id, String title) {
        return ItemEvent.newBuilder().setItemId(id).setTitle(title).setCategories(List.of()).setBrand("")
                .setDescription("").setEventTime(Instant.EPOCH).build();
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what + " within 30 s");
            Thread.sleep(20);
        }
    }

    @Test
    void anEmptyFolderIsNotAvailableKeepsOnboardedItemsAndServesTheFirstVersionWrittenInto() throws Exception {
        try (ModelFolderSetRec operator = open()) {
            assertFalse(operator.available());
            assertFalse(operator.catalogueLoaded(), "interactions on any item pass while no model is there");
            assertEquals(SetRecOperator.UNKNOWN_VERSION, operator.modelVersion());
            assertThrows(IllegalStateException.class,
                    () -> operator.recommend(List.<String[]>of(new String[] {"1"}), TOP_3), "fails fast");
            operator.addItems(List.of(item("new-1", "a new item")));

            String first = TinyModelVersions.write(folder, "v1", 1);
            await(() -> first.equals(operator.modelVersion()), "version v1 served");
            assertTrue(operator.available() && operator.catalogueLoaded());
            assertTrue(operator.knows("new-1"), "the item onboarded before any model is onboarded into it");
            assertEquals(3, operator.recommend(List.<String[]>of(new String[] {"1", "2"}), TOP_3).get(0).size());
        }
    }

    @Test
    void aNewerVersionIsSwappedInWithTheItemsOnboardedSoFar() throws Exception {
        String first = TinyModelVersions.write(folder, "v1", 1);
        try (ModelFolderSetRec operator = open()) {
            assertEquals(first, operator.modelVersion(), "a version present at the start serves at once");
            operator.addItems(List.of(item("new-1", "a new item")));

            String second = TinyModelVersions.write(folder, "v2", 2);
            await(() -> second.equals(operator.modelVersion()), "version v2 served");
            assertTrue(operator.knows("new-1"), "the onboarded item is in the new version");
            assertFalse(operator.recommend(List.<String[]>of(new String[] {"new-1"}), TOP_3).get(0).fallback(),
                    "the new version ranks a history of the onboarded item");
        }
    }

    @Test
    void aBrokenVersionIsSkippedAndTheCurrentOneKeepsServing() throws Exception {
        String first = TinyModelVersions.write(folder, "v1", 1);
        writeBroken("v2");
        try (ModelFolderSetRec operator = open()) {
            assertEquals(first, operator.modelVersion(), "the newest loadable version serves");
            writeBroken("v3");
            String fourth = TinyModelVersions.write(folder, "v4", 4);
            await(() -> fourth.equals(operator.modelVersion()), "version v4 served after the broken v3");
        }
    }

    /** A version whose weights do not match its model.json (its hash): it cannot be loaded. */
    private void writeBroken(String name) throws IOException {
        ModelFolder.addVersion(folder, name, dir -> {
            TinyModels.save(dir, 9);
            Files.writeString(dir.resolve("extra.bin"), "not part of the saved model");
        });
        assertTrue(Files.exists(folder.resolve(name).resolve(ModelManifest.FILE)));
    }
}
