package dev.setrec.jobs.bench.faults;

import org.apache.flink.connector.base.DeliveryGuarantee;

import java.util.List;
import java.util.OptionalDouble;

/**
 * What one fault scenario measured: the faults it injected, the interactions it sent and what became of them, and
 * every guarantee that did not hold (one line each). The tests assert that {@link #problems()} is empty; the
 * reliability benchmark records it. A scenario whose wait ran out or whose job ended still reports what it counted.
 *
 * @param scenario   what was run, in words
 * @param delivery   the job's delivery guarantee (which duplicates are allowed)
 * @param faults     the faults injected, one entry each
 * @param events     interactions sent
 * @param lost       interactions sent that no recommendation answered
 * @param duplicates recommendations read beyond the first one per interaction
 * @param restarts   how often the job restarted
 * @param recovery   seconds from the fault until every interaction was answered in time again ({@link Recovery}),
 *                   where the scenario measures it and the job got there
 * @param problems   the guarantees that did not hold, each with what was seen
 */
public record ScenarioResult(String scenario, DeliveryGuarantee delivery, List<String> faults, int events, int lost,
                             int duplicates, int restarts, OptionalDouble recovery, List<String> problems) {
    public ScenarioResult {
        faults = List.copyOf(faults);
        problems = List.copyOf(problems);
    }

    /** A scenario that could not run to its end: nothing counted, the error as its problem. */
    public static ScenarioResult failedToRun(String scenario, DeliveryGuarantee delivery, List<String> faults,
                                             Exception error) {
        return new ScenarioResult(scenario, delivery, faults, 0, 0, 0, 0, OptionalDouble.empty(),
                List.of("the scenario did not run to its end: " + error));
    }

    /** Whether every guarantee held. */
    public boolean held() {
        return problems.isEmpty();
    }
}
