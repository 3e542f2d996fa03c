package dev.setrec.model.setrec;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.google.gson.JsonObject;
import dev.setrec.data.Dataset;
import dev.setrec.model.train.EpochLoop;
import dev.setrec.model.train.Windows;
import dev.setrec.model.train.Windows.Window;
import dev.setrec.nn.AdamW;
import dev.setrec.nn.Engines;
import dev.setrec.nn.ParameterStore;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Trains SETRec jointly with its semantic tokenizer: loss = sum over the queries of the full-catalogue
 * cross-entropy of that query's grounding scores + alpha * the tokenizer's reconstruction MSE; AdamW with a linear
 * warm-up; every prefix of every sequence in one pass (the training layout of {@link SetMask}). After each epoch
 * the score mix (beta, cold items' beta and shift) is chosen on valid ({@link ScoreMixSweep}) and valid Recall@10
 * of the All setting under it decides early stopping; the best epoch and its mix are kept.
 */
public final class SetRecTrainer {
    /** The table of learned CF inputs, a parameter of the network while it trains (see the four-argument train). */
    private static final String LEARNED_CF = "cf.learned";

    private final SetRecTraining training;
    private final PrintStream log;

    public SetRecTrainer(SetRecTraining training, PrintStream log) {
        this.training = training;
        this.log = log;
    }

    /** Trains on {@code sequences}; {@code validData} (its valid split) chooses beta and the epoch. */
    public JsonObject train(SetRec model, List<int[]> sequences, Dataset validData) {
        return train(model, sequences, validData, new int[0]);
    }

    /**
     * As {@link #train(SetRec, List, Dataset)}, and the CF inputs of the catalogue rows {@code learnedCfRows} are
     * learned too, starting from their current values: a table of those rows, gathered into the CF input matrix of
     * every step, trains with the network (no weight decay) and its best epoch's values are kept with the weights.
     * Why: no parameter of the network belongs to an item, so an item the model knew only by its text (a warm start
     * over a grown catalogue) gets a CF input from its interactions this way. The learned values end in the model's
     * catalogue; the rows keep their cold flags.
     */
    public JsonObject train(SetRec model, List<int[]> sequences, Dataset validData, int[] learnedCfRows) {
        SetRecArchitecture architecture = model.architecture();
        if (training.batchTokens() < architecture.maxLen()) {
            throw new IllegalArgumentException("--batch-tokens " + training.batchTokens()
                    + " must be at least --history " + architecture.maxLen());
        }
        Engines.trainOnThisThread(); // whatever an earlier caller left the thread's autograd mode at
        Engines.pytorch().setRandomSeed((int) training.seed());
        List<Window> windows = Windows.of(sequences, architecture.maxLen());
        log.printf(Locale.ROOT, "SETRec: %d parameters, n_sem %d, width %d, %d blocks, %s mask, %d training targets%n",
                model.parameterCount(), architecture.semTokens(), architecture.dim(), architecture.blocks(),
                architecture.sparseMask() ? "sparse" : "full (ablation)", Windows.targets(windows));
        model.catalogue().setMix(training.fixedMix().over(model.mix()));
        ParameterStore params = model.network().parameters();
        ItemInputs items = model.items();
        if (learnedCfRows.length > 0) {
            float[][] initial = Arrays.stream(learnedCfRows).mapToObj(row -> items.cf()[row]).toArray(float[][]::new);
            params.add(LEARNED_CF, Matrices.flatten(initial), learnedCfRows.length, items.cfDim());
        }
        double learnedRate = learnedCfRateScale(items, windows);
        Random sampler = new Random(training.seed() + 1);
        try (NDManager inputs = model.manager().newSubManager()) {
            AdamW optimizer = new AdamW(params, training.weightDecay(), name -> name.endsWith("weight"),
                    name -> name.equals(LEARNED_CF) ? learnedRate : 1);
            NDArray cf = Matrices.of(inputs, items.cf());
            NDArray cfSource = learnedCfRows.length > 0 ? inputs.create(cfSource(items.numItems(), learnedCfRows))
                    : null;
            NDArray text = Matrices.of(inputs, items.text());
            // only CF dropout reads the warm rows' predicted CF inputs
            NDArray predictedCf = training.cfDropout() > 0 ? Matrices.of(inputs, model.textToCf().predictAll(items))
                    : null;
            EpochLoop loop = new EpochLoop(new EpochLoop.Settings(training.maxEpochs(), training.patience(),
                    training.fixedEpochs(), training.timeBudgetMinutes(), training.batchTokens(), training.seed(),
                    training.weightAverage()), log);
            JsonObject record = loop.run(windows, params,
                    batch -> step(model, optimizer, batch, cf, cfSource, text, predictedCf, sampler),
                    () -> validate(model, validData, learnedCfRows));
            if (record.has("best_beta")) {
                model.catalogue().setMix(chosenMix(record, "best_"));
            }
            retokenize(model, learnedCfRows);
            if (learnedCfRows.length > 0) {
                record.addProperty("learned_cf_rows", learnedCfRows.length);
                record.addProperty("learned_cf_lr", training.learningRate() * learnedRate);
            }
            ScoreMix mix = model.mix();
            log.printf(Locale.ROOT, "beta %.1f, cold items' beta %.1f and shift %.2f%n", mix.beta(), mix.betaCold(),
                    mix.coldShift());
            return record;
        } finally {
            if (learnedCfRows.length > 0) {
                params.remove(LEARNED_CF);
            }
        }
    }

    /**
     * The learned CF rows' multiple of the learning rate. Adam moves a parameter by about its learning rate per step
     * at most, and CF inputs (SASRec embeddings) are on a far larger scale than the steps of a few epochs add up to:
     * at the weights' rate a learned row could hardly leave its starting point. So the planned steps may carry a row
     * across the spread (root mean square) of the CF inputs; never slower than the weights.
     */
    private double learnedCfRateScale(ItemInputs items, List<Window> windows) {
        double sumSquares = 0;
        long values = 0;
        for (float[] row : items.cf()) {
            for (float x : row) {
                sumSquares += x * x;
            }
            values += row.length;
        }
        int epochs = training.fixedEpochs() > 0 ? training.fixedEpochs() : training.maxEpochs();
        long steps = epochs * Math.max(1, Windows.targets(windows) / training.batchTokens());
        return Math.max(1, Math.sqrt(sumSquares / values) / (training.learningRate() * steps));
    }

    /** Where each row's CF input comes from in (the fixed inputs, the learned table): row n + j is learned row j. */
    private static long[] cfSource(int n, int[] learnedRows) {
        long[] source = new long[n];
        Arrays.setAll(source, row -> row);
        for (int j = 0; j < learnedRows.length; j++) {
            source[learnedRows[j]] = n + j;
        }
        return source;
    }

    /** Recomputes the served token tables, with the learned CF inputs as they are now. */
    private static void retokenize(SetRec model, int[] learnedRows) {
        if (learnedRows.length == 0) {
            model.catalogue().refresh();
            return;
        }
        int width = model.items().cfDim();
        float[] flat = model.network().parameters().get(LEARNED_CF).toFloatArray();
        float[][] learned = new float[learnedRows.length][];
        Arrays.setAll(learned, j -> Arrays.copyOfRange(flat, j * width, (j + 1) * width));
        model.catalogue().replaceItems(model.items().withCf(learnedRows, learned));
    }

    /**
     * The mix a training record chose (keys {@code prefix}beta, ..beta_cold, ..cold_shift); a record from before
     * the cold items' own mix has only the first, for every item, and no shift.
     */
    public static ScoreMix chosenMix(JsonObject record, String prefix) {
        float beta = record.get(prefix + "beta").getAsFloat();
        return new ScoreMix(beta, optional(record, prefix + "beta_cold", beta),
                optional(record, prefix + "cold_shift", 0f));
    }

    private static float optional(JsonObject record, String key, float fallback) {
        return record.has(key) ? record.get(key).getAsFloat() : fallback;
    }

    private EpochLoop.Validation validate(SetRec model, Dataset data, int[] learnedRows) {
        retokenize(model, learnedRows);
        ScoreMixSweep.Choice choice = ScoreMixSweep.choose(model, data, training.fixedMix());
        ScoreMix mix = choice.mix();
        model.catalogue().setMix(mix);
        JsonObject details = new JsonObject();
        details.addProperty("beta", mix.beta());
        details.addProperty("beta_cold", mix.betaCold());
        details.addProperty("cold_shift", mix.coldShift());
        details.addProperty("valid_warm_recall@10", fourPlaces(choice.warmRecall()));
        details.addProperty("valid_cold_recall@10", fourPlaces(choice.coldRecall()));
        return new EpochLoop.Validation(choice.allRecall(), details);
    }

    private static double fourPlaces(double x) {
        return Math.round(x * 1e4) / 1e4;
    }

    private float learningRate(int step) {
        float rate = training.learningRate();
        return step < training.warmupSteps() ? rate * (step + 1) / training.warmupSteps() : rate;
    }

    /** {@code cfSource}: null, or each row's source in (cfInput, the learned CF table), see {@link #cfSource}. */
    private double step(SetRec model, AdamW optimizer, List<Window> batch, NDArray cfInput, NDArray cfSource,
                        NDArray textInput, NDArray predictedCf, Random sampler) {
        int size = batch.size();
        int width = batch.stream().mapToInt(Window::len).max().orElseThrow();
        int total = batch.stream().mapToInt(Window::len).sum();
        int[] ids = new int[size * width];
        int[] rows = new int[total];
        long[] labels = new long[total];
        int k = 0;
        for (int b = 0; b < size; b++) {
            Window w = batch.get(b);
            for (int t = 0; t < w.len(); t++) {
                ids[b * width + t] = w.input(t);
                rows[k] = b * width + t;
                labels[k++] = w.target(t);
            }
        }
        int n = model.numItems();
        int q = model.architecture().queries();
        int d = model.architecture().dim();
        SetRecNetwork network = model.network();
        try (NDManager scope = model.manager().newSubManager()) {
            network.parameters().lendTo(scope);
            cfInput.tempAttach(scope);
            textInput.tempAttach(scope);
            float value;
            try (GradientCollector collector = Engines.pytorch().newGradientCollector()) {
                NDArray cf = cfInput;
                if (cfSource != null) { // inside the collector: the learned rows take gradients
                    cfSource.tempAttach(scope);
                    cf = NDArrays.concat(new NDList(cfInput, network.parameters().get(LEARNED_CF))).get(cfSource);
                }
                if (predictedCf != null) {
                    predictedCf.tempAttach(scope);
                    cf = dropCf(scope, cf, predictedCf, sampler, n);
                }
                TokenTables tables = network.tokenize(cf, textInput);
                NDArray grounded = tables.joined();                                              // (N, Q * d)
                NDArray out = network.encode(scope, tables, ids, null, size, width, true, true)
                        .reshape((long) size * width, q, d).get(scope.create(rows));          // (P, Q, d)
                NDArray loss = groundingLoss(scope, out, grounded, labels, sampler, n, q, d);
                if (tables.sem() != null && training.alpha() > 0) {
                    NDArray sample = scope.create(reconSample(sampler, n)).toType(DataType.INT64, false);
                    loss = loss.add(network.reconstructionLoss(tables.sem().get(sample), textInput.get(sample))
                            .mul(training.alpha()));
                }
                collector.backward(loss);
                value = loss.getFloat();
            }
            return optimizer.step(learningRate(optimizer.steps()), value) ? value : Double.NaN;
        }
    }

    /**
     * The cross-entropy of the grounding scores, summed over the queries and averaged over the positions: against the
     * whole catalogue, or with {@code --negatives} against each position's target and items drawn uniformly for the
     * batch, whose scores get log(N / K) added (the log-Q correction, so that they stand in for the whole catalogue)
     * and where a drawn item is the position's own target it is masked out.
     * out: (P, Q, d) query outputs; grounded: (N, Q * d) item tokens.
     */
    private NDArray groundingLoss(NDManager scope, NDArray out, NDArray grounded, long[] labels, Random sampler,
                                  int n, int q, int d) {
        int total = labels.length;
        NDArray queries = out.transpose(1, 0, 2);                                                 // (Q, P, d)
        int k = training.negatives();
        if (k <= 0 || k >= n) {
            NDArray itemTokens = grounded.reshape(n, q, d).transpose(1, 2, 0);                   // (Q, d, N)
            NDArray logProbs = queries.matMul(itemTokens).logSoftmax(2);                          // (Q, P, N)
            NDArray target = scope.create(labels).reshape(1, total, 1).broadcast(q, total, 1);
            return logProbs.gather(target, 2).mean().neg().mul(q);
        }
        long[] drawn = distinctSample(sampler, n, k);
        NDArray drawnIds = scope.create(drawn);
        NDArray targetIds = scope.create(labels);
        NDArray negatives = grounded.get(drawnIds).reshape(k, q, d).transpose(1, 2, 0);          // (Q, d, K)
        NDArray ownTarget = targetIds.reshape(total, 1).eq(drawnIds.reshape(1, k))              // (1, P, K)
                .toType(DataType.FLOAT32, false).mul(-1e9f).reshape(1, total, k);
        NDArray negativeScores = queries.matMul(negatives).add((float) Math.log((double) n / k)).add(ownTarget);
        NDArray targetScores = out.mul(grounded.get(targetIds).reshape(total, q, d)).sum(new int[] {2})
                .transpose(1, 0).reshape(q, total, 1);                                            // (Q, P, 1)
        NDArray logProbs = NDArrays.concat(new NDList(targetScores, negativeScores), 2).logSoftmax(2);
        return logProbs.get(":, :, 0").mean().neg().mul(q);
    }

    /** {@code k} distinct rows of {@code n}, drawn uniformly (k < n). */
    private static long[] distinctSample(Random sampler, int n, int k) {
        boolean[] taken = new boolean[n];
        long[] sample = new long[k];
        for (int i = 0; i < k; ) {
            int row = sampler.nextInt(n);
            if (!taken[row]) {
                taken[row] = true;
                sample[i++] = row;
            }
        }
        return sample;
    }

    /** The CF inputs with a random share of rows set to their prediction from text (as cold rows have), this step. */
    private NDArray dropCf(NDManager scope, NDArray cf, NDArray predictedCf, Random sampler, int n) {
        float[] keep = new float[n];
        for (int i = 0; i < n; i++) {
            keep[i] = sampler.nextFloat() < training.cfDropout() ? 0f : 1f;
        }
        NDArray keepRows = scope.create(keep, new Shape(n, 1));
        return cf.mul(keepRows).add(predictedCf.mul(keepRows.neg().add(1f)));
    }

    private int[] reconSample(Random sampler, int n) {
        int m = Math.min(n, training.reconSample());
        int[] sample = new int[m];
        for (int i = 0; i < m; i++) {
            sample[i] = m == n ? i : sampler.nextInt(n);
        }
        return sample;
    }
}
