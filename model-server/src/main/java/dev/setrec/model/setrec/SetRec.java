package dev.setrec.model.setrec;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Embedding;
import com.google.gson.Gson;
import com.google.gson.JsonObject;
import dev.setrec.eval.Setting;
import dev.setrec.model.ModelManifest;
import dev.setrec.model.PaddedHistories;
import dev.setrec.model.Recommender;
import dev.setrec.nn.Engines;
import dev.setrec.nn.Layers;
import dev.setrec.nn.ParameterStore;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * SETRec: every item is a set of tokens, one CF token (a frozen SASRec embedding through a trainable projection)
 * and {@code n_sem} semantic tokens (the item's text embedding through an autoencoder-style MLP tokenizer). A
 * transformer reads the history's token sets under {@link SetMask}'s sparse mask; {@code 1 + n_sem} learnable
 * queries yield, in one forward pass, one vector per token kind; query 0 is grounded on every item's CF token,
 * query j on every item's semantic token j, and score = (1 - beta) * s_cf + beta * sum_j s_sem_j, with the beta
 * of the setting ranked ({@link Betas}: all items, warm items only, cold items only).
 * <p>
 * Position ids count items forward from the oldest item of the window (all tokens of one item share one), and the
 * queries of a prefix take the next position, so training all prefixes in one pass is exactly equivalent to one
 * sample per prefix. A learned token-kind embedding tells the CF token from the semantic ones (it adds no order).
 */
public final class SetRec implements Recommender {
    public static final String TYPE = "setrec";
    static final String WEIGHTS = "weights.bin";

    private final SetRecConfig config;
    private final NDManager manager;
    private final ParameterStore params;
    private final Layers encoder;
    private final int[] tokenizerDims;
    /**
     * One scorer or catalogue change at a time: a forward pass already uses every core, and parameters are lent to
     * the pass's scope (not thread-safe). A catalogue change waits for at most one batch.
     */
    private final ReentrantLock lock = new ReentrantLock();
    private volatile ItemInputs items;
    /** Predicts the CF input of an item without interactions from its text (fitted on the warm rows). */
    private final TextToCf textToCf;
    private final Map<Integer, NDArray> historyMasks = new HashMap<>();
    private final Map<Integer, NDArray> trainingQueryMasks = new HashMap<>();
    private Betas betas;
    /** Every item's token set as served, one row per item: its CF token, then its semantic tokens (N, S * d). */
    private NDArray serving;

    /** Item token tables: CF tokens (N, d) and semantic tokens flattened (N, n_sem * d); sem is null for n_sem 0. */
    record Tables(NDArray cf, NDArray sem) {
        /** One row per item, the CF token then the semantic tokens: (N, S * d), token kind k at columns k*d.. */
        NDArray joined() {
            return sem == null ? cf : NDArrays.concat(new NDList(cf, sem), 1);
        }
    }

    /**
     * A model over {@code items}; the CF input of every cold row is replaced by its prediction from text
     * ({@link TextToCf}, fitted on the warm rows; the same values again for a loaded model).
     */
    public SetRec(SetRecConfig config, ItemInputs items) {
        this(config, items, TextToCf.fit(items));
    }

    private SetRec(SetRecConfig config, ItemInputs items, TextToCf textToCf) {
        this.config = config;
        this.textToCf = textToCf;
        this.items = textToCf.fillCold(items);
        this.betas = config.hasFixedBeta() ? config.fixedBetas() : Betas.uniform(config.semTokens() > 0 ? 0.5f : 0f);
        this.manager = Engines.newModelManager();
        this.params = new ParameterStore(manager, config.seed());
        int d = config.dim();
        params.xavier("cf.proj.weight", d, items.cfDim());
        params.constant("cf.proj.bias", 0f, d);
        this.tokenizerDims = new int[] {items.textDim(), 512, 256, 128, config.semTokens() * d};
        if (config.semTokens() > 0) {
            for (int i = 0; i + 1 < tokenizerDims.length; i++) {
                params.xavier("sem.enc" + i + ".weight", tokenizerDims[i + 1], tokenizerDims[i]);
                params.constant("sem.enc" + i + ".bias", 0f, tokenizerDims[i + 1]);
                int j = tokenizerDims.length - 1 - i;
                params.xavier("sem.dec" + i + ".weight", tokenizerDims[j - 1], tokenizerDims[j]);
                params.constant("sem.dec" + i + ".bias", 0f, tokenizerDims[j - 1]);
            }
        }
        params.normal("token.kind", 0.02f, config.tokensPerItem(), d);
        params.normal("position", 0.02f, config.maxLen() + 1L, d);
        params.normal("query", 0.02f, config.queries(), d);
        this.encoder = new Layers(params, "block", d, config.heads(), config.ffnDim(), config.blocks(), config.dropout());
        refreshServingTables();
    }

    /**
     * The same trained network (and text-to-CF map) over another catalogue. No parameter belongs to an item row
     * (items enter through their CF and text inputs), so any catalogue with inputs of the same widths is ranked as
     * this model would.
     */
    public SetRec withCatalogue(ItemInputs catalogue) {
        SetRec copy = new SetRec(config, catalogue, textToCf);
        copy.params.restore(params.snapshot());
        copy.betas = betas;
        copy.refreshServingTables();
        return copy;
    }

    public SetRecConfig config() {
        return config;
    }

    ParameterStore parameters() {
        return params;
    }

    NDManager manager() {
        return manager;
    }

    public ItemInputs items() {
        return items;
    }

    /** The CF input of an item known only by its text embedding (a new item, or a cold row). */
    public float[] predictCf(float[] text) {
        return textToCf.predict(text);
    }

    TextToCf textToCf() {
        return textToCf;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public int numItems() {
        return items.numItems();
    }

    /** The beta of the All setting (the whole catalogue ranked). */
    public float beta() {
        return betas.all();
    }

    public Betas betas() {
        return betas;
    }

    void setBetas(Betas betas) {
        this.betas = betas;
    }

    private NDArray mlp(NDArray x, String prefix, int layers) {
        for (int i = 0; i < layers; i++) {
            x = encoder.linear(x, prefix + i);
            if (i + 1 < layers) {
                x = Activation.relu(x);
            }
        }
        return x;
    }

    /** CF and semantic token tables of the given items' inputs (rows of cf (n, cfDim) and text (n, textDim)). */
    Tables tokenize(NDArray cf, NDArray text) {
        NDArray cfTokens = cfTokens(cf);
        NDArray sem = config.semTokens() > 0 ? mlp(text, "sem.enc", tokenizerDims.length - 1) : null;
        return new Tables(cfTokens, sem);
    }

    /** CF tokens of the given items' CF inputs (n, cfDim) -> (n, d). */
    NDArray cfTokens(NDArray cf) {
        return encoder.linear(cf, "cf.proj");
    }

    /** The tokenizer's reconstruction MSE on (flattened) semantic tokens of some items against their text. */
    NDArray reconstructionLoss(NDArray semFlat, NDArray text) {
        return mlp(semFlat, "sem.dec", tokenizerDims.length - 1).sub(text).square().mean();
    }

    /**
     * Encodes right-padded histories over the item token table {@code itemTokens} (N, S * d, as
     * {@link Tables#joined}); ids/positions are (batch * width). With {@code trainingLayout} the queries
     * of every prefix follow the history (training), else one group of queries per user (serving, needs
     * {@code lengths}). Returns the query outputs: (batch, width, Q, d) or (batch, Q, d).
     */
    NDArray encode(NDManager scope, NDArray itemTokens, int[] ids, int[] lengths, int batch, int width,
                   boolean trainingLayout, boolean training) {
        int d = config.dim();
        int s = config.tokensPerItem();
        int q = config.queries();
        NDArray tokens = Embedding.embedding(scope.create(ids), itemTokens, SparseFormat.DENSE).singletonOrThrow()
                .reshape(batch, width, s, d);
        NDArray positions = params.get("position");
        NDArray itemPositions = positions.get("0:" + width).reshape(1, width, 1, d);
        NDArray history = tokens.add(params.get("token.kind").reshape(1, 1, s, d))
                .add(itemPositions).reshape(batch, (long) width * s, d);
        NDArray queries;
        NDArray queryMask;
        if (trainingLayout) {
            queries = params.get("query").reshape(1, 1, q, d).add(positions.get("1:" + (width + 1)).reshape(1, width, 1, d))
                    .broadcast(batch, width, q, d).reshape(batch, (long) width * q, d);
            queryMask = trainingQueryMask(width);
        } else {
            NDArray next = Embedding.embedding(scope.create(lengths), positions, SparseFormat.DENSE).singletonOrThrow();
            queries = params.get("query").reshape(1, q, d).add(next.reshape(batch, 1, d));
            queryMask = servingQueryMask(scope, width, lengths);
        }
        NDArray out = encoder.forwardQueries(encoder.drop(history, training), historyMask(width),
                encoder.drop(queries, training), queryMask, training);
        return trainingLayout ? out.reshape(batch, width, q, d) : out;
    }

    private NDArray historyMask(int width) {
        return historyMasks.computeIfAbsent(width, w -> {
            int h = w * config.tokensPerItem();
            return manager.create(SetMask.history(w, config.tokensPerItem(), config.sparseMask()), new Shape(1, 1, h, h));
        });
    }

    private NDArray trainingQueryMask(int width) {
        return trainingQueryMasks.computeIfAbsent(width, w -> manager.create(
                SetMask.trainingQueries(w, config.tokensPerItem(), config.queries()),
                new Shape(1, 1, (long) w * config.queries(), (long) w * config.tokensPerItem())));
    }

    private NDArray servingQueryMask(NDManager scope, int width, int[] lengths) {
        int q = config.queries();
        int hist = width * config.tokensPerItem();
        float[] rows = new float[lengths.length * q * hist];
        for (int b = 0; b < lengths.length; b++) {
            SetMask.servingQueries(width, config.tokensPerItem(), q, lengths[b], rows, b * q * hist);
        }
        return scope.create(rows, new Shape(lengths.length, 1, q, hist));
    }

    /** Recomputes the item token tables used for serving (after training steps or loading weights). */
    void refreshServingTables() {
        lock.lock();
        try {
            NDArray fresh = tokenizeForServing(items);
            if (serving != null) {
                serving.close();
            }
            serving = fresh;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Makes new items rankable at once: their token sets are computed and appended to the serving tables while
     * scoring waits only for the swap. Returns the row of the first new item.
     */
    public int addItems(ItemInputs more) {
        lock.lock();
        try {
            int first = numItems();
            NDArray added = tokenizeForServing(more);
            // concat results belong to the first operand's manager: the model's, like the table they replace
            NDArray grown = NDArrays.concat(new NDList(serving, added));
            serving.close();
            added.close();
            serving = grown;
            items = items.append(more);
            return first;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Lends the parameters and the serving tables to one forward pass, so that every result of an operation that
     * starts from them (a transpose, a slice) is freed with the pass instead of piling up in the model's manager.
     */
    private void lendForServing(NDManager scope) {
        params.lendTo(scope);
        serving.tempAttach(scope);
    }

    private NDArray tokenizeForServing(ItemInputs rows) {
        try (NDManager scope = manager.newSubManager()) {
            params.lendTo(scope);
            NDArray joined = tokenize(scope.create(flatten(rows.cf()), new Shape(rows.numItems(), rows.cfDim())),
                    scope.create(flatten(rows.text()), new Shape(rows.numItems(), rows.textDim()))).joined();
            joined.attach(manager);
            return joined;
        }
    }

    static float[] flatten(float[][] rows) {
        int width = rows[0].length;
        float[] flat = new float[rows.length * width];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, flat, i * width, width);
        }
        return flat;
    }

    @Override
    public void score(List<int[]> histories, float[] out) {
        score(histories, out, Setting.ALL);
    }

    /** The scores with the beta of {@code setting}. */
    @Override
    public void score(List<int[]> histories, float[] out, Setting setting) {
        lock.lock();
        try (NDManager scope = manager.newSubManager()) {
            lendForServing(scope);
            PaddedHistories.copyScores(scores(encodeServing(scope, histories), betas.of(setting)), out,
                    checkedCount(histories.size(), out));
        } finally {
            lock.unlock();
        }
    }

    /** Scores a batch in its two parts, the CF score into {@code cf} and the semantic one into {@code sem} (for beta). */
    void scoreParts(List<int[]> histories, float[] cf, float[] sem) {
        lock.lock();
        try (NDManager scope = manager.newSubManager()) {
            lendForServing(scope);
            int batch = histories.size();
            int count = Math.max(checkedCount(batch, cf), checkedCount(batch, sem));
            NDArray out = encodeServing(scope, histories);
            int d = config.dim();
            PaddedHistories.copyScores(out.get(":, 0, :").matMul(serving.get(":, :" + d).transpose()), cf, count);
            if (config.semTokens() == 0) {
                Arrays.fill(sem, 0, count, 0f);
            } else {
                PaddedHistories.copyScores(out.get(":, 1:, :").reshape(batch, (long) config.semTokens() * d)
                        .matMul(serving.get(":, " + d + ":").transpose()), sem, count);
            }
        } finally {
            lock.unlock();
        }
    }

    private int checkedCount(int batch, float[] buffer) {
        int count = batch * numItems();
        if (buffer.length < count) {
            throw new IllegalArgumentException("score buffer holds " + buffer.length + " floats, " + count
                    + " needed (the catalogue has " + numItems() + " items)");
        }
        return count;
    }

    @Override
    public boolean scoresDependOnSetting() {
        Betas b = betas;
        return b.warm() != b.all() || b.cold() != b.all();
    }

    /**
     * The beta-weighted scores of every item, (batch, N): (1 - beta) * (q_0 . cf) + beta * sum_j (q_j . sem_j) is
     * one inner product of the weighted queries with the item's whole token row, so one matrix product.
     */
    private NDArray scores(NDArray queryOutputs, float beta) {
        long batch = queryOutputs.getShape().get(0);
        float[] weights = new float[config.queries()];
        Arrays.fill(weights, beta);
        weights[0] = config.semTokens() == 0 ? 1 : 1 - beta; // CF-only: the CF score alone, whatever beta says
        NDArray weighted = queryOutputs.mul(queryOutputs.getManager().create(weights, new Shape(1, weights.length, 1)));
        return weighted.reshape(batch, (long) config.tokensPerItem() * config.dim()).matMul(serving.transpose());
    }

    /**
     * The top {@code k} items of each history within {@code setting}'s part of the catalogue, best first, with
     * their external ids. Selected natively (torch topk: only B x k values leave the engine, not B x n scores);
     * equal scores come in no defined order. Scored under the lock, so the catalogue cannot change meanwhile.
     * Histories are scored in groups of similar length where that is cheaper ({@link #lengthGroups}): a pass pads
     * every history to its longest, and a few long histories would otherwise make a large batch pay for their length.
     */
    List<List<SetRecService.Scored>> topK(List<int[]> histories, int k, Setting setting) {
        return rank(histories, k, setting, 0, PASS_COST_IN_ITEMS).stream().map(Ranked::best).toList();
    }

    /** {@link #topK(List, int, Setting)} with another cost of a pass (0 in tests: a pass per distinct length). */
    List<List<SetRecService.Scored>> topK(List<int[]> histories, int k, Setting setting, int passCost) {
        return rank(histories, k, setting, 0, passCost).stream().map(Ranked::best).toList();
    }

    /** One history's best items within the setting and, where asked, its best cold items (from the same pass). */
    record Ranked(List<SetRecService.Scored> best, List<SetRecService.Scored> bestCold) {
    }

    /**
     * {@link #topK(List, int, Setting)} plus, for {@code coldK > 0}, the top {@code coldK} cold items of each history
     * (the setting permitting) from the same pass, ranked with the Cold setting's beta.
     */
    List<Ranked> rank(List<int[]> histories, int k, Setting setting, int coldK) {
        return rank(histories, k, setting, coldK, PASS_COST_IN_ITEMS);
    }

    private List<Ranked> rank(List<int[]> histories, int k, Setting setting, int coldK, int passCost) {
        lock.lock();
        try (NDManager scope = manager.newSubManager()) {
            lendForServing(scope);
            ItemInputs catalogue = items;
            Betas mix = betas;
            Setting coldPart = setting == Setting.WARM || coldK <= 0 ? null : Setting.COLD;
            Part best = Part.of(scope, catalogue, setting, k);
            Part cold = coldPart == null ? null : Part.of(scope, catalogue, coldPart, coldK);
            List<List<SetRecService.Scored>> bests = new ArrayList<>(histories.size());
            List<List<SetRecService.Scored>> colds = new ArrayList<>(histories.size());
            histories.forEach(h -> {
                bests.add(List.of());
                colds.add(List.of());
            });
            if (best.kept() > 0 || (cold != null && cold.kept() > 0)) {
                for (int[] group : lengthGroups(histories, config.maxLen(), passCost)) {
                    List<int[]> members = new ArrayList<>(group.length);
                    for (int b : group) {
                        members.add(histories.get(b));
                    }
                    try (NDManager pass = scope.newSubManager()) {
                        NDArray encoded = encodeServing(pass, members);
                        NDArray scores = scores(encoded, mix.of(setting));
                        best.select(scores, catalogue, group, bests);
                        if (cold != null) {
                            cold.select(mix.cold() == mix.of(setting) ? scores : scores(encoded, mix.cold()),
                                    catalogue, group, colds);
                        }
                    }
                }
            }
            List<Ranked> out = new ArrayList<>(histories.size());
            for (int b = 0; b < histories.size(); b++) {
                out.add(new Ranked(bests.get(b), colds.get(b)));
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    /** A setting's part of the catalogue: an additive mask (null: every item) and how many of its items to keep. */
    private record Part(NDArray mask, int kept) {
        static Part of(NDManager scope, ItemInputs catalogue, Setting setting, int k) {
            int included = 0;
            float[] excluded = new float[catalogue.numItems()];
            for (int item = 0; item < excluded.length; item++) {
                if (setting.includes(catalogue.cold()[item])) {
                    included++;
                } else {
                    excluded[item] = Float.NEGATIVE_INFINITY;
                }
            }
            return new Part(included < excluded.length ? scope.create(excluded) : null, Math.min(k, included));
        }

        /** Writes the top {@code kept} of each group member's scores within this part into {@code out}. */
        void select(NDArray scores, ItemInputs catalogue, int[] group, List<List<SetRecService.Scored>> out) {
            if (kept == 0) {
                return;
            }
            NDList top = (mask == null ? scores : scores.add(mask)).topK(kept, -1, true, true);
            float[] values = top.get(0).toFloatArray();
            long[] rows = top.get(1).toLongArray();
            for (int m = 0; m < group.length; m++) {
                List<SetRecService.Scored> list = new ArrayList<>(kept);
                for (int r = 0; r < kept; r++) {
                    int row = (int) rows[m * kept + r];
                    list.add(new SetRecService.Scored(catalogue.ids()[row], values[m * kept + r]));
                }
                out.set(group[m], list);
            }
        }
    }

    /**
     * What one more forward pass costs, in padded history items: measured here, a pass of batch 1 took about as long
     * as 250 items more of padding in a large one (6-8 ms against about 0.03 ms an item, 2 CPU cores).
     */
    static final int PASS_COST_IN_ITEMS = 250;

    /**
     * The positions of the histories, grouped for scoring: sorted by length as scored (at most {@code maxLen}
     * items), then cut where the cuts pay, that is the partition of the sorted list with the least total cost,
     * a pass costing {@code passCost} plus its size times its longest history (every history is padded
     * to that; {@code passCost} is {@link #PASS_COST_IN_ITEMS} when serving). Small batches stay one pass; large batches with a few long histories split them off.
     */
    static List<int[]> lengthGroups(List<int[]> histories, int maxLen, int passCost) {
        int n = histories.size();
        Integer[] order = new Integer[n];
        int[] length = new int[n];
        for (int b = 0; b < n; b++) {
            order[b] = b;
            length[b] = Math.min(histories.get(b).length, maxLen);
        }
        Arrays.sort(order, Comparator.comparingInt(b -> length[b]));
        // best[j]: least cost of scoring the j shortest; cut[j]: where the last group of that solution starts
        long[] best = new long[n + 1];
        int[] cut = new int[n + 1];
        for (int j = 1; j <= n; j++) {
            best[j] = Long.MAX_VALUE;
            int longest = Math.max(1, length[order[j - 1]]);
            for (int i = 0; i < j; i++) {
                long cost = best[i] + passCost + (long) (j - i) * longest;
                if (cost < best[j]) {
                    best[j] = cost;
                    cut[j] = i;
                }
            }
        }
        LinkedList<int[]> groups = new LinkedList<>();
        for (int j = n; j > 0; j = cut[j]) {
            int[] group = new int[j - cut[j]];
            for (int m = 0; m < group.length; m++) {
                group[m] = order[cut[j] + m];
            }
            groups.addFirst(group);
        }
        return groups;
    }

    /** The tokenizer's reconstruction MSE over the whole catalogue (no gradient). */
    float reconstructionLossOfAllItems() {
        lock.lock();
        try (NDManager scope = manager.newSubManager()) {
            params.lendTo(scope);
            NDArray text = scope.create(flatten(items.text()), new Shape(numItems(), items.textDim()));
            NDArray cf = scope.create(flatten(items.cf()), new Shape(numItems(), items.cfDim()));
            return reconstructionLoss(tokenize(cf, text).sem(), text).getFloat();
        } finally {
            lock.unlock();
        }
    }

    /** The query outputs of each history, [batch][query][dim] (for tests and inspection). */
    float[][][] queryOutputs(List<int[]> histories) {
        int q = config.queries();
        int d = config.dim();
        float[] flat;
        lock.lock();
        try (NDManager scope = manager.newSubManager()) {
            lendForServing(scope);
            flat = encodeServing(scope, histories).toFloatArray();
        } finally {
            lock.unlock();
        }
        float[][][] out = new float[histories.size()][q][d];
        for (int b = 0; b < histories.size(); b++) {
            for (int k = 0; k < q; k++) {
                System.arraycopy(flat, (b * q + k) * d, out[b][k], 0, d);
            }
        }
        return out;
    }

    /** One item's token set as served: [0] its CF token (d values), then its n_sem semantic tokens (d each). */
    public float[][] itemTokens(int row) {
        lock.lock();
        try {
            if (row < 0 || row >= numItems()) {
                throw new IndexOutOfBoundsException("row " + row + " of " + numItems() + " items");
            }
            int d = config.dim();
            float[][] tokens = new float[config.tokensPerItem()][];
            try (NDArray joined = serving.get(row)) {
                float[] flat = joined.toFloatArray();
                for (int t = 0; t < tokens.length; t++) {
                    tokens[t] = Arrays.copyOfRange(flat, t * d, (t + 1) * d);
                }
            }
            return tokens;
        } finally {
            lock.unlock();
        }
    }

    /** The serving token table, row-major (N x S*d): each item's CF token, then its semantic tokens. */
    float[] servingTable() {
        lock.lock();
        try {
            return serving.toFloatArray();
        } finally {
            lock.unlock();
        }
    }

    /** Arrays the model's own manager holds (parameters, tables, cached masks): constant while serving. */
    int managedArrays() {
        return manager.getManagedArrays().size();
    }

    /** Encodes right-padded histories (last maxLen items each) in the serving layout: (batch, Q, d). */
    private NDArray encodeServing(NDManager scope, List<int[]> histories) {
        PaddedHistories batch = PaddedHistories.of(histories, config.maxLen(), numItems(), 0);
        return encode(scope, serving, batch.ids(), batch.lengths(), batch.batch(),
                batch.width(), false, false);
    }

    public long parameterCount() {
        return params.count();
    }

    @Override
    public JsonObject describe() {
        JsonObject json = new Gson().toJsonTree(config).getAsJsonObject();
        json.addProperty("parameters", params.count());
        json.addProperty("beta", betas.all());
        json.addProperty("beta_warm", betas.warm());
        json.addProperty("beta_cold", betas.cold());
        return json;
    }

    @Override
    public void save(Path dir) throws IOException {
        params.save(dir.resolve(WEIGHTS));
        ItemTables.write(dir, items);
    }

    /** Restores a model saved by {@link #save}; the manifest has been validated by ModelIO. */
    public static SetRec load(Path dir, ModelManifest manifest) throws IOException {
        SetRecConfig config = new Gson().fromJson(manifest.config(), SetRecConfig.class);
        SetRec model = new SetRec(config, ItemTables.read(dir, manifest.numItems()));
        try {
            model.params.load(ModelManifest.requireFile(dir, WEIGHTS));
            JsonObject saved = manifest.config();
            float all = saved.get("beta").getAsFloat();
            // models saved before betas were chosen per setting ranked every setting with the one beta
            model.betas = new Betas(all, saved.has("beta_warm") ? saved.get("beta_warm").getAsFloat() : all,
                    saved.has("beta_cold") ? saved.get("beta_cold").getAsFloat() : all);
            model.refreshServingTables();
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
        return model;
    }

    @Override
    public void close() {
        manager.close();
    }
}
