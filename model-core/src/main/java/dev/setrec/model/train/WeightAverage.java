package dev.setrec.model.train;

import dev.setrec.nn.ParameterStore;

import java.util.Map;

/**
 * An exponential moving average of a model's parameters over its training steps (Polyak averaging): the average
 * of nearby points of a noisy trajectory usually generalises better than its last point. Kept in Java arrays (a
 * copy per step of under a million floats costs about a millisecond), so no native memory is held per step. The
 * decay ramps up over the first steps, (1 + t) / (10 + t), so the average forgets the random start quickly.
 */
final class WeightAverage {
    private final ParameterStore params;
    private final double decay;
    private final Map<String, float[]> average;
    private long updates;

    WeightAverage(ParameterStore params, double decay) {
        if (decay <= 0 || decay >= 1) {
            throw new IllegalArgumentException("the weight-average decay must be in (0, 1)");
        }
        this.params = params;
        this.decay = decay;
        this.average = params.snapshot();
    }

    /** Folds the parameters' current values into the average (after each optimiser step). */
    void update() {
        double d = Math.min(decay, (1.0 + updates) / (10.0 + updates));
        updates++;
        Map<String, float[]> now = params.snapshot();
        average.forEach((name, avg) -> {
            float[] p = now.get(name);
            for (int i = 0; i < avg.length; i++) {
                avg[i] = (float) (avg[i] * d + p[i] * (1 - d));
            }
        });
    }

    /** The averaged values (live: later updates change them; snapshot the parameters to keep a copy). */
    Map<String, float[]> values() {
        return average;
    }
}
