package dev.setrec.model.setrec;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Embedding;
import dev.setrec.model.PaddedHistories;
import dev.setrec.nn.Layers;
import dev.setrec.nn.ParameterStore;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * SETRec's network and its parameters: the tokenizers (a trainable projection of the CF input; an autoencoder-style
 * MLP from the text embedding to {@code n_sem} semantic tokens) and the transformer that reads the history's token
 * sets under {@link SetMask}'s sparse mask and answers {@code 1 + n_sem} learnable queries in one forward pass.
 * <p>
 * Position ids count items forward from the oldest item of the window (all tokens of one item share one), and the
 * queries of a prefix take the next position, so training all prefixes in one pass is exactly equivalent to one
 * sample per prefix. A learned token-kind embedding tells the CF token from the semantic ones (it adds no order).
 * Not thread-safe: parameters are lent to one pass's scope at a time.
 */
final class SetRecNetwork {
    private final SetRecArchitecture architecture;
    private final NDManager manager;
    private final ParameterStore params;
    private final Layers encoder;
    private final int[] tokenizerDims;
    private final Map<Integer, NDArray> historyMasks = new HashMap<>();
    private final Map<Integer, NDArray> trainingQueryMasks = new HashMap<>();

    /**
     * A network for items with CF inputs of {@code cfDim} and text inputs of {@code textDim} values, its initial
     * weights drawn from {@code seed}, {@code dropout} in training passes; parameters and masks live in
     * {@code manager}.
     */
    SetRecNetwork(SetRecArchitecture architecture, NDManager manager, int cfDim, int textDim, long seed,
                  float dropout) {
        this.architecture = architecture;
        this.manager = manager;
        this.params = new ParameterStore(manager, seed);
        int d = architecture.dim();
        params.xavier("cf.proj.weight", d, cfDim);
        params.constant("cf.proj.bias", 0f, d);
        this.tokenizerDims = new int[] {textDim, 512, 256, 128, architecture.semTokens() * d};
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
    }

    SetRecArchitecture architecture() {
        return architecture;
    }

    ParameterStore parameters() {
        return params;
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
    TokenTables tokenize(NDArray cf, NDArray text) {
        NDArray cfTokens = encoder.linear(cf, "cf.proj");
        NDArray sem = architecture.semTokens() > 0 ? mlp(text, "sem.enc", tokenizerDims.length - 1) : null;
        return new TokenTables(cfTokens, sem);
    }

    /** The tokenizer's reconstruction MSE on (flattened) semantic tokens of some items against their text. */
    NDArray reconstructionLoss(NDArray semFlat, NDArray text) {
        return mlp(semFlat, "sem.dec", tokenizerDims.length - 1).sub(text).square().mean();
    }

    /**
     * Encodes right-padded histories over the item token tables {@code itemTokens}; ids/positions are
     * (batch * width). With {@code trainingLayout} the queries of every prefix follow the history (training), else
     * one group of queries per user (serving, needs {@code lengths}). Returns the query outputs: (batch, width, Q, d)
     * or (batch, Q, d).
     */
    NDArray encode(NDManager scope, TokenTables itemTokens, int[] ids, int[] lengths, int batch, int width,
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
            queries = params.get("query").reshape(1, 1, q, d)
                    .add(positions.get("1:" + (width + 1)).reshape(1, width, 1, d))
                    .broadcast(batch, width, q, d).reshape(batch, (long) width * q, d);
            queryMask = trainingQueryMask(width);
        } else {
            NDArray next = Embedding.embedding(scope.create(lengths), positions, SparseFormat.DENSE)
                    .singletonOrThrow();
            queries = params.get("query").reshape(1, q, d).add(next.reshape(batch, 1, d));
            queryMask = servingQueryMask(scope, width, lengths);
        }
        NDArray out = encoder.forwardQueries(encoder.drop(history, training), historyMask(width),
                encoder.drop(queries, training), queryMask, training);
        return trainingLayout ? out.reshape(batch, width, q, d) : out;
    }

    /**
     * Encodes right-padded histories (last maxLen items each, rows of a catalogue of {@code numItems}) in the
     * serving layout: (batch, Q, d).
     */
    NDArray encodeServing(NDManager scope, TokenTables itemTokens, List<int[]> histories, int numItems) {
        PaddedHistories batch = PaddedHistories.of(histories, architecture.maxLen(), numItems, 0);
        return encode(scope, itemTokens, batch.ids(), batch.lengths(), batch.batch(), batch.width(), false, false);
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
}
