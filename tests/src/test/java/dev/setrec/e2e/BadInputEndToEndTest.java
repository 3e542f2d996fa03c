package dev.setrec.e2e;

import dev.setrec.e2e.support.SmallModel;
import dev.setrec.e2e.support.TrainedSmallModel;
import dev.setrec.jobs.bench.faults.BadInputScenario;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every kind of bad input sent to the running job through a real broker, as an outside producer would, with the
 * real (small) model, in both delivery modes ({@link BadInputScenario}, which {@code ./setrec bench reliability} runs
 * too): each kind gets its dead letter or its documented handling, and the job neither fails nor restarts, though
 * its restart strategy would let it.
 */
@ExtendWith(TrainedSmallModel.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class BadInputEndToEndTest {
    @ParameterizedTest
    @EnumSource(value = DeliveryGuarantee.class, names = {"AT_LEAST_ONCE", "EXACTLY_ONCE"})
    void noMessageStopsTheJobAndEachKindGetsItsOutcome(DeliveryGuarantee delivery, @TempDir Path state)
            throws Exception {
        BadInputScenario.Result result = new BadInputScenario(SmallModel.get().served()).run(delivery, state);
        assertEquals(List.of(), result.problems(), "broken guarantees");
    }
}
