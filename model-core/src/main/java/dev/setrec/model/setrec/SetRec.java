package dev.setrec.model.setrec;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import dev.setrec.model.ModelManifest;
import dev.setrec.model.Recommender;
import dev.setrec.nn.Engines;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * SETRec: every item is a set of tokens, one CF token (a frozen SASRec embedding through a trainable projection)
 * and {@code n_sem} semantic tokens (the item's text embedding through an autoencoder-style MLP tokenizer). A
 * transformer reads the history's token sets under {@link SetMask}'s sparse mask; {@code 1 + n_sem} learnable
 * queries yield, in one forward pass, one vector per token kind; query 0 is grounded on every item's CF token,
 * query j on every item's semantic token j, and score = (1 - beta) * s_cf + beta * sum_j s_sem_j; a cold item (CF
 * input predicted from its text) has its own beta and a calibrating shift ({@link ScoreMix}), so that one score
 * ranks every setting.
 * <p>
 * The parts: {@link SetRecNetwork} (tokenizers, transformer, parameters), {@link ServingCatalogue} (the items as
 * served, changed and added at run time, and their lock), {@link CatalogueScorer} (scores and top-k under the
 * score mix, {@link MixWeights}) and {@link SetRecFiles} (the model dir).
 */
public final class SetRec implements Recommender {
    public static final String TYPE = "setrec";

    private final NDManager manager;
    private final SetRecNetwork network;
    private final ServingCatalogue catalogue;
    private final CatalogueScorer scorer;
    /** Predicts the CF input of an item without interactions from its text (fitted on the warm rows). */
    private final TextToCf textToCf;

    /**
     * An untrained model over {@code items}, to be trained with {@code training} (its seed draws the initial
     * weights, its dropout applies in training passes); the CF input of every cold row is replaced by its prediction
     * from text ({@link TextToCf}, fitted on the warm rows; the same values again for a loaded model).
     */
    public SetRec(SetRecArchitecture architecture, ItemInputs items, SetRecTraining training) {
        this(architecture, items, TextToCf.fit(items), training.seed(), training.dropout());
    }

    private SetRec(SetRecArchitecture architecture, ItemInputs items, TextToCf textToCf, long seed, float dropout) {
        this.textToCf = textToCf;
        ItemInputs served = textToCf.fillCold(items);
        this.manager = Engines.newModelManager();
        this.network = new SetRecNetwork(architecture, manager, items.cfDim(), items.textDim(), seed, dropout);
        this.catalogue = new ServingCatalogue(network, manager, served, untrainedMix(architecture));
        this.scorer = new CatalogueScorer(network, catalogue);
    }

    /** A model whose weights are loaded next: serving passes drop nothing. */
    static SetRec forServing(SetRecArchitecture architecture, ItemInputs items) {
        return forServing(architecture, items, TextToCf.fit(items));
    }

    private static SetRec forServing(SetRecArchitecture architecture, ItemInputs items, TextToCf textToCf) {
        return new SetRec(architecture, items, textToCf, 0, 0f);
    }

    /**
     * The same trained network (and text-to-CF map) over another catalogue. No parameter belongs to an item row
     * (items enter through their CF and text inputs), so any catalogue with inputs of the same widths is ranked as
     * this model would.
     */
    public SetRec withCatalogue(ItemInputs items) {
        return forServing(architecture(), items, textToCf).withWeightsOf(this);
    }

    /**
     * A warm start: this model's weights and score mix in a model over {@code items} (same input widths) to be
     * trained further with {@code training} (its dropout applies in training passes); the text-to-CF map is fitted
     * on the warm rows of {@code items}, so rows whose CF input was learned since inform the cold ones.
     */
    public SetRec warmStart(ItemInputs items, SetRecTraining training) {
        return new SetRec(architecture(), items, training).withWeightsOf(this);
    }

    private SetRec withWeightsOf(SetRec source) {
        try {
            network.parameters().restore(source.network.parameters().snapshot());
            catalogue.refresh();
            catalogue.setMix(source.mix());
            return this;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Until training fixes or chooses one: beta 0.5 (0 for CF-only) for every item, no shift. */
    private static ScoreMix untrainedMix(SetRecArchitecture architecture) {
        return ScoreMix.uniform(architecture.semTokens() > 0 ? 0.5f : 0f);
    }

    public SetRecArchitecture architecture() {
        return network.architecture();
    }

    SetRecNetwork network() {
        return network;
    }

    ServingCatalogue catalogue() {
        return catalogue;
    }

    CatalogueScorer scorer() {
        return scorer;
    }

    NDManager manager() {
        return manager;
    }

    public ItemInputs items() {
        return catalogue.items();
    }

    public ScoreMix mix() {
        return catalogue.mix();
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
        return items().numItems();
    }

    @Override
    public void score(List<int[]> histories, float[] out) {
        scorer.score(histories, out);
    }

    /** See {@link ServingCatalogue#update}. */
    public int updateItems(int[] changedRows, ItemInputs changed, ItemInputs added) {
        return catalogue.update(changedRows, changed, added);
    }

    /** One item's token set as served: [0] its CF token (d values), then its n_sem semantic tokens (d each). */
    public float[][] itemTokens(int row) {
        return catalogue.itemTokens(row);
    }

    /** The tokenizer's reconstruction MSE over the whole catalogue (no gradient). */
    float reconstructionLossOfAllItems() {
        return catalogue.serve((scope, view) -> {
            NDArray text = Matrices.of(scope, view.items().text());
            NDArray cf = Matrices.of(scope, view.items().cf());
            return network.reconstructionLoss(network.tokenize(cf, text).sem(), text).getFloat();
        });
    }

    /** Arrays the model's own manager holds (parameters, tables, cached masks): constant while serving. */
    int managedArrays() {
        return manager.getManagedArrays().size();
    }

    public long parameterCount() {
        return network.parameters().count();
    }

    @Override
    public JsonObject describe() {
        return SetRecFiles.config(this);
    }

    @Override
    public void save(Path dir) throws IOException {
        SetRecFiles.save(this, dir);
    }

    /** Restores a model saved by {@link #save}; the manifest has been validated by ModelIO. */
    public static SetRec load(Path dir, ModelManifest manifest) throws IOException {
        return SetRecFiles.load(dir, manifest);
    }

    @Override
    public void close() {
        manager.close();
    }
}
