package dev.setrec.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

/**
 * Reads a data dir (format: docs/data.md): interactions.tsv (required) and the optional items.tsv,
 * users.tsv, warm_items.txt, cold_items.txt and sasrec_item_emb.tsv. Files are only read, never written.
 * Every format problem is a {@link DataFormatException} with a one-line {@code file:line: reason} message.
 */
public final class DatasetReader {
    /** Ids index dense arrays, so an id this large is a format error rather than data. */
    static final int ID_LIMIT = 100_000_000;

    static final String INTERACTIONS = "interactions.tsv";
    static final String ITEMS = "items.tsv";
    static final String USERS = "users.tsv";
    static final String WARM = "warm_items.txt";
    static final String COLD = "cold_items.txt";
    static final String EMBEDDINGS = "sasrec_item_emb.tsv";

    private static final String INTERACTIONS_HEADER = "user_id\titem_id\tsplit";
    private static final String ITEMS_HEADER = "item_id\tasin\ttitle\tcategories\tbrand";
    private static final String USERS_HEADER = "user_id\treviewer_id";
    private static final Split[] SPLITS = Split.values();
    private static final String[] SPLIT_LABELS = Arrays.stream(SPLITS).map(Split::label).toArray(String[]::new);
    private static final int[] NO_ITEMS = new int[0];

    private final Path dir;
    private final List<String> warnings = new ArrayList<>();
    private int maxItem = -1; // over every file that names items: numItems = maxItem + 1

    // interactions.tsv as three columns in file order; no per-row objects
    private int rowCount;
    private int[] rowUser = new int[1 << 16];
    private int[] rowItem = new int[1 << 16];
    private byte[] rowSplit = new byte[1 << 16];
    private int maxUser = -1;
    private int[] trainCounts; // per item, up to the largest item id read before the warm/cold lists

    private DatasetReader(Path dir) {
        this.dir = dir;
    }

    /** Reads the data dir; the data set is named after the directory. */
    public static Dataset read(Path dir) throws IOException {
        return new DatasetReader(dir).readAll();
    }

    private Dataset readAll() throws IOException {
        checkDirectory();
        // items.tsv first, so each interaction row can be checked against it with its own line number
        ItemTable items = exists(ITEMS) ? readItems() : null;
        readInteractions(items);
        countTrainItems();
        int numUsers = maxUser + 1;
        String[] userIds = exists(USERS) ? readUsers(numUsers) : null;
        BitSet warm = exists(WARM) ? readItemList(WARM, true) : null;
        BitSet cold = exists(COLD) ? readItemList(COLD, false) : null;
        Embeddings embeddings = exists(EMBEDDINGS) ? readEmbeddings() : null;

        int numItems = maxItem + 1;
        checkListsComplete(warm, cold, numItems);
        int[][][] seqs = sequences(numUsers);
        int[][] train = seqs[Split.TRAIN.ordinal()];
        warnUsersWithoutTrain(seqs);
        float[][] embeddingMatrix = embeddings == null ? null : embeddings.matrix(numItems, warnings);
        return new Dataset(dirName(), numItems, train, seqs[Split.VALID.ordinal()], seqs[Split.TEST.ordinal()],
                Dataset.deriveCold(numItems, train), items == null ? null : items.texts(numItems),
                embeddingMatrix, userIds, warnings);
    }

    private void checkDirectory() {
        String expected = "(expected a data directory containing " + INTERACTIONS + ")";
        if (!Files.exists(dir)) {
            throw new DataFormatException("data directory " + dir + " does not exist " + expected);
        }
        if (!Files.isDirectory(dir)) {
            throw new DataFormatException("data directory " + dir + " is not a directory " + expected);
        }
        if (!exists(INTERACTIONS)) {
            throw new DataFormatException(dir.resolve(INTERACTIONS) + " is missing (a data directory needs "
                    + INTERACTIONS + " with header 'user_id<TAB>item_id<TAB>split')");
        }
    }

    private boolean exists(String file) {
        return Files.exists(dir.resolve(file));
    }

    private String dirName() {
        Path name = dir.toAbsolutePath().normalize().getFileName();
        return name == null ? dir.toString() : name.toString();
    }

    private int itemId(TsvLines in, int field) {
        int item = in.id(field, "item_id");
        maxItem = Math.max(maxItem, item);
        return item;
    }

    // ---- interactions.tsv

    private void readInteractions(ItemTable items) throws IOException {
        try (TsvLines in = TsvLines.open(dir.resolve(INTERACTIONS))) {
            in.header(List.of(INTERACTIONS_HEADER));
            while (in.next()) {
                in.expectFields(3, "user_id, item_id, split");
                int user = in.id(0, "user_id");
                int item = itemId(in, 1);
                Split split = split(in);
                if (items != null && !items.listed.get(item)) {
                    throw in.error("item " + item + " is not listed in " + ITEMS);
                }
                addRow(user, item, split);
            }
        }
        if (rowCount == 0) {
            throw new DataFormatException(INTERACTIONS + ": no interaction rows after the header");
        }
    }

    private static Split split(TsvLines in) {
        String label = in.field(2);
        for (int s = 0; s < SPLITS.length; s++) {
            if (SPLIT_LABELS[s].equals(label)) {
                return SPLITS[s];
            }
        }
        try {
            return Split.parse(label); // only reached for an unknown name: Split.parse words the error
        } catch (IllegalArgumentException e) {
            throw in.error(e.getMessage());
        }
    }

    private void addRow(int user, int item, Split split) {
        if (rowCount == rowUser.length) {
            int capacity = rowCount * 2;
            rowUser = Arrays.copyOf(rowUser, capacity);
            rowItem = Arrays.copyOf(rowItem, capacity);
            rowSplit = Arrays.copyOf(rowSplit, capacity);
        }
        rowUser[rowCount] = user;
        rowItem[rowCount] = item;
        rowSplit[rowCount] = (byte) split.ordinal();
        rowCount++;
        maxUser = Math.max(maxUser, user);
    }

    private void countTrainItems() {
        trainCounts = new int[maxItem + 1];
        for (int r = 0; r < rowCount; r++) {
            if (rowSplit[r] == Split.TRAIN.ordinal()) {
                trainCounts[rowItem[r]]++;
            }
        }
    }

    private int trainCount(int item) {
        return item < trainCounts.length ? trainCounts[item] : 0;
    }

    /** Per split and user the items in file order: count first, then fill, so no list per user is needed. */
    private int[][][] sequences(int numUsers) {
        int[][] counts = new int[SPLITS.length][numUsers];
        for (int r = 0; r < rowCount; r++) {
            counts[rowSplit[r]][rowUser[r]]++;
        }
        int[][][] seqs = new int[SPLITS.length][numUsers][];
        for (int s = 0; s < SPLITS.length; s++) {
            for (int u = 0; u < numUsers; u++) {
                seqs[s][u] = counts[s][u] == 0 ? NO_ITEMS : new int[counts[s][u]];
                counts[s][u] = 0; // reused as the fill position
            }
        }
        for (int r = 0; r < rowCount; r++) {
            int s = rowSplit[r];
            int u = rowUser[r];
            seqs[s][u][counts[s][u]++] = rowItem[r];
        }
        return seqs;
    }

    private void warnUsersWithoutTrain(int[][][] seqs) {
        int count = 0;
        int example = -1;
        for (int u = 0; u < seqs[0].length; u++) {
            boolean evaluated = seqs[Split.VALID.ordinal()][u].length > 0 || seqs[Split.TEST.ordinal()][u].length > 0;
            if (seqs[Split.TRAIN.ordinal()][u].length == 0 && evaluated) {
                if (count++ == 0) {
                    example = u;
                }
            }
        }
        if (count > 0) {
            warnings.add(count + " users have no train interaction (e.g. user " + example + "); they are never a"
                    + " training sequence and are evaluated with whatever history they have");
        }
    }

    // ---- items.tsv

    /** Item text by id, growing as ids are read (numItems is known only after all files). */
    private static final class ItemTable {
        final BitSet listed = new BitSet();
        ItemText[] texts = new ItemText[1024];

        ItemText[] texts(int numItems) {
            ItemText[] out = Arrays.copyOf(texts, numItems);
            for (int i = 0; i < numItems; i++) {
                out[i] = listed.get(i) ? out[i] : ItemText.EMPTY;
            }
            return out;
        }
    }

    private ItemTable readItems() throws IOException {
        ItemTable table = new ItemTable();
        try (TsvLines in = TsvLines.open(dir.resolve(ITEMS))) {
            boolean hasKeywords = in.header(List.of(ITEMS_HEADER, ITEMS_HEADER + "\tkeywords")) == 1;
            int fields = hasKeywords ? 6 : 5;
            while (in.next()) {
                in.expectFields(fields, "as in the header");
                int item = itemId(in, 0);
                if (table.listed.get(item)) {
                    throw in.error("duplicate item_id " + item);
                }
                table.listed.set(item);
                table.texts = grow(table.texts, item);
                table.texts[item] = new ItemText(in.field(1), in.field(2), in.field(3), in.field(4),
                        hasKeywords ? in.field(5) : "");
            }
        }
        return table;
    }

    private static <T> T[] grow(T[] array, int index) {
        return index < array.length ? array : Arrays.copyOf(array, Math.max(index + 1, array.length * 2));
    }

    // ---- users.tsv

    private String[] readUsers(int numUsers) throws IOException {
        String[] ids = new String[numUsers];
        BitSet seen = new BitSet();
        int ignored = 0;
        int example = -1;
        try (TsvLines in = TsvLines.open(dir.resolve(USERS))) {
            in.header(List.of(USERS_HEADER));
            while (in.next()) {
                in.expectFields(2, "user_id, reviewer_id");
                int user = in.id(0, "user_id");
                if (seen.get(user)) {
                    throw in.error("duplicate user_id " + user);
                }
                seen.set(user);
                if (user < numUsers) {
                    ids[user] = in.field(1);
                } else if (ignored++ == 0) {
                    example = user;
                }
            }
        }
        if (ignored > 0) {
            warnings.add(USERS + ": " + ignored + " user ids beyond the users of " + INTERACTIONS
                    + " were ignored (e.g. user " + example + ")");
        }
        return ids;
    }

    // ---- warm_items.txt / cold_items.txt

    /** Reads a list of warm or cold items, checking each against the train split as it goes. */
    private BitSet readItemList(String file, boolean warm) throws IOException {
        BitSet listed = new BitSet();
        try (TsvLines in = TsvLines.open(dir.resolve(file))) {
            while (in.next()) {
                in.expectFields(1, "item_id");
                int item = itemId(in, 0);
                int count = trainCount(item);
                if (warm && count == 0) {
                    throw in.error("item " + item + " is listed as warm but has no train interaction");
                }
                if (!warm && count > 0) {
                    throw in.error("item " + item + " is listed as cold but has " + trainInteractions(count));
                }
                listed.set(item);
            }
        }
        return listed;
    }

    private static String trainInteractions(int count) {
        return count + (count == 1 ? " train interaction" : " train interactions");
    }

    /** The lists must name every warm (resp. cold) item, not just a consistent subset. */
    private void checkListsComplete(BitSet warm, BitSet cold, int numItems) {
        for (int item = 0; item < numItems; item++) {
            int count = trainCount(item);
            if (warm != null && count > 0 && !warm.get(item)) {
                throw new DataFormatException(WARM + ": item " + item + " has " + trainInteractions(count)
                        + " but is not listed");
            }
            if (cold != null && count == 0 && !cold.get(item)) {
                throw new DataFormatException(COLD + ": item " + item + " has no train interaction but is not listed");
            }
        }
    }

    // ---- sasrec_item_emb.tsv

    /** Embedding rows by item id; the width is fixed by the first row. */
    private static final class Embeddings {
        float[][] rows = new float[1024][];
        int dim;
        int count;

        float[][] matrix(int numItems, List<String> warnings) {
            float[][] out = Arrays.copyOf(rows, numItems);
            for (int i = 0; i < numItems; i++) {
                out[i] = out[i] == null ? new float[dim] : out[i];
            }
            if (count < numItems) {
                warnings.add(EMBEDDINGS + ": " + (numItems - count) + " of " + numItems
                        + " items have no row (zeros used)");
            }
            return out;
        }
    }

    private Embeddings readEmbeddings() throws IOException {
        Embeddings emb = new Embeddings();
        try (TsvLines in = TsvLines.open(dir.resolve(EMBEDDINGS))) {
            while (in.next()) {
                if (emb.count == 0) {
                    emb.dim = in.fieldCount() - 1;
                    if (emb.dim == 0) {
                        throw in.error("expected item_id followed by the embedding values but found one field");
                    }
                }
                in.expectFields(emb.dim + 1, "item_id and " + emb.dim + " floats, as on the first row");
                int item = itemId(in, 0);
                emb.rows = grow(emb.rows, item);
                if (emb.rows[item] != null) {
                    throw in.error("duplicate row for item " + item);
                }
                float[] row = new float[emb.dim];
                for (int d = 0; d < emb.dim; d++) {
                    row[d] = in.finiteFloat(d + 1, "value " + (d + 1));
                }
                emb.rows[item] = row;
                emb.count++;
            }
        }
        if (emb.count == 0) {
            throw new DataFormatException(EMBEDDINGS + ": file is empty (expected rows 'item_id<TAB>float<TAB>...')");
        }
        return emb;
    }
}
