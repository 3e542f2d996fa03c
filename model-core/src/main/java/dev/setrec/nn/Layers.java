package dev.setrec.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.norm.LayerNorm;

/**
 * A pre-LayerNorm transformer encoder written as functions over named parameters, so that any attention mask
 * (causal over items, the SETRec set mask, ...) can be passed in as an additive (B or 1, 1, T, T) tensor.
 */
public final class Layers {
    private final ParameterStore params;
    private final String prefix;
    private final int dim;
    private final int heads;
    private final int numBlocks;
    private final float dropout;

    /** Creates the parameters of {@code numBlocks} blocks of width {@code dim} with an FFN of {@code ffnDim}. */
    public Layers(ParameterStore params, String prefix, int dim, int heads, int ffnDim, int numBlocks, float dropout) {
        if (dim % heads != 0) {
            throw new IllegalArgumentException("width " + dim + " is not divisible by " + heads + " heads");
        }
        this.params = params;
        this.prefix = prefix;
        this.dim = dim;
        this.heads = heads;
        this.numBlocks = numBlocks;
        this.dropout = dropout;
        for (int b = 0; b < numBlocks; b++) {
            String p = prefix + b + ".";
            params.constant(p + "ln1.gamma", 1f, dim);
            params.constant(p + "ln1.beta", 0f, dim);
            params.xavier(p + "attn.qkv.weight", 3L * dim, dim);
            params.constant(p + "attn.qkv.bias", 0f, 3L * dim);
            params.xavier(p + "attn.out.weight", dim, dim);
            params.constant(p + "attn.out.bias", 0f, dim);
            params.constant(p + "ln2.gamma", 1f, dim);
            params.constant(p + "ln2.beta", 0f, dim);
            params.xavier(p + "ffn.in.weight", ffnDim, dim);
            params.constant(p + "ffn.in.bias", 0f, ffnDim);
            params.xavier(p + "ffn.out.weight", dim, ffnDim);
            params.constant(p + "ffn.out.bias", 0f, dim);
        }
        params.constant(prefix + "final.gamma", 1f, dim);
        params.constant(prefix + "final.beta", 0f, dim);
    }

    /** x: (B, T, dim); mask: additive, broadcastable to (B, heads, T, T). Returns the final-normed (B, T, dim). */
    public NDArray forward(NDArray x, NDArray mask, boolean training) {
        for (int b = 0; b < numBlocks; b++) {
            String p = prefix + b + ".";
            Heads heads = heads(norm(x, p + "ln1"), p, true);
            x = feedForward(x.add(drop(linear(attend(heads.q, heads, mask), p + "attn.out"), training)), p, training);
        }
        return norm(x, prefix + "final");
    }

    /**
     * The same blocks over a sequence followed by query tokens that read the sequence (under {@code queryMask},
     * broadcastable to (B, heads, Tq, T)) and themselves only, while nothing attends to a query: exactly
     * {@link #forward} over the concatenation with the matching mask, at a fraction of its cost. The sequence's
     * tokens never attend to the Tq queries, so their (T x Tq) block is never computed, and the last block computes
     * only the keys and values of the sequence, as only the queries' outputs are returned.
     * x: (B, T, dim); queries: (B, Tq, dim); mask as in {@link #forward}. Returns the final-normed queries (B, Tq,
     * dim).
     */
    public NDArray forwardQueries(NDArray x, NDArray mask, NDArray queries, NDArray queryMask, boolean training) {
        for (int b = 0; b < numBlocks; b++) {
            String p = prefix + b + ".";
            boolean last = b + 1 == numBlocks;
            Heads sequence = heads(norm(x, p + "ln1"), p, !last);
            Heads own = heads(norm(queries, p + "ln1"), p, true);
            NDArray queryContext = attendWithSelf(own, sequence, queryMask);
            queries = feedForward(queries.add(drop(linear(queryContext, p + "attn.out"), training)), p, training);
            if (!last) {
                NDArray context = attend(sequence.q, sequence, mask);
                x = feedForward(x.add(drop(linear(context, p + "attn.out"), training)), p, training);
            }
        }
        return norm(queries, prefix + "final");
    }

    /** Per-head projections (B, H, T, dh); {@code q} is null where only keys and values are needed. */
    private record Heads(NDArray q, NDArray k, NDArray v) {
    }

    private Heads heads(NDArray x, String p, boolean withQueries) {
        long batch = x.getShape().get(0);
        long t = x.getShape().get(1);
        int parts = withQueries ? 3 : 2;
        NDArray weight = params.get(p + "attn.qkv.weight");
        NDArray bias = params.get(p + "attn.qkv.bias");
        if (!withQueries) { // the key and value rows of the fused projection
            weight = weight.get(dim + ":");
            bias = bias.get(dim + ":");
        }
        // (B, T, parts, H, dh) -> (parts, B, H, T, dh)
        NDArray projected = Linear.linear(x, weight, bias).singletonOrThrow()
                .reshape(batch, t, parts, heads, dim / heads).transpose(2, 0, 3, 1, 4);
        return withQueries ? new Heads(projected.get(0), projected.get(1), projected.get(2))
                : new Heads(null, projected.get(0), projected.get(1));
    }

    private NDArray scaledScores(NDArray q, NDArray k) {
        return q.matMul(k.transpose(0, 1, 3, 2)).muli(1f / (float) Math.sqrt(dim / heads));
    }

    /** Attention of {@code q} over {@code keys} under an additive mask; returns the merged heads (B, Tq, dim). */
    private NDArray attend(NDArray q, Heads keys, NDArray mask) {
        return mergeHeads(scaledScores(q, keys.k).addi(mask).softmax(-1).matMul(keys.v));
    }

    /** Attention of each query over {@code keys} (under {@code mask}) and over itself, in one softmax. */
    private NDArray attendWithSelf(Heads own, Heads keys, NDArray mask) {
        long t = keys.k.getShape().get(2);
        NDArray self = own.q.mul(own.k).sum(new int[] {-1}, true).muli(1f / (float) Math.sqrt(dim / heads));
        NDArray weights = NDArrays.concat(new NDList(scaledScores(own.q, keys.k).addi(mask), self), -1).softmax(-1);
        NDArray context = weights.get("..., :" + t).matMul(keys.v).add(weights.get("..., " + t + ":").mul(own.v));
        return mergeHeads(context);
    }

    private NDArray mergeHeads(NDArray context) {
        Shape shape = context.getShape(); // (B, H, T, dh)
        return context.transpose(0, 2, 1, 3).reshape(shape.get(0), shape.get(2), dim);
    }

    private NDArray feedForward(NDArray x, String p, boolean training) {
        NDArray h = Activation.gelu(linear(norm(x, p + "ln2"), p + "ffn.in"));
        return x.add(drop(linear(drop(h, training), p + "ffn.out"), training));
    }

    public NDArray linear(NDArray x, String name) {
        return Linear.linear(x, params.get(name + ".weight"), params.get(name + ".bias")).singletonOrThrow();
    }

    public NDArray norm(NDArray x, String name) {
        return LayerNorm.layerNorm(x, new Shape(dim), params.get(name + ".gamma"), params.get(name + ".beta"), 1e-5f)
                .singletonOrThrow();
    }

    public NDArray drop(NDArray x, boolean training) {
        return training && dropout > 0 ? Dropout.dropout(x, dropout, true).singletonOrThrow() : x;
    }
}
