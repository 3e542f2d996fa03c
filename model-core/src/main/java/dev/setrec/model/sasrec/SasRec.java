package dev.setrec.model.sasrec;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import com.google.gson.Gson;
import com.google.gson.JsonObject;
import dev.setrec.model.ModelManifest;
import dev.setrec.model.PaddedHistories;
import dev.setrec.model.Recommender;
import dev.setrec.nn.Engines;
import dev.setrec.nn.Layers;
import dev.setrec.nn.ParameterStore;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * SASRec (Kang and McAuley, 2018) on DJL PyTorch: causal self-attention over the last {@code maxLen} items,
 * the output at each position scored against the (tied) item embedding table over the full catalogue.
 * <p>
 * Inputs are right-padded, so a real position never sees padding under the causal mask and no key-padding mask is
 * needed. Position ids count back from the most recent item (0 = newest), as SASRec's left-aligned positions do:
 * the newest item gets the same position id at training and at serving time.
 * <p>
 * The item table (rows 0..n-1, plus a padding row n) is also the project's CF tokenizer: see {@link #itemEmbeddings()}.
 */
public final class SasRec implements Recommender {
    public static final String TYPE = "sasrec";
    static final String WEIGHTS = "weights.bin";

    private final SasRecConfig config;
    private final int numItems;
    private final NDManager manager;
    private final ParameterStore params;
    private final Layers encoder;
    private final Map<Integer, NDArray> causalMasks = new HashMap<>();

    public SasRec(SasRecConfig config, int numItems) {
        this.config = config;
        this.numItems = numItems;
        this.manager = Engines.newModelManager();
        this.params = new ParameterStore(manager, config.seed());
        params.normal("item.embedding", 1f / (float) Math.sqrt(config.dim()), numItems + 1L, config.dim());
        params.normal("position.embedding", 0.02f, config.maxLen(), config.dim());
        this.encoder = new Layers(params, "block", config.dim(), config.heads(), config.ffnDim(), config.blocks(),
                config.dropout());
    }

    public SasRecConfig config() {
        return config;
    }

    ParameterStore parameters() {
        return params;
    }

    NDManager manager() {
        return manager;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public int numItems() {
        return numItems;
    }

    int paddingId() {
        return numItems;
    }

    /**
     * The encoder output for a right-padded batch: ids and positions are (batch * width) row-major.
     * Returns (batch * width, dim).
     */
    NDArray encode(NDManager scope, int[] ids, int[] positions, int batch, int width, boolean training) {
        int d = config.dim();
        NDArray idArray = scope.create(ids);
        NDArray posArray = scope.create(positions);
        NDArray items = Embedding.embedding(idArray, params.get("item.embedding"), SparseFormat.DENSE)
                .singletonOrThrow();
        NDArray pos = Embedding.embedding(posArray, params.get("position.embedding"), SparseFormat.DENSE)
                .singletonOrThrow();
        NDArray x = items.muli((float) Math.sqrt(d)).addi(pos).reshape(batch, width, d);
        x = encoder.drop(x, training);
        return encoder.forward(x, causalMask(width), training).reshape((long) batch * width, d);
    }

    /** Logits over the catalogue for the given rows of hidden states (rows, dim) -> (rows, numItems). */
    NDArray catalogueLogits(NDArray hidden) {
        NDArray table = params.get("item.embedding").get("0:" + numItems);
        return hidden.matMul(table.transpose());
    }

    private NDArray causalMask(int width) {
        return causalMasks.computeIfAbsent(width, t -> {
            float[] m = new float[t * t];
            for (int q = 0; q < t; q++) {
                for (int k = q + 1; k < t; k++) {
                    m[q * t + k] = -1e9f;
                }
            }
            return manager.create(m, new Shape(1, 1, t, t));
        });
    }

    @Override
    public void score(List<int[]> histories, float[] out) {
        PaddedHistories batch = PaddedHistories.of(histories, config.maxLen(), numItems, paddingId());
        int width = batch.width();
        int[] positions = new int[batch.ids().length];
        int[] last = new int[batch.batch()];
        for (int b = 0; b < batch.batch(); b++) {
            int len = batch.lengths()[b];
            for (int t = 0; t < len; t++) {
                positions[b * width + t] = len - 1 - t;
            }
            last[b] = b * width + len - 1;
        }
        try (NDManager scope = manager.newSubManager()) {
            params.lendTo(scope);
            NDArray hidden = encode(scope, batch.ids(), positions, batch.batch(), width, false).get(scope.create(last));
            PaddedHistories.copyScores(catalogueLogits(hidden), out, batch.batch() * numItems);
        }
    }

    /** Writes items seq[from, from+len) right-padded into row b, with positions counted back from the newest. */
    void fillRow(int[] seq, int from, int len, int width, int b, int[] ids, int[] positions) {
        int base = b * width;
        for (int t = 0; t < width; t++) {
            if (t < len) {
                int item = seq[from + t];
                if (item < 0 || item >= numItems) {
                    throw new IllegalArgumentException("item " + item + " is outside the catalogue of " + numItems);
                }
                ids[base + t] = item;
                positions[base + t] = len - 1 - t;
            } else {
                ids[base + t] = paddingId();
                positions[base + t] = 0;
            }
        }
    }

    /** The learned item table, rows 0..numItems-1 (cold rows already set by {@link #neutraliseColdItems}). */
    public float[][] itemEmbeddings() {
        float[] flat;
        try (NDManager scope = manager.newSubManager()) {
            params.lendTo(scope);
            flat = params.get("item.embedding").get("0:" + numItems).toFloatArray();
        }
        int d = config.dim();
        float[][] rows = new float[numItems][d];
        for (int i = 0; i < numItems; i++) {
            System.arraycopy(flat, i * d, rows[i], 0, d);
        }
        return rows;
    }

    /**
     * Gives every cold item (no train interaction) the mean embedding of the warm items. A cold item never is a
     * training target or input, so its trained row only reflects being pushed down as a negative; the warm mean is
     * a neutral, documented value both as an input and as a CF token, leaving cold-item ranking to item text.
     */
    public void neutraliseColdItems(boolean[] cold) {
        int d = config.dim();
        float[][] rows = itemEmbeddings();
        float[] mean = new float[d];
        int warm = 0;
        for (int i = 0; i < numItems; i++) {
            if (!cold[i]) {
                warm++;
                for (int j = 0; j < d; j++) {
                    mean[j] += rows[i][j];
                }
            }
        }
        if (warm == 0) {
            return;
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= warm;
        }
        try (NDManager scope = manager.newSubManager()) {
            NDArray table = params.get("item.embedding");
            table.tempAttach(scope);
            for (int i = 0; i < numItems; i++) {
                if (cold[i]) {
                    table.set(new NDIndex(i), scope.create(mean));
                }
            }
        }
    }

    public long parameterCount() {
        return params.count();
    }

    @Override
    public JsonObject describe() {
        JsonObject json = new Gson().toJsonTree(config).getAsJsonObject();
        json.addProperty("parameters", params.count());
        return json;
    }

    @Override
    public void save(Path dir) throws IOException {
        params.save(dir.resolve(WEIGHTS));
    }

    /** Restores a model saved by {@link #save}; the manifest has been validated by ModelIO. */
    public static SasRec load(Path dir, ModelManifest manifest) throws IOException {
        SasRecConfig config = new Gson().fromJson(manifest.config(), SasRecConfig.class);
        SasRec model = new SasRec(config, manifest.numItems());
        try {
            model.params.load(ModelManifest.requireFile(dir, WEIGHTS));
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
