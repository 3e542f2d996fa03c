package dev.setrec.model.setrec;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The catalogue as served: every item's inputs, its token set as the network tokenizes it (the CF token (N, d) and
 * the semantic tokens (N, n_sem * d), apart so that the two parts of the scores, for choosing the mix on valid, are
 * products of contiguous operands) and those rows weighted by the score mix ({@link MixWeights}). Items are changed
 * and added at run time; one pass or change at a time.
 */
final class ServingCatalogue {
    /** What a pass reads: the catalogue as of the pass, its tables lent to the pass's scope. */
    record View(ItemInputs items, TokenTables tables, NDArray weighted, NDArray shifts) {
    }

    /** A forward pass over the served catalogue. */
    interface Pass<T> {
        T run(NDManager scope, View view);
    }

    private final SetRecNetwork network;
    private final NDManager manager;
    /**
     * One pass or catalogue change at a time: a forward pass already uses every core, and parameters are lent to
     * the pass's scope (not thread-safe). A catalogue change waits for at most one batch.
     */
    private final ReentrantLock lock = new ReentrantLock();
    private volatile ItemInputs items;
    private ScoreMix mix;
    private TokenTables serving;
    private NDArray weighted;
    private NDArray shifts;

    /** The catalogue of {@code items} tokenized by {@code network} (tables kept in {@code manager}). */
    ServingCatalogue(SetRecNetwork network, NDManager manager, ItemInputs items, ScoreMix mix) {
        this.network = network;
        this.manager = manager;
        this.items = items;
        this.mix = mix;
        refresh();
    }

    ItemInputs items() {
        return items;
    }

    ScoreMix mix() {
        return mix;
    }

    void setMix(ScoreMix mix) {
        lock.lock();
        try {
            this.mix = mix;
            reweight();
        } finally {
            lock.unlock();
        }
    }

    /** Recomputes the token tables of every item (after training steps or loading weights). */
    void refresh() {
        lock.lock();
        try {
            TokenTables fresh = tokenize(items);
            if (serving != null) {
                serving.close();
            }
            serving = fresh;
            reweight();
        } finally {
            lock.unlock();
        }
    }

    /** Serves {@code replacement}: the same rows with other inputs (e.g. CF inputs learned in training). */
    void replaceItems(ItemInputs replacement) {
        if (replacement.numItems() != items.numItems()) {
            throw new IllegalArgumentException(replacement.numItems() + " items replace " + items.numItems());
        }
        lock.lock();
        try {
            items = replacement;
            refresh();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs {@code pass} under the lock, so that the catalogue cannot change meanwhile, with the parameters and the
     * tables lent to its scope: every result of an operation that starts from them (a transpose, a slice) is freed
     * with the pass instead of piling up in the model's manager.
     */
    <T> T serve(Pass<T> pass) {
        lock.lock();
        try (NDManager scope = manager.newSubManager()) {
            network.parameters().lendTo(scope);
            serving.tempAttach(scope);
            weighted.tempAttach(scope);
            shifts.tempAttach(scope);
            return pass.run(scope, new View(items, serving, weighted, shifts));
        } finally {
            lock.unlock();
        }
    }

    /** One item's token set as served: [0] its CF token (d values), then its n_sem semantic tokens (d each). */
    float[][] itemTokens(int row) {
        return serve((scope, view) -> {
            if (row < 0 || row >= view.items().numItems()) {
                throw new IndexOutOfBoundsException("row " + row + " of " + view.items().numItems() + " items");
            }
            int d = network.architecture().dim();
            float[][] tokens = new float[network.architecture().tokensPerItem()][];
            float[] flat = view.tables().lookup(scope.create(new int[] {row})).toFloatArray();
            for (int t = 0; t < tokens.length; t++) {
                tokens[t] = Arrays.copyOfRange(flat, t * d, (t + 1) * d);
            }
            return tokens;
        });
    }

    /** The token table as served, row-major (N x S*d): each item's CF token, then its semantic tokens. */
    float[] servingTable() {
        return serve((scope, view) -> view.tables().joined().toFloatArray());
    }

    /** Rebuilds the weighted rows and shifts for the current tables and mix (under the lock). */
    private void reweight() {
        try (NDManager scope = manager.newSubManager()) {
            serving.tempAttach(scope);
            NDList rows = MixWeights.weightedRows(serving, items.cold(), mix, cfOnly(), scope);
            rows.attach(manager);
            if (weighted != null) {
                weighted.close();
                shifts.close();
            }
            weighted = rows.get(0);
            shifts = rows.get(1);
        }
    }

    private boolean cfOnly() {
        return network.architecture().semTokens() == 0;
    }

    /**
     * Re-tokenizes the rows {@code changedRows} from new inputs ({@code changed}, row i for {@code changedRows[i]})
     * and appends the {@code added} items, in one update of the tables while passes wait only for the swap; either
     * may be null (nothing of that kind). A changed warm row keeps its CF token (its CF input is its interactions';
     * only its text changed); a changed cold row takes the CF token of its new CF input. Returns the row of the
     * first added item.
     */
    int update(int[] changedRows, ItemInputs changed, ItemInputs added) {
        int c = changed == null ? 0 : changed.numItems();
        if (c != changedRows.length) {
            throw new IllegalArgumentException(changedRows.length + " changed rows, " + c + " new inputs");
        }
        lock.lock();
        try {
            int n = items.numItems();
            ItemInputs fresh = changed == null ? added : added == null ? changed : changed.append(added);
            if (fresh == null) {
                return n;
            }
            int a = added == null ? 0 : added.numItems();
            ItemInputs grownItems = changed == null ? items : items.replace(changedRows, changed);
            grownItems = added == null ? grownItems : grownItems.append(added);
            TokenTables freshTables = tokenize(fresh);
            TokenTables grown;
            NDArray grownWeighted;
            NDArray grownShifts;
            try (NDManager scope = manager.newSubManager()) {
                freshTables.tempAttach(scope);
                serving.tempAttach(scope);
                weighted.tempAttach(scope);
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
                TokenTables all = serving.append(freshTables);
                grown = c == 0 ? all : all.select(scope.create(cfSource), scope.create(semSource));
                boolean[] touchedCold = new boolean[touched.length];
                for (int t = 0; t < touched.length; t++) {
                    touchedCold[t] = grownItems.cold()[touched[t]];
                }
                NDList rows = MixWeights.weightedRows(grown.rows(scope.create(touched)), touchedCold, mix, cfOnly(),
                        scope);
                NDArray allWeighted = NDArrays.concat(new NDList(weighted, rows.get(0)));
                NDArray allShifts = NDArrays.concat(new NDList(shifts, rows.get(1)));
                grownWeighted = allWeighted;
                grownShifts = allShifts;
                if (c > 0) {
                    int[] weightedSource = new int[n + a];
                    for (int r = 0; r < n + a; r++) {
                        weightedSource[r] = r < n ? r : r + c;
                    }
                    for (int i = 0; i < c; i++) {
                        weightedSource[changedRows[i]] = n + i;
                    }
                    NDArray index = scope.create(weightedSource);
                    grownWeighted = TokenTables.selectRows(allWeighted, index);
                    grownShifts = TokenTables.selectRows(allShifts.reshape(-1, 1), index).reshape(-1);
                }
                grown.attach(manager);
                grownWeighted.attach(manager);
                grownShifts.attach(manager);
            } finally {
                freshTables.close();
            }
            // closed once the scope has handed them back to the model's manager
            serving.close();
            weighted.close();
            shifts.close();
            serving = grown;
            weighted = grownWeighted;
            shifts = grownShifts;
            items = grownItems;
            return n;
        } finally {
            lock.unlock();
        }
    }

    /** The token tables of {@code rows}, kept in the model's manager. */
    private TokenTables tokenize(ItemInputs rows) {
        try (NDManager scope = manager.newSubManager()) {
            network.parameters().lendTo(scope);
            TokenTables tables = network.tokenize(Matrices.of(scope, rows.cf()), Matrices.of(scope, rows.text()));
            tables.attach(manager);
            return tables;
        }
    }
}
