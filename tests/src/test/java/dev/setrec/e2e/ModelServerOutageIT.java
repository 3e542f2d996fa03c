package dev.setrec.e2e;

import dev.setrec.e2e.support.SmallModel;
import dev.setrec.e2e.support.TrainedSmallModel;
import dev.setrec.jobs.bench.faults.ModelServerOutageScenario;
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
 * Remote scoring while the model server is away: down when the job starts, killed mid-stream, paused mid-stream
 * ({@link ModelServerOutageScenario}, which {@code ./setrec bench reliability} runs too). The job must never restart,
 * answer every interaction, mark the answers it makes without the server as fallback while they keep coming (no
 * stall behind timeouts), score on the model again once the server is back, and onboard there the item published
 * while the server was down.
 */
@ExtendWith(TrainedSmallModel.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ModelServerOutageIT {
    @Test
    void theJobAnswersEveryInteractionWhileTheModelServerIsDownKilledOrPausedAndScoresAgainOnceItIsBack(
            @TempDir Path state, @TempDir Path itemStore) throws Exception {
        ScenarioResult result = new ModelServerOutageScenario(SmallModel.get().served(), System.out)
                .run(state, itemStore);
        assertEquals(List.of(), result.problems(), "broken guarantees");
    }
}
