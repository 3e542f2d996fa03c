package dev.setrec.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** AdamW's in-place update, and the step it leaves out when the loss or a gradient is not finite. */
class AdamWTest {
    /** Backward of sum(w * x): the gradient of w is x. */
    private static void backward(ParameterStore params, float... x) {
        try (NDManager scope = params.manager().newSubManager()) {
            params.lendTo(scope);
            try (GradientCollector collector = Engines.pytorch().newGradientCollector()) {
                collector.backward(params.get("w").mul(scope.create(x)).sum());
            }
        }
    }

    @Test
    void aStepWithANonFiniteGradientChangesNoWeightAndNoMomentAndLaterStepsGoOnAsIfItHadNotBeen() {
        try (NDManager manager = Engines.pytorch().newBaseManager();
             ParameterStore disturbed = new ParameterStore(manager, 1);
             ParameterStore undisturbed = new ParameterStore(manager, 1)) {
            disturbed.constant("w", 1f, 3);
            undisturbed.constant("w", 1f, 3);
            AdamW withBadStep = new AdamW(disturbed, 0.1f, name -> true);
            AdamW reference = new AdamW(undisturbed, 0.1f, name -> true);

            backward(disturbed, 0.5f, -1f, 2f);
            backward(undisturbed, 0.5f, -1f, 2f);
            assertTrue(withBadStep.step(0.01f, 1f));
            assertTrue(reference.step(0.01f, 1f));
            float[] before = disturbed.get("w").toFloatArray();

            backward(disturbed, Float.NaN, 1f, Float.POSITIVE_INFINITY);
            assertFalse(withBadStep.step(0.01f, 1f), "a step with non-finite gradients is left out");
            assertArrayEquals(before, disturbed.get("w").toFloatArray(), "the weights are unchanged");
            NDArray gradient = disturbed.get("w").getGradient();
            assertArrayEquals(new float[3], gradient.toFloatArray(), "the gradients are zeroed");
            gradient.close();

            backward(disturbed, 1f, 1f, 1f);
            backward(undisturbed, 1f, 1f, 1f);
            assertTrue(withBadStep.step(0.01f, 1f));
            assertTrue(reference.step(0.01f, 1f));
            assertArrayEquals(undisturbed.get("w").toFloatArray(), disturbed.get("w").toFloatArray(),
                    "moments and step count untouched by the left-out step");
        }
    }

    @Test
    void aStepWhoseLossIsNotFiniteIsLeftOutEvenWithFiniteGradients() {
        try (NDManager manager = Engines.pytorch().newBaseManager();
             ParameterStore params = new ParameterStore(manager, 1)) {
            params.constant("w", 1f, 3);
            AdamW optimizer = new AdamW(params, 0.1f, name -> true);
            backward(params, 0.5f, -1f, 2f);
            assertFalse(optimizer.step(0.01f, Float.NaN));
            assertArrayEquals(new float[] {1f, 1f, 1f}, params.get("w").toFloatArray(), "the weights are unchanged");
            assertEquals(0, optimizer.steps(), "a left-out step is not counted");
            NDArray gradient = params.get("w").getGradient();
            assertArrayEquals(new float[3], gradient.toFloatArray(), "the gradients are zeroed");
            gradient.close();
        }
    }

    @Test
    void aParameterWithARateScaleMovesByThatMultipleOfTheStep() {
        try (NDManager manager = Engines.pytorch().newBaseManager();
             ParameterStore params = new ParameterStore(manager, 1)) {
            params.constant("w", 1f, 3);
            params.constant("fast", 1f, 3);
            AdamW optimizer = new AdamW(params, 0f, name -> false, name -> name.equals("fast") ? 10 : 1);
            try (NDManager scope = params.manager().newSubManager()) {
                params.lendTo(scope);
                try (GradientCollector collector = Engines.pytorch().newGradientCollector()) {
                    NDArray x = scope.create(new float[] {0.5f, -1f, 2f});
                    collector.backward(params.get("w").mul(x).sum().add(params.get("fast").mul(x).sum()));
                }
            }
            assertTrue(optimizer.step(0.01f, 1f));
            float[] slow = params.get("w").toFloatArray();
            float[] fast = params.get("fast").toFloatArray();
            for (int i = 0; i < 3; i++) { // Adam's first step is the rate times the gradient's sign
                assertEquals(10 * (1 - slow[i]), 1 - fast[i], 1e-5);
                assertEquals(0.01f, Math.abs(1 - slow[i]), 1e-5);
            }
        }
    }
}
