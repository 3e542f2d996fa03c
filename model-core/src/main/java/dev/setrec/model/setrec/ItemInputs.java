package dev.setrec.model.setrec;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * What SETRec knows of each catalogue row: its external id, its frozen CF embedding (cfDim), its text embedding
 * (textDim) and whether it is cold (no interaction in the data the model was fitted on, or added at run time).
 * Immutable; {@link #append} makes a grown copy.
 */
public record ItemInputs(String[] ids, float[][] cf, float[][] text, boolean[] cold) {
    public ItemInputs {
        int n = ids.length;
        if (n == 0 || cf.length != n || text.length != n || cold.length != n) {
            throw new IllegalArgumentException("ids, CF, text and cold flags must cover the same, non-empty catalogue");
        }
        for (int i = 0; i < n; i++) {
            if (cf[i].length != cf[0].length || text[i].length != text[0].length) {
                throw new IllegalArgumentException("item " + ids[i] + " has inputs of another width");
            }
        }
    }

    /** Rows with ids "0", "1", ... (the data sets' item ids). */
    public static ItemInputs numbered(float[][] cf, float[][] text, boolean[] cold) {
        String[] ids = new String[cf.length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = Integer.toString(i);
        }
        return new ItemInputs(ids, cf, text, cold);
    }

    public int numItems() {
        return ids.length;
    }

    public int cfDim() {
        return cf[0].length;
    }

    public int textDim() {
        return text[0].length;
    }

    /** The catalogue without the rows whose ids are in {@code drop}, order kept. */
    public ItemInputs without(Set<String> drop) {
        int[] keep = IntStream.range(0, numItems()).filter(i -> !drop.contains(ids[i])).toArray();
        String[] keptIds = new String[keep.length];
        float[][] keptCf = new float[keep.length][];
        float[][] keptText = new float[keep.length][];
        boolean[] keptCold = new boolean[keep.length];
        for (int j = 0; j < keep.length; j++) {
            keptIds[j] = ids[keep[j]];
            keptCf[j] = cf[keep[j]];
            keptText[j] = text[keep[j]];
            keptCold[j] = cold[keep[j]];
        }
        return new ItemInputs(keptIds, keptCf, keptText, keptCold);
    }

    /**
     * A copy whose rows {@code rows} take the CF and text inputs of {@code with} (row i for {@code rows[i]}); ids and
     * cold flags stay.
     */
    public ItemInputs replace(int[] rows, ItemInputs with) {
        requireWidths(with);
        float[][] newCf = cf.clone();
        float[][] newText = text.clone();
        for (int i = 0; i < rows.length; i++) {
            newCf[rows[i]] = with.cf[i];
            newText[rows[i]] = with.text[i];
        }
        return new ItemInputs(ids, newCf, newText, cold);
    }

    /** A copy whose rows {@code rows} take the CF inputs {@code newCf} (row i for {@code rows[i]}); the rest stays. */
    public ItemInputs withCf(int[] rows, float[][] newCf) {
        float[][] cfs = cf.clone();
        for (int i = 0; i < rows.length; i++) {
            if (newCf[i].length != cfDim()) {
                throw new IllegalArgumentException("a CF input of width " + newCf[i].length + ", expected " + cfDim());
            }
            cfs[rows[i]] = newCf[i];
        }
        return new ItemInputs(ids, cfs, text, cold);
    }

    /** A copy whose rows {@code rows} are warm: their CF inputs count as learned from interactions. */
    public ItemInputs warmed(int[] rows) {
        boolean[] flags = cold.clone();
        for (int row : rows) {
            flags[row] = false;
        }
        return new ItemInputs(ids, cf, text, flags);
    }

    public ItemInputs append(ItemInputs more) {
        requireWidths(more);
        return new ItemInputs(concat(ids, more.ids), concat(cf, more.cf), concat(text, more.text),
                concatFlags(cold, more.cold));
    }

    private void requireWidths(ItemInputs more) {
        if (more.cfDim() != cfDim() || more.textDim() != textDim()) {
            throw new IllegalArgumentException("new items have input widths " + more.cfDim() + "/" + more.textDim()
                    + ", the model expects " + cfDim() + "/" + textDim());
        }
    }

    private static <T> T[] concat(T[] a, T[] b) {
        T[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static boolean[] concatFlags(boolean[] a, boolean[] b) {
        boolean[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
