package dev.setrec.model.train;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.setrec.nn.ParameterStore;
import dev.setrec.util.Progress;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CancellationException;

/**
 * The epoch loop shared by the sequence models: one pass over shuffled length-packed batches with a progress bar,
 * then a validation score; the best epoch's weights (and its validation details, e.g. the chosen beta) are kept,
 * training stops after {@code patience} epochs without improvement or once the time budget is spent. With a fixed
 * epoch count (a refit, which has no valid split to stop on) there is no validation.
 * With a weight average, the averaged weights are what is validated and kept (a fixed count keeps the last
 * average); training itself goes on from the raw weights.
 */
public final class EpochLoop {
    /**
     * One optimisation step on one batch; returns the batch's mean loss, or a value that is not finite when the loss
     * or a gradient was not finite and the step was left out (the weights unchanged).
     */
    public interface Step {
        double run(List<Windows.Window> batch);
    }

    /** The validation score (higher is better) with details to keep for the best epoch. */
    public record Validation(double score, JsonObject details) {
    }

    public interface Validator {
        Validation validate();
    }

    /**
     * @param fixedEpochs when > 0: train exactly this many epochs, no validation
     * @param timeBudgetMinutes when > 0: stop after the epoch that crosses it
     * @param weightAverage when > 0: the decay per step of a moving average of the weights ({@link WeightAverage}),
     *                      which is what is validated and kept
     */
    public record Settings(int maxEpochs, int patience, int fixedEpochs, double timeBudgetMinutes, int batchTokens,
                           long seed, double weightAverage) {
        /** The last weights, no average. */
        public Settings(int maxEpochs, int patience, int fixedEpochs, double timeBudgetMinutes, int batchTokens,
                        long seed) {
            this(maxEpochs, patience, fixedEpochs, timeBudgetMinutes, batchTokens, seed, 0);
        }
    }

    /**
     * Steps left out in a row before the training counts as diverged: a lone step with a non-finite loss or
     * gradient is left out and training goes on (the weights never see it), a run of them is divergence. Why: a tiny
     * test model whose losses are the same to four places run after run ended in a NaN loss in 2 of 77 trainings
     * (docs/experiments.md).
     */
    static final int MAX_SKIPPED_IN_A_ROW = 3;

    private final Settings settings;
    private final PrintStream log;
    private int skippedInARow;
    private int skipped;

    public EpochLoop(Settings settings, PrintStream log) {
        this.settings = settings;
        this.log = log;
    }

    /** Runs the loop; returns the training record (epochs, best epoch, per-epoch loss and validation, time). */
    public JsonObject run(List<Windows.Window> windows, ParameterStore params, Step step, Validator validator) {
        if (windows.isEmpty()) {
            throw new IllegalArgumentException("no training sequence has two or more items");
        }
        Random random = new Random(settings.seed());
        long targets = Windows.targets(windows);
        boolean early = settings.fixedEpochs() <= 0;
        int epochs = early ? settings.maxEpochs() : settings.fixedEpochs();
        long start = System.nanoTime();
        Validation best = null;
        int bestEpoch = 0;
        Map<String, float[]> bestWeights = null;
        JsonArray history = new JsonArray();
        String stopReason = "reached " + epochs + " epochs";
        WeightAverage average = settings.weightAverage() > 0 ? new WeightAverage(params, settings.weightAverage())
                : null;
        Step averagedStep = average == null ? step : batch -> {
            double loss = step.run(batch);
            average.update();
            return loss;
        };
        for (int epoch = 1; epoch <= epochs; epoch++) {
            double loss = runEpoch(Windows.batches(windows, settings.batchTokens(), random), targets, averagedStep,
                    String.format(Locale.ROOT, "epoch %d/%d", epoch, epochs));
            JsonObject row = new JsonObject();
            row.addProperty("epoch", epoch);
            row.addProperty("loss", loss);
            if (early) {
                Map<String, float[]> trained = null;
                if (average != null) {
                    trained = params.snapshot();
                    params.restore(average.values());
                }
                Validation v = validator.validate();
                boolean better = best == null || v.score() > best.score();
                row.addProperty("valid_recall@10", v.score());
                v.details().entrySet().forEach(e -> row.add(e.getKey(), e.getValue()));
                log.printf(Locale.ROOT, "epoch %d: loss %.4f, valid Recall@10 %.4f%s%s%n", epoch, loss, v.score(),
                        v.details().size() > 0 ? " " + v.details() : "", better ? " (best)" : "");
                if (better) {
                    best = v;
                    bestEpoch = epoch;
                    bestWeights = params.snapshot();
                }
                if (trained != null) {
                    params.restore(trained);
                }
            } else {
                log.printf(Locale.ROOT, "epoch %d: loss %.4f%n", epoch, loss);
                bestEpoch = epoch;
            }
            history.add(row);
            if (early && epoch - bestEpoch >= settings.patience()) {
                stopReason = "no better valid Recall@10 for " + settings.patience() + " epochs";
                break;
            }
            double minutes = (System.nanoTime() - start) / 6e10;
            if (settings.timeBudgetMinutes() > 0 && minutes >= settings.timeBudgetMinutes() && epoch < epochs) {
                stopReason = String.format(Locale.ROOT, "time budget of %.1f minutes", settings.timeBudgetMinutes());
                break;
            }
        }
        JsonObject record = new JsonObject();
        record.addProperty("epochs_run", history.size());
        record.addProperty("best_epoch", bestEpoch);
        if (bestWeights == null && average != null) {
            params.restore(average.values());
        }
        if (bestWeights != null) {
            params.restore(bestWeights);
            log.printf(Locale.ROOT, "kept epoch %d (valid Recall@10 %.4f); stopped: %s%n", bestEpoch, best.score(),
                    stopReason);
            record.addProperty("best_valid_recall@10", best.score());
            best.details().entrySet().forEach(e -> record.add("best_" + e.getKey(), e.getValue()));
        }
        record.addProperty("stop_reason", stopReason);
        record.addProperty("steps_left_out", skipped);
        record.addProperty("loop_minutes", (System.nanoTime() - start) / 6e10);
        record.add("epochs", history);
        return record;
    }

    private double runEpoch(List<List<Windows.Window>> batches, long targets, Step step, String label) {
        double lossSum = 0;
        long seen = 0;
        double[] running = {Double.NaN};
        try (Progress progress = new Progress(log, label, targets, "targets", System.console() != null)) {
            progress.status(() -> String.format(Locale.ROOT, "loss %.4f", running[0]));
            for (List<Windows.Window> batch : batches) {
                if (Thread.currentThread().isInterrupted()) { // a training in the background is being stopped
                    throw new CancellationException(label + ": training stopped (interrupted)");
                }
                int n = batch.stream().mapToInt(Windows.Window::len).sum();
                double loss = step.run(batch);
                if (!Double.isFinite(loss)) {
                    skipped++;
                    if (++skippedInARow >= MAX_SKIPPED_IN_A_ROW) {
                        throw new IllegalStateException("training diverged: loss or gradients not finite in "
                                + skippedInARow + " steps in a row (try a lower --lr)");
                    }
                    log.printf(Locale.ROOT, "%s: left out a step whose loss or gradients were not finite%n", label);
                    progress.advance(n);
                    continue;
                }
                skippedInARow = 0;
                lossSum += loss * n;
                seen += n;
                running[0] = lossSum / seen;
                progress.advance(n);
            }
        }
        return lossSum / seen;
    }
}
