package dev.setrec.model.train;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import dev.setrec.nn.Engines;
import dev.setrec.nn.ParameterStore;
import org.junit.jupiter.api.Test;

import java.io.PrintStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The epoch loop's early stopping and weight average. */
class EpochLoopTest {
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());
    private static final List<Windows.Window> WINDOWS = Windows.of(List.of(new int[] {0, 1, 2, 3}), 10);

    @Test
    void patienceEpochsWithoutABetterScoreStopTrainingAndTheBestEpochsWeightsAreKept() {
        double[] valid = {0.1, 0.3, 0.2, 0.2, 0.2, 0.9};
        int[] epoch = {0};
        try (NDManager manager = Engines.pytorch().newBaseManager();
             ParameterStore params = new ParameterStore(manager, 1)) {
            params.constant("w", 0f, 1);
            JsonObject record = new EpochLoop(new EpochLoop.Settings(20, 3, 0, 0, 64, 7), QUIET).run(WINDOWS, params,
                    batch -> {
                        params.get("w").set(new float[] {epoch[0] + 1});
                        return 1.0;
                    }, () -> new EpochLoop.Validation(valid[epoch[0]++], new JsonObject()));
            assertEquals(5, record.get("epochs_run").getAsInt(), "3 epochs after the best one");
            assertEquals(2, record.get("best_epoch").getAsInt());
            assertEquals(2f, params.get("w").getFloat(), "the weights of epoch 2");
        }
    }

    @Test
    void withAWeightAverageTheAverageIsValidatedAndKeptWhileTrainingGoesOnFromTheRawWeights() {
        List<Float> seenByStep = new ArrayList<>();
        List<Float> validated = new ArrayList<>();
        double[] valid = {0.1, 0.2, 0.1, 0.1};
        int[] epoch = {0};
        try (NDManager manager = Engines.pytorch().newBaseManager();
             ParameterStore params = new ParameterStore(manager, 1)) {
            params.constant("w", 0f, 1);
            new EpochLoop(new EpochLoop.Settings(20, 2, 0, 0, 64, 7, 0.5), QUIET).run(WINDOWS, params,
                    batch -> {
                        seenByStep.add(params.get("w").getFloat());
                        params.get("w").set(new float[] {1f});
                        return 1.0;
                    }, () -> {
                        validated.add(params.get("w").getFloat());
                        return new EpochLoop.Validation(valid[epoch[0]++], new JsonObject());
                    });
            // one step an epoch; decay min(0.5, (1 + t) / (10 + t)): 0.1, then 2/11, 3/12, 4/13
            float a1 = 0.9f;
            float a2 = a1 * 2 / 11f + 9 / 11f;
            assertEquals(a1, validated.get(0), 1e-6);
            assertEquals(a2, validated.get(1), 1e-6);
            assertEquals(List.of(0f, 1f, 1f, 1f), seenByStep, "training continues from the raw weights");
            assertEquals(a2, params.get("w").getFloat(), 1e-6, "the best epoch's average is kept");
        }
    }

    /** Ten single-item-target windows, two tokens a batch: five steps an epoch. */
    private static final List<Windows.Window> TEN = Windows.of(List.of(new int[] {0, 1}, new int[] {1, 2},
            new int[] {2, 3}, new int[] {3, 4}, new int[] {4, 5}, new int[] {5, 6}, new int[] {6, 7},
            new int[] {7, 8}, new int[] {8, 9}, new int[] {9, 0}), 10);

    @Test
    void aLoneStepWhoseLossIsNotFiniteIsLeftOutAndTrainingGoesOn() {
        int[] steps = {0};
        try (NDManager manager = Engines.pytorch().newBaseManager();
             ParameterStore params = new ParameterStore(manager, 1)) {
            params.constant("w", 0f, 1);
            JsonObject record = new EpochLoop(new EpochLoop.Settings(2, 0, 2, 0, 2, 7), QUIET).run(TEN, params,
                    batch -> ++steps[0] == 3 ? Double.NaN : 2.0, () -> new EpochLoop.Validation(0, new JsonObject()));
            assertEquals(10, steps[0], "every step of both epochs ran");
            assertEquals(1, record.get("steps_left_out").getAsInt());
            assertEquals(2.0, record.getAsJsonArray("epochs").get(0).getAsJsonObject().get("loss").getAsDouble(),
                    "the epoch's loss is the mean of the steps that counted");
        }
    }

    @Test
    void stepsInARowWhoseLossIsNotFiniteEndTrainingAsDiverged() {
        try (NDManager manager = Engines.pytorch().newBaseManager();
             ParameterStore params = new ParameterStore(manager, 1)) {
            params.constant("w", 0f, 1);
            int[] steps = {0};
            IllegalStateException diverged = assertThrows(IllegalStateException.class, () -> new EpochLoop(
                    new EpochLoop.Settings(2, 0, 2, 0, 2, 7), QUIET).run(TEN, params,
                    batch -> ++steps[0] >= 2 ? Double.POSITIVE_INFINITY : 1.0,
                    () -> new EpochLoop.Validation(0, new JsonObject())));
            assertTrue(diverged.getMessage().contains("diverged"), diverged.getMessage());
            assertEquals(1 + EpochLoop.MAX_SKIPPED_IN_A_ROW, steps[0], "it stops at the run's last step");
        }
    }
}
