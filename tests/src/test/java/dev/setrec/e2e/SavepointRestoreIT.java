package dev.setrec.e2e;

import dev.setrec.e2e.support.SmallModel;
import dev.setrec.e2e.support.TrainedSmallModel;
import dev.setrec.jobs.bench.faults.SavepointRestoreScenario;
import dev.setrec.jobs.bench.faults.ScenarioResult;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Stop-with-savepoint and restore at another parallelism against an undisturbed run fed the same events
 * ({@link SavepointRestoreScenario}, which {@code ./setrec bench reliability} runs too): every recommendation's item
 * ids equal the undisturbed run's (so the histories and the onboarded items are equal), each interaction is answered
 * once by the model, and the first recommendation after the restore already lists the items onboarded before the
 * savepoint.
 */
@ExtendWith(TrainedSmallModel.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class SavepointRestoreIT {
    private static SavepointRestoreScenario scenario;
    private static SavepointRestoreScenario.Baseline undisturbed;

    @BeforeAll
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    static void runUndisturbed(@TempDir Path state) throws Exception {
        scenario = new SavepointRestoreScenario(SmallModel.get().served());
        undisturbed = scenario.runUndisturbed(state);
        assertEquals(List.of(), undisturbed.problems(), "the undisturbed run");
    }

    @ParameterizedTest(name = "restored at parallelism {0}")
    @ValueSource(ints = {1, 3})
    void aJobRestoredFromASavepointKeepsHistoriesAndOnboardedItems(int parallelismAfter, @TempDir Path state,
                                                                   @TempDir Path savepoints) throws Exception {
        ScenarioResult result = scenario.restoreAt(parallelismAfter, undisturbed, state, savepoints);
        assertEquals(List.of(), result.problems(), "broken guarantees");
    }
}
