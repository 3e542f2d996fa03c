package dev.setrec.model;

import ai.djl.ndarray.NDArray;

import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/**
 * A batch of histories for a sequence model: each cut to its last {@code maxLen} items and right-padded to the
 * batch's longest, row-major in {@code ids} (batch x width), with each row's real length.
 */
public record PaddedHistories(int[] ids, int[] lengths, int width) {

    /** Checks and packs {@code histories} (oldest item first); padding slots hold {@code paddingId}. */
    public static PaddedHistories of(List<int[]> histories, int maxLen, int numItems, int paddingId) {
        int batch = histories.size();
        int width = 1;
        for (int[] h : histories) {
            width = Math.max(width, Math.min(h.length, maxLen));
        }
        int[] ids = new int[batch * width];
        int[] lengths = new int[batch];
        Arrays.fill(ids, paddingId);
        for (int b = 0; b < batch; b++) {
            int[] h = histories.get(b);
            int len = Math.min(h.length, maxLen);
            if (len == 0) {
                throw new IllegalArgumentException("history " + b + " is empty");
            }
            lengths[b] = len;
            for (int t = 0; t < len; t++) {
                int item = h[h.length - len + t];
                if (item < 0 || item >= numItems) {
                    throw new IllegalArgumentException("item " + item + " is outside the catalogue of " + numItems);
                }
                ids[b * width + t] = item;
            }
        }
        return new PaddedHistories(ids, lengths, width);
    }

    public int batch() {
        return lengths.length;
    }

    /** Copies the first {@code count} values of a float tensor into {@code out} without an intermediate array. */
    public static void copyScores(NDArray scores, float[] out, int count) {
        scores.toByteBuffer().order(ByteOrder.nativeOrder()).asFloatBuffer().get(out, 0, count);
    }
}
