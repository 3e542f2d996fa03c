package dev.setrec.model.sasrec;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import com.google.gson.JsonObject;
import dev.setrec.model.train.EpochLoop;
import dev.setrec.model.train.Windows;
import dev.setrec.model.train.Windows.Window;
import dev.setrec.nn.AdamW;
import dev.setrec.nn.Engines;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Trains SASRec: every position of every sequence is a training example in the same pass (causal attention), the
 * loss is full-softmax cross-entropy over the catalogue, optimised with Adam. Sequences longer than the history
 * length are cut into windows from the newest end, so no target is lost. After each epoch a validation score
 * (valid Recall@10 under the paper's protocol) decides early stopping; the best epoch's weights are kept.
 */
public final class SasRecTrainer {
    private final SasRecConfig config;
    private final PrintStream log;

    public SasRecTrainer(SasRecConfig config, PrintStream log) {
        this.config = config;
        this.log = log;
    }

    /**
     * Trains {@code model} on {@code sequences}; {@code validScore} scores the model after each epoch (unused with
     * a fixed epoch count). Returns the training record stored in model.json.
     */
    public JsonObject train(SasRec model, List<int[]> sequences, ToDoubleFunction<SasRec> validScore) {
        Engines.pytorch().setRandomSeed((int) config.seed());
        List<Window> windows = Windows.of(sequences, config.maxLen());
        log.printf(Locale.ROOT, "SASRec: %d parameters, %d sequences, %d training targets, width %d, %d blocks%n",
                model.parameterCount(), sequences.size(), Windows.targets(windows), config.dim(), config.blocks());
        AdamW optimizer = new AdamW(model.parameters(), config.weightDecay(), name -> name.endsWith("weight"));
        EpochLoop loop = new EpochLoop(new EpochLoop.Settings(config.maxEpochs(), config.patience(),
                config.fixedEpochs(), config.timeBudgetMinutes(), config.batchTokens(), config.seed()), log);
        return loop.run(windows, model.parameters(), batch -> step(model, optimizer, batch),
                () -> new EpochLoop.Validation(validScore.applyAsDouble(model), new JsonObject()));
    }

    /** One optimisation step on one batch; returns the mean cross-entropy. */
    private double step(SasRec model, AdamW optimizer, List<Window> batch) {
        int size = batch.size();
        int width = batch.stream().mapToInt(Window::len).max().orElseThrow();
        int[] ids = new int[size * width];
        int[] positions = new int[size * width];
        int total = batch.stream().mapToInt(Window::len).sum();
        int[] rows = new int[total];
        int[] labels = new int[total];
        int k = 0;
        for (int b = 0; b < size; b++) {
            Window w = batch.get(b);
            model.fillRow(w.seq(), w.from(), w.len(), width, b, ids, positions);
            for (int t = 0; t < w.len(); t++) {
                rows[k] = b * width + t;
                labels[k++] = w.target(t);
            }
        }
        try (NDManager scope = model.manager().newSubManager()) {
            model.parameters().lendTo(scope);
            float value;
            try (GradientCollector collector = Engines.pytorch().newGradientCollector()) {
                NDArray hidden = model.encode(scope, ids, positions, size, width, true).get(scope.create(rows));
                NDArray logProbs = model.catalogueLogits(hidden).logSoftmax(1);
                NDArray picked = logProbs.gather(scope.create(labels).toType(DataType.INT64, false)
                        .reshape(total, 1), 1);
                NDArray loss = picked.mean().neg();
                collector.backward(loss);
                value = loss.getFloat();
            }
            return optimizer.step(config.learningRate(), value) ? value : Double.NaN;
        }
    }
}
