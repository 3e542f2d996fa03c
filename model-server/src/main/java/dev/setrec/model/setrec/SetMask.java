package dev.setrec.model.setrec;

import java.util.Arrays;

/**
 * SETRec's attention masks as additive matrices (0 = may attend, -1e9 = may not), row = query token, column = key.
 * <p>
 * Token layout: the history first, item-major ({@code W} items x {@code S} tokens: the CF token, then the semantic
 * tokens), then the queries. With the sparse mask a history token sees the tokens of earlier items and, within its
 * own item, only itself (no order among an item's tokens). Without it (the ablation) the history is read like a
 * token sequence: every token sees every earlier token. A query sees the history it belongs to and itself only.
 * <p>
 * Training layout: after the history come {@code W} groups of {@code Q} queries, group t belonging to the prefix
 * that ends with item t, so every prefix of a sequence is trained in one pass; nothing attends to a query.
 * Padding needs no mask of its own: sequences are right-padded, and a real token never sees a later item.
 */
final class SetMask {
    static final float BLOCKED = -1e9f;

    private SetMask() {
    }

    static boolean historyAllowed(int a, int s, int b, int r, int tokensPerItem, boolean sparse) {
        return sparse ? b < a || (b == a && r == s) : b * tokensPerItem + r <= a * tokensPerItem + s;
    }

    /** The (T x T) mask of the training layout, T = W*S + W*Q. */
    static float[] training(int width, int tokensPerItem, int queries, boolean sparse) {
        int hist = width * tokensPerItem;
        int t = hist + width * queries;
        float[] m = new float[t * t];
        Arrays.fill(m, BLOCKED);
        for (int row = 0; row < hist; row++) {
            int a = row / tokensPerItem;
            int s = row % tokensPerItem;
            for (int col = 0; col < hist; col++) {
                if (historyAllowed(a, s, col / tokensPerItem, col % tokensPerItem, tokensPerItem, sparse)) {
                    m[row * t + col] = 0;
                }
            }
        }
        for (int row = hist; row < t; row++) {
            int prefixEnd = (row - hist) / queries;
            for (int col = 0; col < (prefixEnd + 1) * tokensPerItem; col++) {
                m[row * t + col] = 0;
            }
            m[row * t + row] = 0;
        }
        return m;
    }

    /** The history rows (W*S x T) of the serving layout, T = W*S + Q; the same for every user of a batch. */
    static float[] servingHistoryRows(int width, int tokensPerItem, int queries, boolean sparse) {
        int hist = width * tokensPerItem;
        int t = hist + queries;
        float[] m = new float[hist * t];
        Arrays.fill(m, BLOCKED);
        for (int row = 0; row < hist; row++) {
            for (int col = 0; col < hist; col++) {
                if (historyAllowed(row / tokensPerItem, row % tokensPerItem, col / tokensPerItem,
                        col % tokensPerItem, tokensPerItem, sparse)) {
                    m[row * t + col] = 0;
                }
            }
        }
        return m;
    }

    /** Writes the query rows (Q x T) of one user with {@code length} real items into {@code out} at {@code offset}. */
    static void servingQueryRows(int width, int tokensPerItem, int queries, int length, float[] out, int offset) {
        int hist = width * tokensPerItem;
        int t = hist + queries;
        Arrays.fill(out, offset, offset + queries * t, BLOCKED);
        for (int q = 0; q < queries; q++) {
            int base = offset + q * t;
            Arrays.fill(out, base, base + length * tokensPerItem, 0f);
            out[base + hist + q] = 0;
        }
    }
}
