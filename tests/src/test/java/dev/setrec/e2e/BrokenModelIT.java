package dev.setrec.e2e;

import dev.setrec.e2e.support.SmallModel;
import dev.setrec.e2e.support.TrainedSmallModel;
import dev.setrec.jobs.bench.faults.BrokenModelScenario;
import dev.setrec.jobs.bench.faults.ScenarioResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A model dir that cannot be loaded ({@link BrokenModelScenario}, which {@code ./setrec bench reliability} runs too):
 * restarting cannot mend it, so the job fails at once, without going through its restart attempts, and its error
 * names the model dir and what is wrong with it.
 */
@ExtendWith(TrainedSmallModel.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class BrokenModelIT {
    @Test
    void aModelDirThatDoesNotLoadFailsTheJobOnceNamingTheDirAndTheProblem(@TempDir Path state, @TempDir Path copies)
            throws Exception {
        ScenarioResult result = new BrokenModelScenario(SmallModel.get().served()).run(state, copies);
        assertEquals(List.of(), result.problems(), "broken guarantees");
    }
}
