package dev.setrec.jobs.cli;

import dev.setrec.data.Dataset;
import dev.setrec.data.GeneratedShop;
import dev.setrec.jobs.quickstart.LiveFigures;
import dev.setrec.jobs.quickstart.ReplayPlan;
import dev.setrec.model.ModelIO;
import dev.setrec.model.ModelManifest;
import dev.setrec.models.ModelFolder;
import dev.setrec.models.Promotion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The quickstart's model without a quick model trained before: served at once, trained in the background. */
class QuickstartModelTest {
    private static final Dataset SHOP = GeneratedShop.generate();

    @TempDir
    Path home;
    @TempDir
    Path work;

    @Test
    void theJobStartsOnAnEmptyModelsFolderThatTheQuickModelAndThenItsRefitJoinKeptForTheNextRun()
            throws Exception {
        Set<String> heldBack = ReplayPlan.of(SHOP, 42, 1).heldBackItemIds();
        try (QuickstartModel model = QuickstartModel.start(null, home, SHOP, null, new QuickModel.Budget(1, 0, 1, 0.1),
                heldBack, work)) {
            Path folder = model.folder();
            assertTrue(ModelFolder.isModelsFolder(folder), "the job gets a models folder at once");
            assertFalse(model.settled(), "no SETRec to refresh yet");
            Path added = awaitVersions(folder, 1).get(0);
            String version = ModelIO.readManifest(added).version();
            assertEquals(Set.of(LiveFigures.FALLBACK, version), model.modelNames().keySet());
            assertEquals(SHOP.name() + "-setrec-quick", model.modelNames().get(version));
            assertEquals(SHOP.numItems() - heldBack.size(), ModelIO.readManifest(added).numItems(),
                    "the held-back item is left out");
            assertEquals("train", ModelIO.readManifest(added).training().get("fit").getAsString());

            Path refit = awaitVersions(folder, 2).get(0);
            assertTrue(refit.getFileName().toString().compareTo(added.getFileName().toString()) > 0,
                    "the refit is the newest version: the one the job swaps in and serves");
            ModelManifest refitManifest = ModelIO.readManifest(refit);
            assertEquals("train+valid", refitManifest.training().get("fit").getAsString());
            assertEquals(ModelIO.readManifest(added).training().get("best_epoch"),
                    refitManifest.training().getAsJsonObject("chosen_on_valid").get("epochs"));
            assertEquals(SHOP.name() + "-setrec-quick-refit", model.modelNames().get(refitManifest.version()));
            assertEquals(Optional.of(QuickModel.refitDir(home, SHOP)), QuickModel.existing(home, SHOP),
                    "the refit is kept for the next run");
            assertRefreshCanAddAfter(folder);
            while (model.stillTraining()) {
                Thread.sleep(200);
            }
            assertTrue(model.underWay(), "a model just added is on its way until it serves or the takeover wait ends");
            assertTrue(model.settled(), "trained and added: a refresh can start");
        }
        try (QuickstartModel next = QuickstartModel.start(null, home, SHOP, null, QuickModel.Budget.GENERATED_SHOP,
                heldBack, work.resolve("next-run"))) {
            assertTrue(next.settled(), "the kept model serves from the start: a refresh can start at once");
            assertEquals(1, ModelFolder.completeVersions(next.folder()).size());
            assertRefreshCanAddAfter(next.folder());
        }
    }

    /** The versions' names sort before the name a refresh gives the version it adds now. */
    private static void assertRefreshCanAddAfter(Path folder) throws IOException {
        String newest = ModelFolder.name(ModelFolder.completeVersions(folder).get(0));
        assertTrue(Promotion.nextVersionName(folder, "refreshed", Clock.systemUTC()).compareTo(newest) > 0, newest);
    }

    /** The folder's complete versions, newest first, once there are {@code count}. */
    private static List<Path> awaitVersions(Path folder, int count) throws Exception {
        long deadline = System.nanoTime() + 600_000_000_000L;
        while (ModelFolder.completeVersions(folder).size() < count) {
            assertTrue(System.nanoTime() < deadline, "no " + count + " models added within 10 min");
            Thread.sleep(200);
        }
        return ModelFolder.completeVersions(folder);
    }

    @Test
    void closingStopsATrainingInProgressAndLeavesNoModelThatLooksComplete() throws Exception {
        QuickstartModel model = QuickstartModel.start(null, home, SHOP, null, QuickModel.Budget.GENERATED_SHOP,
                Set.of(), work);
        Thread.sleep(3_000); // under way
        long started = System.nanoTime();
        model.close();
        assertTrue(System.nanoTime() - started < 30_000_000_000L, "stopped within 30 s");
        assertEquals(List.of(), ModelFolder.completeVersions(model.folder()));
        assertTrue(QuickModel.existing(home, SHOP).isEmpty(), "no quick model kept from a stopped training");
    }
}
