package dev.setrec.model.setrec;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The masks of a small case (2 items x 3 tokens, 3 queries), written out by hand and compared entry by entry. */
class SetMaskTest {
    private static final int X = 1; // may attend
    private static final int O = 0; // blocked

    /**
     * Training layout, W = 2 items, S = 3 tokens (c = CF, s = semantic), Q = 3 queries per prefix.
     * Tokens: c0 s0 s0' | c1 s1 s1' | q(prefix 0) x3 | q(prefix 1) x3.
     */
    private static final int[][] SPARSE_TRAINING = {
        //   c0 s0 s0' c1 s1 s1'  qa qa qa  qb qb qb
        {X, O, O, O, O, O, O, O, O, O, O, O}, // c0: itself only
        {O, X, O, O, O, O, O, O, O, O, O, O}, // s0
        {O, O, X, O, O, O, O, O, O, O, O, O}, // s0'
        {X, X, X, X, O, O, O, O, O, O, O, O}, // c1: item 0 and itself
        {X, X, X, O, X, O, O, O, O, O, O, O}, // s1
        {X, X, X, O, O, X, O, O, O, O, O, O}, // s1'
        {X, X, X, O, O, O, X, O, O, O, O, O}, // query 0 of prefix 0: item 0 and itself
        {X, X, X, O, O, O, O, X, O, O, O, O},
        {X, X, X, O, O, O, O, O, X, O, O, O},
        {X, X, X, X, X, X, O, O, O, X, O, O}, // query 0 of prefix 1: items 0, 1 and itself
        {X, X, X, X, X, X, O, O, O, O, X, O},
        {X, X, X, X, X, X, O, O, O, O, O, X},
    };

    /** The ablation: the history as a plain causal token sequence (an order among an item's tokens). */
    private static final int[][] FULL_HISTORY = {
        {X, O, O, O, O, O},
        {X, X, O, O, O, O},
        {X, X, X, O, O, O},
        {X, X, X, X, O, O},
        {X, X, X, X, X, O},
        {X, X, X, X, X, X},
    };

    private static int[][] allowed(float[] mask, int rows, int cols) {
        int[][] out = new int[rows][cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                float v = mask[r * cols + c];
                assertEquals(true, v == 0f || v == SetMask.BLOCKED, "entries are 0 or blocked");
                out[r][c] = v == 0f ? X : O;
            }
        }
        return out;
    }

    /**
     * The whole (H + Tq) x (H + Tq) matrix from its parts: the history block, the history blocked from the queries,
     * the queries' rows over the history and, among the queries, the diagonal (what Layers.forwardQueries applies).
     */
    static float[] compose(float[] history, float[] queryRows, int hist, int queries) {
        int t = hist + queries;
        float[] m = new float[t * t];
        java.util.Arrays.fill(m, SetMask.BLOCKED);
        for (int r = 0; r < hist; r++) {
            System.arraycopy(history, r * hist, m, r * t, hist);
        }
        for (int r = 0; r < queries; r++) {
            System.arraycopy(queryRows, r * hist, m, (hist + r) * t, hist);
            m[(hist + r) * t + hist + r] = 0;
        }
        return m;
    }

    @Test
    void sparseTrainingMaskMatchesTheHandWrittenMatrix() {
        int[][] got = allowed(compose(SetMask.history(2, 3, true), SetMask.trainingQueries(2, 3, 3), 6, 6), 12, 12);
        for (int r = 0; r < 12; r++) {
            assertArrayEquals(SPARSE_TRAINING[r], got[r], "row " + r);
        }
    }

    @Test
    void fullAttentionAblationChangesOnlyTheHistoryBlock() {
        int[][] got = allowed(compose(SetMask.history(2, 3, false), SetMask.trainingQueries(2, 3, 3), 6, 6), 12, 12);
        for (int r = 0; r < 12; r++) {
            for (int c = 0; c < 12; c++) {
                int expected = r < 6 && c < 6 ? FULL_HISTORY[r][c] : SPARSE_TRAINING[r][c];
                assertEquals(expected, got[r][c], "entry " + r + "," + c);
            }
        }
    }

    @Test
    void servingMaskLetsQueriesSeeOnlyTheRealHistoryAndThemselves() {
        // W = 2 item slots, S = 3, Q = 3; T = 9. A user with one real item (slot 1 is padding).
        float[] rows = new float[3 * 6 + 4];
        SetMask.servingQueries(2, 3, 3, 1, rows, 4);
        float[] queryRows = java.util.Arrays.copyOfRange(rows, 4, rows.length);
        int[][] got = allowed(compose(SetMask.history(2, 3, true), queryRows, 6, 3), 9, 9);
        for (int r = 0; r < 6; r++) {
            int[] expected = new int[9];
            System.arraycopy(SPARSE_TRAINING[r], 0, expected, 0, 6);
            assertArrayEquals(expected, got[r], "history row " + r);
        }
        assertArrayEquals(new int[] {X, X, X, O, O, O, X, O, O}, got[6]);
        assertArrayEquals(new int[] {X, X, X, O, O, O, O, X, O}, got[7]);
        assertArrayEquals(new int[] {X, X, X, O, O, O, O, O, X}, got[8]);
    }
}
