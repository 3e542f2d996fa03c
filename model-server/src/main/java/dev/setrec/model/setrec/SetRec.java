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
 * query j on every item's semantic token j, and score = (1 - beta) * s_cf + beta * sum_j s_sem_j; a cold item (CF
 * input predicted from its text) has its own beta and a calibrating shift ({@link ScoreMix}), so that one score
 * ranks every setting.
 * <p>
 * Position ids count items forward from the oldest item of the window (all tokens of one item share one), and the
 * queries of a prefix take the next position, so training all prefixes in one pass is exactly equivalent to one
 * sample per prefix. A learned token-kind embedding tells the CF token from the semantic ones (it adds no order).
 */
public final class SetRec implements Recommender {
    public static final String TYPE = "setrec";
    static final String WEIGHTS = "weights.bin";

    private final SetRecArchitecture architecture;
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
    private ScoreMix mix;
    /**
     * Every item's token set as served: its CF token (N, d) and its semantic tokens (N, n_sem * d), apart so that
     * the two parts of the scores (for choosing the mix on valid) are products of contiguous operands.
     */
    private Tables serving;
    /**
     * The serving tables with each item's rows weighted by its kind's mix, joined (N, S * d), and each item's shift
     * (N): scoring the catalogue is then one matrix product and one sum, whatever the items' kinds.
     */
    private NDArray ranking;
    private NDArray shifts;

    /** Item token tables: CF tokens (N, d) and semantic tokens flattened (N, n_sem * d); sem is null for n_sem 0. */
    record Tables(NDArray cf, NDArray sem) {
        /** One row per item, the CF token then the semantic tokens: (N, S * d), token kind k at columns k*d.. */
        NDArray joined() {
            return sem == null ? cf : NDArrays.concat(new NDList(cf, sem), 1);
        }

        /** The joined rows of the given items: (ids, S * d). */
        NDArray lookup(NDArray ids) {
            return rows(ids).joined();
        }

        /** The tables of the given items only. */
        Tables rows(NDArray ids) {
            return select(ids, ids);
        }

        /** Tables whose row r is row {@code cfIds[r]} of the CF tokens and row {@code semIds[r]} of the semantic ones. */
        Tables select(NDArray cfIds, NDArray semIds) {
            return new Tables(selectRows(cf, cfIds), sem == null ? null : selectRows(sem, semIds));
        }

        /** These rows followed by {@code more}'s (in the manager of these tables). */
        Tables append(Tables more) {
            return new Tables(NDArrays.concat(new NDList(cf, more.cf)),
                    sem == null ? null : NDArrays.concat(new NDList(sem, more.sem)));
        }

        void attach(NDManager manager) {
            cf.attach(manager);
            if (sem != null) {
                sem.attach(manager);
            }
        }

        void tempAttach(NDManager manager) {
            cf.tempAttach(manager);
            if (sem != null) {
                sem.tempAttach(manager);
            }
        }

        void close() {
            cf.close();
            if (sem != null) {
                sem.close();
            }
        }
    }

    /**
     * An untrained model over {@code items}, to be trained with {@code training} (its seed draws the initial
     * weights, its dropout applies in training passes); the CF input of every cold row is replaced by its prediction
     * from text ({@link TextToCf}, fitted on the warm rows; the same values again for a loaded model).
     */
    public SetRec(SetRecArchitecture architecture, ItemInputs items, SetRecTraining training) {
        this(architecture, items, TextToCf.fit(items), training.seed(), training.dropout());
    }

    /** For serving: loaded weights replace the initial ones, and serving passes drop nothing. */
    private SetRec(SetRecArchitecture architecture, ItemInputs items, TextToCf textToCf) {
        this(architecture, items, textToCf, 0, 0f);
    }

    private SetRec(SetRecArchitecture architecture, ItemInputs items, TextToCf textToCf, long seed, float dropout) {
        this.architecture = architecture;
        this.textToCf = textToCf;
        this.items = textToCf.fillCold(items);
        this.mix = untrainedMix(architecture);
        this.manager = Engines.newModelManager();
        this.params = new ParameterStore(manager, seed);
        int d = architecture.dim();
        params.xavier("cf.proj.weight", d, items.cfDim());
        params.constant("cf.proj.bias", 0f, d);
        this.tokenizerDims = new int[] {items.textDim(), 512, 256, 128, architecture.semTokens() * d};
        if (architecture.semTokens() > 0) {
            for (int i = 0; i + 1 < tokenizerDims.length; i++) {
                params.xavier("sem.enc" + i + ".weight", tokenizerDims[i + 1], tokenizerDims[i]);
                params.constant("sem.enc" + i + ".bias", 0f, tokenizerDims[i + 1]);
                int j = tokenizerDims.length - 1 - i;
                params.xavier("sem.dec" + i + ".weight", tokenizerDims[j - 1], tokenizerDims[j]);
                params.constant("sem.dec" + i + ".bias", 0f, tokenizerDims[j - 1]);
            }
        }
        params.normal("token.kind", 0.02f, architecture.tokensPerItem(), d);
        params.normal("position", 0.02f, architecture.maxLen() + 1L, d);
        params.normal("query", 0.02f, architecture.queries(), d);
        this.encoder = new Layers(params, "block", d, architecture.heads(), architecture.ffnDim(),
                architecture.blocks(), dropout);
        refreshServingTables();
    }

    /**
     * The same trained network (and text-to-CF map) over another catalogue. No parameter belongs to an item row
     * (items enter through their CF and text inputs), so any catalogue with inputs of the same widths is ranked as
     * this model would.
     */
    public SetRec withCatalogue(ItemInputs catalogue) {
        SetRec copy = new SetRec(architecture, catalogue, textToCf);
        copy.params.restore(params.snapshot());
        copy.mix = mix;
        copy.refreshServingTables();
        return copy;
    }

    public SetRecArchitecture architecture() {
        return architecture;
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

    /**
     * The CF inputs of items known only by their text embeddings (new items, or cold rows), in one batched search.
     */
    public float[][] predictCf(float[][] texts) {
        return textToCf.predict(texts);
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

    /** Until training fixes or chooses one: beta 0.5 (0 for CF-only) for every item, no shift. */
    private static ScoreMix untrainedMix(SetRecArchitecture architecture) {
        return ScoreMix.uniform(architecture.semTokens() > 0 ? 0.5f : 0f);
    }

    public ScoreMix mix() {
        return mix;
    }

    void setMix(ScoreMix mix) {
        lock.lock();
        try {
            this.mix = mix;
            refreshRanking();
        } finally {
            lock.unlock();
        }
    }

    /** Rebuilds {@link #ranking} and {@link #shifts} for the current tables and mix (under the lock). */
    private void refreshRanking() {
        try (NDManager scope = manager.newSubManager()) {
            serving.tempAttach(scope);
            NDList rows = rankingRows(serving, items.cold(), scope);
            rows.attach(manager);
            if (ranking != null) {
                ranking.close();
                shifts.close();
            }
            ranking = rows.get(0);
            shifts = rows.get(1);
        }
    }

    /** The given items' token rows weighted by their kinds' mix (n, S * d) and their shifts (n), in {@code scope}. */
    private NDList rankingRows(Tables tables, boolean[] cold, NDManager scope) {
        int n = cold.length;
        float[] cfWeights = new float[n];
        float[] semWeights = new float[n];
        float[] shift = new float[n];
        for (int item = 0; item < n; item++) {
            // CF-only: the CF score alone, whatever beta says
            cfWeights[item] = architecture.semTokens() == 0 ? 1 : mix.cfWeight(cold[item]);
            semWeights[item] = mix.semWeight(cold[item]);
            shift[item] = mix.shift(cold[item]);
        }
        NDArray cfRows = tables.cf().mul(scope.create(cfWeights, new Shape(n, 1)));
        NDArray weighted = tables.sem() == null ? cfRows : NDArrays.concat(new NDList(cfRows,
                tables.sem().mul(scope.create(semWeights, new Shape(n, 1)))), 1);
        return new NDList(weighted, scope.create(shift));
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
        NDArray sem = architecture.semTokens() > 0 ? mlp(text, "sem.enc", tokenizerDims.length - 1) : null;
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
     * Encodes right-padded histories over the item token tables {@code itemTokens}; ids/positions are (batch * width). With {@code trainingLayout} the queries
     * of every prefix follow the history (training), else one group of queries per user (serving, needs
     * {@code lengths}). Returns the query outputs: (batch, width, Q, d) or (batch, Q, d).
     */
    NDArray encode(NDManager scope, Tables itemTokens, int[] ids, int[] lengths, int batch, int width,
                   boolean trainingLayout, boolean training) {
        int d = architecture.dim();
        int s = architecture.tokensPerItem();
        int q = architecture.queries();
        NDArray tokens = itemTokens.lookup(scope.create(ids)).reshape(batch, width, s, d);
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
            int h = w * architecture.tokensPerItem();
            return manager.create(SetMask.history(w, architecture.tokensPerItem(), architecture.sparseMask()),
                    new Shape(1, 1, h, h));
        });
    }

    private NDArray trainingQueryMask(int width) {
        return trainingQueryMasks.computeIfAbsent(width, w -> manager.create(
                SetMask.trainingQueries(w, architecture.tokensPerItem(), architecture.queries()),
                new Shape(1, 1, (long) w * architecture.queries(), (long) w * architecture.tokensPerItem())));
    }

    private NDArray servingQueryMask(NDManager scope, int width, int[] lengths) {
        int q = architecture.queries();
        int hist = width * architecture.tokensPerItem();
        float[] rows = new float[lengths.length * q * hist];
        for (int b = 0; b < lengths.length; b++) {
            SetMask.servingQueries(width, architecture.tokensPerItem(), q, lengths[b], rows, b * q * hist);
        }
        return scope.create(rows, new Shape(lengths.length, 1, q, hist));
    }

    /** Recomputes the item token tables used for serving (after training steps or loading weights). */
    void refreshServingTables() {
        lock.lock();
        try {
            Tables fresh = tokenizeForServing(items);
            if (serving != null) {
                serving.close();
            }
            serving = fresh;
            refreshRanking();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Re-tokenizes the rows {@code changedRows} from new inputs ({@code changed}, row i for {@code changedRows[i]})
     * and appends the {@code added} items, in one update of the serving tables while scoring waits only for the
     * swap; either may be null (nothing of that kind). A changed warm row keeps its CF token (its CF input is its
     * interactions'; only its text changed); a changed cold row takes the CF token of its new CF input. Returns the
     * row of the first added item.
     */
    public int updateItems(int[] changedRows, ItemInputs changed, ItemInputs added) {
        int c = changed == null ? 0 : changed.numItems();
        if (c != changedRows.length) {
            throw new IllegalArgumentException(changedRows.length + " changed rows, " + c + " new inputs");
        }
        lock.lock();
        try {
            int n = numItems();
            ItemInputs fresh = changed == null ? added : added == null ? changed : changed.append(added);
            if (fresh == null) {
                return n;
            }
            int a = added == null ? 0 : added.numItems();
            ItemInputs grownItems = changed == null ? items : items.replace(changedRows, changed);
            grownItems = added == null ? grownItems : grownItems.append(added);
            Tables freshTables = tokenizeForServing(fresh);
            Tables grown;
            NDArray grownRanking;
            NDArray grownShifts;
            try (NDManager scope = manager.newSubManager()) {
                freshTables.tempAttach(scope);
                serving.tempAttach(scope);
                ranking.tempAttach(scope);
                shifts.tempAttach(scope);
                // every row's source in (old rows, fresh rows); only the fresh rows are tokenized and weighted
                int[] cfSource = new int[n + a];
                int[] semSource = new int[n + a];
                int[] touched = new int[c + a];
                for (int r = 0; r < n + a; r++) {
                    cfSource[r] = semSource[r] = r < n ? r : r + c;
                }
                for (int i = 0; i < c; i++) {
                    int row = changedRows[i];
                    semSource[row] = n + i;
                    if (grownItems.cold()[row]) {
                        cfSource[row] = n + i;
                    }
                    touched[i] = row;
                }
                for (int j = 0; j < a; j++) {
                    touched[c + j] = n + j;
                }
                Tables all = serving.append(freshTables);
                grown = c == 0 ? all : all.select(scope.create(cfSource), scope.create(semSource));
                boolean[] touchedCold = new boolean[touched.length];
                for (int t = 0; t < touched.length; t++) {
                    touchedCold[t] = grownItems.cold()[touched[t]];
                }
                NDList weighted = rankingRows(grown.rows(scope.create(touched)), touchedCold, scope);
                NDArray allRanking = NDArrays.concat(new NDList(ranking, weighted.get(0)));
                NDArray allShifts = NDArrays.concat(new NDList(shifts, weighted.get(1)));
                grownRanking = allRanking;
                grownShifts = allShifts;
                if (c > 0) {
                    int[] rankSource = new int[n + a];
                    for (int r = 0; r < n + a; r++) {
                        rankSource[r] = r < n ? r : r + c;
                    }
                    for (int i = 0; i < c; i++) {
                        rankSource[changedRows[i]] = n + i;
                    }
                    NDArray index = scope.create(rankSource);
                    grownRanking = selectRows(allRanking, index);
                    grownShifts = selectRows(allShifts.reshape(-1, 1), index).reshape(-1);
                }
                grown.attach(manager);
                grownRanking.attach(manager);
                grownShifts.attach(manager);
            } finally {
                freshTables.close();
            }
            // closed once the scope has handed them back to the model's manager
            serving.close();
            ranking.close();
            shifts.close();
            serving = grown;
            ranking = grownRanking;
            shifts = grownShifts;
            items = grownItems;
            return n;
        } finally {
            lock.unlock();
        }
    }

    /** The rows {@code ids} of a table (N, w): (ids, w). */
    private static NDArray selectRows(NDArray table, NDArray ids) {
        return Embedding.embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();
    }

    /**
     * Lends the parameters and the serving tables to one forward pass, so that every result of an operation that
     * starts from them (a transpose, a slice) is freed with the pass instead of piling up in the model's manager.
     */
    private void lendForServing(NDManager scope) {
        params.lendTo(scope);
        serving.tempAttach(scope);
        ranking.tempAttach(scope);
        shifts.tempAttach(scope);
    }

    private Tables tokenizeForServing(ItemInputs rows) {
        try (NDManager scope = manager.newSubManager()) {
            params.lendTo(scope);
            Tables tables = tokenize(scope.create(flatten(rows.cf()), new Shape(rows.numItems(), rows.cfDim())),
                    scope.create(flatten(rows.text()), new Shape(rows.numItems(), rows.textDim())));
            tables.attach(manager);
            return tables;
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
        lock.lock();
        try (NDManager scope = manager.newSubManager()) {
            lendForServing(scope);
            PaddedHistories.copyScores(scores(encodeServing(scope, histories)), out,
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
            int count = Math.max(checkedCount(histories.size(), cf), checkedCount(histories.size(), sem));
            NDList parts = partScores(encodeServing(scope, histories));
            PaddedHistories.copyScores(parts.get(0), cf, count);
            if (parts.size() == 1) {
                Arrays.fill(sem, 0, count, 0f);
            } else {
                PaddedHistories.copyScores(parts.get(1), sem, count);
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

    /** Every item's CF score q_0 . cf and (n_sem > 0) its semantic score sum_j q_j . sem_j: one or two (batch, N). */
    private NDList partScores(NDArray queryOutputs) {
        long batch = queryOutputs.getShape().get(0);
        int d = architecture.dim();
        NDArray cf = queryOutputs.get(":, 0, :").matMul(serving.cf().transpose());
        if (architecture.semTokens() == 0) {
            return new NDList(cf);
        }
        NDArray sem = queryOutputs.get(":, 1:, :").reshape(batch, (long) architecture.semTokens() * d)
                .matMul(serving.sem().transpose());
        return new NDList(cf, sem);
    }

    /** Every item's score under the mix of its kind, (batch, N): w_cf * s_cf + w_sem * s_sem + shift. */
    private NDArray scores(NDArray queryOutputs) {
        long batch = queryOutputs.getShape().get(0);
        return queryOutputs.reshape(batch, (long) architecture.tokensPerItem() * architecture.dim())
                .matMul(ranking.transpose())
                .add(shifts);
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
     * (the setting permitting) from the same pass and scores.
     */
    List<Ranked> rank(List<int[]> histories, int k, Setting setting, int coldK) {
        return rank(histories, k, setting, coldK, PASS_COST_IN_ITEMS);
    }

    private List<Ranked> rank(List<int[]> histories, int k, Setting setting, int coldK, int passCost) {
        lock.lock();
        try (NDManager scope = manager.newSubManager()) {
            lendForServing(scope);
            ItemInputs catalogue = items;
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
                for (int[] group : lengthGroups(histories, architecture.maxLen(), passCost)) {
                    List<int[]> members = new ArrayList<>(group.length);
                    for (int b : group) {
                        members.add(histories.get(b));
                    }
                    try (NDManager pass = scope.newSubManager()) {
                        NDArray encoded = encodeServing(pass, members);
                        NDArray scores = scores(encoded);
                        best.select(scores, catalogue, group, bests);
                        if (cold != null) {
                            cold.select(scores, catalogue, group, colds);
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
        int q = architecture.queries();
        int d = architecture.dim();
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
            int d = architecture.dim();
            float[][] tokens = new float[architecture.tokensPerItem()][];
            try (NDManager scope = manager.newSubManager()) {
                serving.tempAttach(scope);
                float[] flat = serving.lookup(scope.create(new int[] {row})).toFloatArray();
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
            try (NDManager scope = manager.newSubManager()) {
                serving.tempAttach(scope);
                return serving.joined().toFloatArray();
            }
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
        PaddedHistories batch = PaddedHistories.of(histories, architecture.maxLen(), numItems(), 0);
        return encode(scope, serving, batch.ids(), batch.lengths(), batch.batch(),
                batch.width(), false, false);
    }

    public long parameterCount() {
        return params.count();
    }

    @Override
    public JsonObject describe() {
        JsonObject json = new Gson().toJsonTree(architecture).getAsJsonObject();
        json.addProperty("parameters", params.count());
        json.addProperty("beta", mix.beta());
        json.addProperty("beta_cold", mix.betaCold());
        json.addProperty("cold_shift", mix.coldShift());
        return json;
    }

    @Override
    public void save(Path dir) throws IOException {
        params.save(dir.resolve(WEIGHTS));
        ItemTables.write(dir, items);
    }

    /** Restores a model saved by {@link #save}; the manifest has been validated by ModelIO. */
    public static SetRec load(Path dir, ModelManifest manifest) throws IOException {
        // model.json of older models holds training settings too; only the architecture is read
        SetRecArchitecture architecture = new Gson().fromJson(manifest.config(), SetRecArchitecture.class);
        ItemInputs items = ItemTables.read(dir, manifest.numItems());
        SetRec model = new SetRec(architecture, items, TextToCf.fit(items));
        try {
            model.params.load(ModelManifest.requireFile(dir, WEIGHTS));
            JsonObject saved = manifest.config();
            float beta = saved.get("beta").getAsFloat();
            // older models: one beta for every item, no shift
            model.mix = new ScoreMix(beta, saved.has("beta_cold") ? saved.get("beta_cold").getAsFloat() : beta,
                    saved.has("cold_shift") ? saved.get("cold_shift").getAsFloat() : 0f);
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
