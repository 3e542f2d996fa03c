package dev.setrec.nn;

import ai.djl.ndarray.NDArray;
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
            NDArray h = norm(x, p + "ln1");
            x = x.add(drop(attention(h, mask, p + "attn."), training));
            h = norm(x, p + "ln2");
            h = Activation.gelu(linear(h, p + "ffn.in"));
            x = x.add(drop(linear(drop(h, training), p + "ffn.out"), training));
        }
        return norm(x, prefix + "final");
    }

    private NDArray attention(NDArray x, NDArray mask, String p) {
        long batch = x.getShape().get(0);
        long t = x.getShape().get(1);
        int dh = dim / heads;
        // (B, T, 3, H, dh) -> (3, B, H, T, dh)
        NDArray qkv = linear(x, p + "qkv").reshape(batch, t, 3, heads, dh).transpose(2, 0, 3, 1, 4);
        NDArray q = qkv.get(0);
        NDArray k = qkv.get(1);
        NDArray v = qkv.get(2);
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).muli(1f / (float) Math.sqrt(dh)).addi(mask);
        NDArray context = scores.softmax(-1).matMul(v).transpose(0, 2, 1, 3).reshape(batch, t, dim);
        return linear(context, p + "out");
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
