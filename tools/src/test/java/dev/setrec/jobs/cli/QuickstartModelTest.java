package dev.setrec.jobs.cli;

import dev.setrec.data.Dataset;
import dev.setrec.data.GeneratedShop;
import dev.setrec.jobs.quickstart.LiveFigures;
import dev.setrec.jobs.quickstart.ReplayPlan;
import dev.setrec.jobs.scoring.ModelFolderSetRec;
import dev.setrec.model.ModelIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The quickstart's model without a quick model trained before: served at once, trained in the background. */
class QuickstartModelTest {
    private static final Dataset SHOP = GeneratedShop.generate();

    @TempDir
    Path home;
    @TempDir
    Path work;

    @Test
    void theJobStartsOnAnEmptyModelsFolderThatTheQuickModelJoinsOnceTrainedAndKeptForTheNextRun()
            throws Exception {
        Set<String> heldBack = ReplayPlan.of(SHOP, 42, 1).heldBackItemIds();
        try (QuickstartModel model = QuickstartModel.start(null, home, SHOP, null, new QuickModel.Budget(1, 1, 0.1),
                heldBack, work)) {
            Path folder = model.jobModel();
            assertTrue(ModelFolderSetRec.isModelsFolder(folder), "the job gets a models folder at once");
            long deadline = System.nanoTime() + 600_000_000_000L;
            while (ModelFolderSetRec.completeVersions(folder).isEmpty()) {
                assertTrue(System.nanoTime() < deadline, "no model added within 10 min");
                Thread.sleep(200);
            }
            Path added = ModelFolderSetRec.completeVersions(folder).get(0);
            String version = ModelIO.readManifest(added).version();
            assertEquals(Set.of(LiveFigures.FALLBACK, version), model.modelNames().keySet());
            assertEquals(SHOP.name() + "-setrec-quick", model.modelNames().get(version));
            assertEquals(SHOP.numItems() - heldBack.size(), ModelIO.readManifest(added).numItems(),
                    "the held-back item is left out");
            assertTrue(QuickModel.existing(home, SHOP).isPresent(), "the quick model is kept for the next run");
        }
    }

    @Test
    void closingStopsATrainingInProgressAndLeavesNoModelThatLooksComplete() throws Exception {
        QuickstartModel model = QuickstartModel.start(null, home, SHOP, null, QuickModel.Budget.GENERATED_SHOP,
                Set.of(), work);
        Thread.sleep(3_000); // under way
        long started = System.nanoTime();
        model.close();
        assertTrue(System.nanoTime() - started < 30_000_000_000L, "stopped within 30 s");
        assertEquals(List.of(), ModelFolderSetRec.completeVersions(model.jobModel()));
        assertTrue(QuickModel.existing(home, SHOP).isEmpty(), "no quick model kept from a stopped training");
    }
}
