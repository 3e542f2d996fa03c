package dev.setrec.model.setrec;

import java.util.Arrays;

/**
 * SETRec's attention masks as additive matrices (0 = may attend, -1e9 = may not), row = query token, column = key.
 * <p>
 * Token layout: the history first, item-major ({@code W} items x {@code S} tokens: the CF token, then the semantic
 * tokens), then the queries. With the sparse mask a history token sees the tokens of earlier items and, within its
 * own item, only itself (no order among an item's tokens). Without it (the ablation) the history is read like a
 * token sequence: every token sees every earlier token. A query sees the history it belongs to and itself only,
 * and nothing attends to a query.
 * <p>
 * So the full mask has three parts, built here apart: the history's own block ({@link #history}), the queries'
 * rows over the history ({@link #trainingQueries}, {@link #servingQueries}) and, among the queries, the diagonal
 * (each query sees itself), which {@link dev.setrec.nn.Layers#forwardQueries} applies without a matrix; the
 * history's columns over the queries are all blocked, so that block is never computed.
 * <p>
 * Training layout: after the history come {@code W} groups of {@code Q} queries, group t belonging to the prefix
 * that ends with item t, so every prefix of a sequence is trained in one pass. Serving layout: one group of
 * {@code Q} queries per user. Padding needs no mask of its own: sequences are right-padded, and a real token never
 * sees a later item.
 */
final class SetMask {
    static final float BLOCKED = -1e9f;

    private SetMask() {
    }

    static boolean historyAllowed(int a, int s, int b, int r, int tokensPerItem, boolean sparse) {
        return sparse ? b < a || (b == a && r == s) : b * tokensPerItem + r <= a * tokensPerItem + s;
    }

    /** The history's block (H x H), H = W*S; the same for every user and for training and serving. */
    static float[] history(int width, int tokensPerItem, boolean sparse) {
        int hist = width * tokensPerItem;
        float[] m = new float[hist * hist];
        Arrays.fill(m, BLOCKED);
        for (int row = 0; row < hist; row++) {
            for (int col = 0; col < hist; col++) {
                if (historyAllowed(row / tokensPerItem, row % tokensPerItem, col / tokensPerItem,
                        col % tokensPerItem, tokensPerItem, sparse)) {
                    m[row * hist + col] = 0;
                }
            }
        }
        return m;
    }

    /** The training layout's query rows over the history (W*Q x H): a prefix's queries see its items. */
    static float[] trainingQueries(int width, int tokensPerItem, int queries) {
        int hist = width * tokensPerItem;
        float[] m = new float[width * queries * hist];
        for (int prefixEnd = 0; prefixEnd < width; prefixEnd++) {
            for (int q = 0; q < queries; q++) {
                seenItems(hist, prefixEnd + 1, tokensPerItem, m, (prefixEnd * queries + q) * hist);
            }
        }
        return m;
    }

    /** Writes one user's query rows over the history (Q x H), {@code length} real items, at {@code offset}. */
    static void servingQueries(int width, int tokensPerItem, int queries, int length, float[] out, int offset) {
        int hist = width * tokensPerItem;
        for (int q = 0; q < queries; q++) {
            seenItems(hist, length, tokensPerItem, out, offset + q * hist);
        }
    }

    private static void seenItems(int hist, int items, int tokensPerItem, float[] out, int rowStart) {
        Arrays.fill(out, rowStart, rowStart + items * tokensPerItem, 0f);
        Arrays.fill(out, rowStart + items * tokensPerItem, rowStart + hist, BLOCKED);
    }
}
