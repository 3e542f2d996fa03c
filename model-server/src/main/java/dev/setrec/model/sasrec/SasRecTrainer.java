package dev.setrec.model.sasrec;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.setrec.nn.AdamW;
import dev.setrec.nn.Engines;
import dev.setrec.util.Progress;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
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

    /** A training window: targets seq[from+1 .. from+len], inputs seq[from .. from+len-1]. */
    record Window(int[] seq, int from, int len) {
    }

    static List<Window> windows(List<int[]> sequences, int maxLen) {
        List<Window> out = new ArrayList<>();
        for (int[] seq : sequences) {
            int targets = seq.length - 1;
            for (int end = targets; end > 0; end -= maxLen) {
                int len = Math.min(maxLen, end);
                out.add(new Window(seq, end - len, len));
            }
        }
        return out;
    }

    /** Groups windows of similar length into batches of at most {@code batchTokens} padded positions. */
    static List<List<Window>> batches(List<Window> windows, int batchTokens, Random random) {
        double[] keys = new double[windows.size()];
        Integer[] order = new Integer[windows.size()];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = windows.get(i).len() + random.nextDouble(); // shuffles within one length
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble(i -> keys[i]));
        List<List<Window>> batches = new ArrayList<>();
        List<Window> current = new ArrayList<>();
        for (int i : order) {
            Window w = windows.get(i);
            if (!current.isEmpty() && (long) (current.size() + 1) * w.len() > batchTokens) {
                batches.add(current);
                current = new ArrayList<>();
            }
            current.add(w);
        }
        if (!current.isEmpty()) {
            batches.add(current);
        }
        Collections.shuffle(batches, random);
        return batches;
    }

    /**
     * Trains {@code model} on {@code sequences}; {@code validScore} (may be null with fixedEpochs) scores the model
     * after each epoch. Returns the training record stored in model.json.
     */
    public JsonObject train(SasRec model, List<int[]> sequences, ToDoubleFunction<SasRec> validScore) {
        Engines.pytorch().setRandomSeed((int) config.seed());
        Random random = new Random(config.seed());
        List<Window> windows = windows(sequences, config.maxLen());
        if (windows.isEmpty()) {
            throw new IllegalArgumentException("no training sequence has two or more items");
        }
        long targets = windows.stream().mapToLong(Window::len).sum();
        log.printf(Locale.ROOT, "SASRec: %d parameters, %d sequences, %d training targets, width %d, %d blocks%n",
                model.parameterCount(), sequences.size(), targets, config.dim(), config.blocks());
        AdamW optimizer = new AdamW(model.parameters(), config.weightDecay(), name -> name.endsWith("weight"));
        boolean early = config.fixedEpochs() <= 0;
        int epochs = early ? config.maxEpochs() : config.fixedEpochs();
        long start = System.nanoTime();
        double best = Double.NEGATIVE_INFINITY;
        int bestEpoch = 0;
        Map<String, float[]> bestWeights = null;
        JsonArray history = new JsonArray();
        String stopReason = "reached " + epochs + " epochs";
        for (int epoch = 1; epoch <= epochs; epoch++) {
            double loss = runEpoch(model, optimizer, batches(windows, config.batchTokens(), random), targets, epoch, epochs);
            JsonObject row = new JsonObject();
            row.addProperty("epoch", epoch);
            row.addProperty("loss", loss);
            if (validScore != null) {
                double score = validScore.applyAsDouble(model);
                row.addProperty("valid_recall@10", score);
                log.printf(Locale.ROOT, "epoch %d: loss %.4f, valid Recall@10 %.4f%s%n", epoch, loss, score,
                        score > best ? " (best)" : "");
                if (score > best) {
                    best = score;
                    bestEpoch = epoch;
                    bestWeights = early ? model.parameters().snapshot() : null;
                }
            } else {
                log.printf(Locale.ROOT, "epoch %d: loss %.4f%n", epoch, loss);
            }
            history.add(row);
            double minutes = (System.nanoTime() - start) / 6e10;
            if (early && epoch - bestEpoch >= config.patience()) {
                stopReason = "no better valid Recall@10 for " + config.patience() + " epochs";
                break;
            }
            if (config.timeBudgetMinutes() > 0 && minutes >= config.timeBudgetMinutes()) {
                stopReason = "time budget of " + config.timeBudgetMinutes() + " minutes";
                break;
            }
        }
        if (bestWeights != null) {
            model.parameters().restore(bestWeights);
            log.printf(Locale.ROOT, "kept epoch %d (valid Recall@10 %.4f); stopped: %s%n", bestEpoch, best, stopReason);
        }
        JsonObject record = new JsonObject();
        record.addProperty("epochs_run", history.size());
        record.addProperty("best_epoch", early ? bestEpoch : history.size());
        if (validScore != null) {
            record.addProperty("best_valid_recall@10", best);
        }
        record.addProperty("stop_reason", stopReason);
        record.addProperty("train_minutes", (System.nanoTime() - start) / 6e10);
        record.add("epochs", history);
        return record;
    }

    private double runEpoch(SasRec model, AdamW optimizer, List<List<Window>> batches, long targets, int epoch,
                            int epochs) {
        double lossSum = 0;
        long seen = 0;
        double[] running = {Double.NaN};
        try (Progress progress = new Progress(log, String.format(Locale.ROOT, "epoch %d/%d", epoch, epochs), targets,
                "targets", System.console() != null)) {
            progress.status(() -> String.format(Locale.ROOT, "loss %.4f", running[0]));
            for (List<Window> batch : batches) {
                int n = batch.stream().mapToInt(Window::len).sum();
                double loss = step(model, optimizer, batch);
                lossSum += loss * n;
                seen += n;
                running[0] = lossSum / seen;
                progress.advance(n);
            }
        }
        return lossSum / seen;
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
                labels[k++] = w.seq()[w.from() + t + 1];
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
            optimizer.step(config.learningRate());
            return value;
        }
    }
}
