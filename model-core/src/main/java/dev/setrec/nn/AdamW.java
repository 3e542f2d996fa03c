package dev.setrec.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;

/**
 * Adam with decoupled weight decay (AdamW; decay 0 gives plain Adam), updating parameters in place.
 * Gradients are zeroed after each step, because PyTorch accumulates them across backward passes.
 */
public final class AdamW {
    private final ParameterStore params;
    private final float beta1;
    private final float beta2;
    private final float eps;
    private final float weightDecay;
    private final Predicate<String> decayed;
    /** Per parameter, in the store's order: the multiple of the step's learning rate it is updated with. */
    private final List<Float> rateScales = new ArrayList<>();
    private final List<NDArray> firstMoments = new ArrayList<>();
    private final List<NDArray> secondMoments = new ArrayList<>();
    private int steps;

    /**
     * @param decayed which parameters (by name) get weight decay; norms, biases and embeddings usually do not
     */
    public AdamW(ParameterStore params, float weightDecay, Predicate<String> decayed) {
        this(params, weightDecay, decayed, name -> 1);
    }

    /**
     * @param rateScale per parameter (by name), the multiple of each step's learning rate it is updated with: for
     *                  parameters on another scale than the weights (e.g. inputs learned along with them)
     */
    public AdamW(ParameterStore params, float weightDecay, Predicate<String> decayed,
                 ToDoubleFunction<String> rateScale) {
        this.params = params;
        this.beta1 = 0.9f;
        this.beta2 = 0.999f;
        this.eps = 1e-8f;
        this.weightDecay = weightDecay;
        this.decayed = decayed;
        for (NDArray p : params.all()) {
            firstMoments.add(params.manager().zeros(p.getShape()));
            secondMoments.add(params.manager().zeros(p.getShape()));
            rateScales.add((float) rateScale.applyAsDouble(p.getName()));
        }
    }

    public int steps() {
        return steps;
    }

    /**
     * One update with learning rate {@code lr}, from the gradients of the last backward pass of {@code loss}; returns
     * false, and changes nothing but the gradients (zeroed), when the loss or a gradient is not finite: one such step
     * must not turn every parameter and moment into NaN for good. The check costs one scalar read back.
     */
    public boolean step(float lr, float loss) {
        try (NDManager scope = params.manager().newSubManager()) {
            List<NDArray> gradients = new ArrayList<>();
            NDArray total = scope.create(loss);
            for (NDArray p : params.all()) {
                p.tempAttach(scope); // its gradient's handle is then the scope's too
                NDArray g = p.getGradient();
                gradients.add(g);
                total = total.add(g.abs().sum());
            }
            if (!Float.isFinite(total.getFloat())) {
                for (NDArray g : gradients) {
                    g.subi(g);
                    g.set(g.isNaN(), 0f); // NaN - NaN and infinity - infinity are NaN
                }
                return false;
            }
            update(lr, gradients, scope);
            return true;
        }
    }

    private void update(float lr, List<NDArray> gradients, NDManager scope) {
        steps++;
        float correction1 = 1 - (float) Math.pow(beta1, steps);
        float correction2 = 1 - (float) Math.pow(beta2, steps);
        int i = 0;
        for (NDArray p : params.all()) {
            NDArray g = gradients.get(i);
            NDArray m = firstMoments.get(i);
            NDArray v = secondMoments.get(i);
            float rate = lr * rateScales.get(i);
            float stepSize = rate / correction1;
            i++;
            m.tempAttach(scope);
            v.tempAttach(scope);
            m.muli(beta1).addi(g.mul(1 - beta1));
            v.muli(beta2).addi(g.square().muli(1 - beta2));
            if (weightDecay > 0 && decayed.test(p.getName())) {
                p.muli(1 - rate * weightDecay);
            }
            NDArray denom = v.div(correction2).sqrt().addi(eps);
            p.subi(m.div(denom).muli(stepSize));
            g.subi(g);
        }
    }
}
