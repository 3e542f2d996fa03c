package dev.setrec.data;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * An interaction data set in memory: per user the item sequences of train, valid and test (each in
 * chronological order), which items are cold (no train interaction), and the optional side files.
 * Immutable; arrays handed out are shared, callers must not modify them.
 */
public final class Dataset {
    private final String name;
    private final int numItems;
    private final int[][][] sequences; // [split][user] -> items
    private final boolean[] cold;
    private final int numCold;
    private final ItemText[] itemTexts; // null when the data dir has no items.tsv
    private final float[][] referenceCfEmbeddings; // null when there is no sasrec_item_emb.tsv
    private final String[] userExternalIds; // null when there is no users.tsv
    private final List<String> warnings;

    /**
     * @param train,valid,test per-user item sequences, all of length numUsers (empty arrays for none)
     * @param cold per item: true when the item has no train interaction
     */
    public Dataset(String name, int numItems, int[][] train, int[][] valid, int[][] test, boolean[] cold,
                   ItemText[] itemTexts, float[][] referenceCfEmbeddings, String[] userExternalIds,
                   List<String> warnings) {
        if (train.length != valid.length || train.length != test.length) {
            throw new IllegalArgumentException("train, valid and test must cover the same users");
        }
        if (cold.length != numItems) {
            throw new IllegalArgumentException("cold flags must cover all " + numItems + " items");
        }
        this.name = name;
        this.numItems = numItems;
        this.sequences = new int[][][] {train, valid, test};
        this.cold = cold;
        int c = 0;
        for (boolean b : cold) {
            c += b ? 1 : 0;
        }
        this.numCold = c;
        this.itemTexts = itemTexts;
        this.referenceCfEmbeddings = referenceCfEmbeddings;
        this.userExternalIds = userExternalIds;
        this.warnings = List.copyOf(warnings);
    }

    /** Builds a data set whose cold flags are derived from the train split (the data format's definition). */
    public static Dataset of(String name, int numItems, int[][] train, int[][] valid, int[][] test) {
        return new Dataset(name, numItems, train, valid, test, deriveCold(numItems, train), null, null, null,
                List.of());
    }

    /** cold[i] is true when item i has no interaction in train. */
    public static boolean[] deriveCold(int numItems, int[][] train) {
        boolean[] cold = new boolean[numItems];
        Arrays.fill(cold, true);
        for (int[] seq : train) {
            for (int item : seq) {
                cold[item] = false;
            }
        }
        return cold;
    }

    public String name() {
        return name;
    }

    public int numUsers() {
        return sequences[0].length;
    }

    public int numItems() {
        return numItems;
    }

    public int[] sequence(int user, Split split) {
        return sequences[split.ordinal()][user];
    }

    /**
     * The input history used to predict {@code target}'s items under the paper's protocol: train for valid,
     * train + valid for test (train alone for train), keeping the last {@code maxLen} items.
     */
    public int[] history(int user, Split target, int maxLen) {
        int[] train = sequence(user, Split.TRAIN);
        int[] valid = target == Split.TEST ? sequence(user, Split.VALID) : new int[0];
        int total = train.length + valid.length;
        int keep = Math.min(maxLen, total);
        int[] out = new int[keep];
        int skip = total - keep;
        for (int i = 0; i < keep; i++) {
            int j = skip + i;
            out[i] = j < train.length ? train[j] : valid[j - train.length];
        }
        return out;
    }

    public boolean isCold(int item) {
        return cold[item];
    }

    public int numColdItems() {
        return numCold;
    }

    public long numInteractions(Split split) {
        long n = 0;
        for (int[] seq : sequences[split.ordinal()]) {
            n += seq.length;
        }
        return n;
    }

    /** Item text from items.tsv; empty when the data dir has none. */
    public Optional<ItemText[]> itemTexts() {
        return Optional.ofNullable(itemTexts);
    }

    /** The imported SASRec embeddings of sasrec_item_emb.tsv (a reference for comparison only). */
    public Optional<float[][]> referenceCfEmbeddings() {
        return Optional.ofNullable(referenceCfEmbeddings);
    }

    /** The user's external id (users.tsv reviewer id) or, where unknown, the numeric id as text. */
    public String userExternalId(int user) {
        if (userExternalIds != null && userExternalIds[user] != null && !userExternalIds[user].isEmpty()) {
            return userExternalIds[user];
        }
        return Integer.toString(user);
    }

    /** Non-fatal findings of the reader (e.g. users without a train item), one line each. */
    public List<String> warnings() {
        return warnings;
    }
}
