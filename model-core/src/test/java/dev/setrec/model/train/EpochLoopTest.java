package dev.setrec.model.train;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.setrec.nn.Engines;
import dev.setrec.nn.ParameterStore;
import org.junit.jupiter.api.Test;

import java.io.PrintStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The epoch loop's learning-rate plateaus, early stopping and the replay of a run's scales in a refit. */
class EpochLoopTest {
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());
    private static final List<Windows.Window> WINDOWS = Windows.of(List.of(new int[] {0, 1, 2, 3}), 10);

    /** Runs the loop with scripted valid scores; returns the scale each epoch's steps were given. */
    private static double[] scalesSeen(EpochLoop.Settings settings, double[] validScores, JsonObject[] record) {
        List<Double> seen = new ArrayList<>();
        int[] epoch = {0};
        try (NDManager manager = Engines.pytorch().newBaseManager();
             ParameterStore params = new ParameterStore(manager, 1)) {
            params.constant("w", 0f, 1);
            record[0] = new EpochLoop(settings, QUIET).run(WINDOWS, params, (batch, lrScale) -> {
                seen.add(lrScale);
                return 1.0;
            }, () -> new EpochLoop.Validation(validScores[epoch[0]++], new JsonObject()));
        }
        return seen.stream().mapToDouble(Double::doubleValue).toArray();
    }

    @Test
    void everyTwoEpochsWithoutABetterScoreCutTheRateAndPatienceStillStops() {
        // best at 2, plateau after 4 (cut), best at 5, plateaus after 7 and 9 (cuts), patience 5 ends after 10
        double[] valid = {0.1, 0.2, 0.15, 0.15, 0.3, 0.2, 0.2, 0.2, 0.2, 0.2, 0.9};
        JsonObject[] record = new JsonObject[1];
        double[] seen = scalesSeen(new EpochLoop.Settings(20, 5, 0, 0, 64, 7, 0.5, null, 0), valid, record);

        assertArrayEquals(new double[] {1, 1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.125}, seen);
        assertEquals(5, record[0].get("best_epoch").getAsInt());
        JsonArray epochs = record[0].getAsJsonArray("epochs");
        assertEquals(10, epochs.size());
        for (int e = 0; e < seen.length; e++) {
            assertEquals(seen[e], epochs.get(e).getAsJsonObject().get("lr_scale").getAsDouble(), "epoch " + (e + 1));
        }
    }

    @Test
    void withoutACutTheRateStaysConstant() {
        double[] valid = {0.1, 0.05, 0.05, 0.05, 0.05};
        double[] seen = scalesSeen(new EpochLoop.Settings(20, 3, 0, 0, 64, 7), valid, new JsonObject[1]);
        assertArrayEquals(new double[] {1, 1, 1, 1}, seen);
    }

    @Test
    void aRefitReplaysTheGivenScalesAndRunsAtOneBeyondThem() {
        double[] seen = scalesSeen(new EpochLoop.Settings(20, 5, 4, 0, 64, 7, 0, new double[] {1, 0.5, 0.25}, 0),
                new double[0], new JsonObject[1]);
        assertArrayEquals(new double[] {1, 0.5, 0.25, 1}, seen);
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
            new EpochLoop(new EpochLoop.Settings(20, 2, 0, 0, 64, 7, 0, null, 0.5), QUIET).run(WINDOWS, params,
                    (batch, lrScale) -> {
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
}
