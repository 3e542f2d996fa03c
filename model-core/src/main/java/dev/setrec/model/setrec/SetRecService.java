package dev.setrec.model.setrec;

import dev.setrec.data.ItemText;
import dev.setrec.eval.Setting;
import dev.setrec.model.ModelIO;
import dev.setrec.model.ModelManifest;
import dev.setrec.text.ItemTexts;
import dev.setrec.text.TextEncoder;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The inference API that the streaming operator and the model server share (no Flink or HTTP types): batched
 * top-k recommendation over external string item ids, and cold-start onboarding of new items from their text.
 * Thread-safe: any number of threads may recommend while others add items; a forward pass scores a whole batch.
 */
public final class SetRecService implements AutoCloseable {
    /** One recommended item. */
    public record Scored(String itemId, float score) {
    }

    /**
     * An item to make rankable: its external id, its text, and its CF embedding where known (null: one predicted from
     * the text). A trained warm item keeps its own CF embedding whatever {@code cf} says.
     */
    public record NewItem(String id, ItemText text, float[] cf) {
    }

    /** What {@link #putItems} did with one item. */
    public enum Change {
        /** A new id: it got the next row. */
        ADDED,
        /** A known id whose text changed: its semantic tokens (and, for a cold item, its CF input) were made again. */
        RETOKENIZED,
        /** A known id sent with the text it has: nothing changed. */
        UNCHANGED
    }

    /** One item's row and what was done with it. */
    public record ItemUpdate(int row, Change change) {
    }

    /** One history's top items, and how many of its item ids the model knows (0: it could not be ranked). */
    public record Ranking(List<Scored> items, int knownItems) {
    }

    /**
     * Two embeddings of one text may differ in their last bits (an encoder batches and pads differently); texts
     * whose embeddings differ by more than this in some component are different texts.
     */
    private static final float SAME_TEXT_TOLERANCE = 1e-5f;

    private final SetRec model;
    private final TextEncoder encoder;
    private final String version;
    private final Map<String, Integer> rows = new ConcurrentHashMap<>();
    /** The encoder input of every row whose text was given here (trained rows are known by their embedding only). */
    private final Map<String, String> texts = new ConcurrentHashMap<>();

    /**
     * @param encoder the text encoder the model was trained with (its dimension must match), for new items
     */
    public SetRecService(SetRec model, String version, TextEncoder encoder) {
        if (encoder.dim() != model.items().textDim()) {
            throw new IllegalArgumentException("text encoder " + encoder.id() + " yields " + encoder.dim()
                    + "-d vectors, the model was trained on " + model.items().textDim() + "-d text embeddings");
        }
        this.model = model;
        this.encoder = encoder;
        this.version = version;
        ItemInputs items = model.items();
        for (int i = 0; i < items.numItems(); i++) {
            rows.put(items.ids()[i], i);
        }
    }

    /** Loads a SETRec model dir (validated by {@link ModelIO}). */
    public static SetRecService load(Path dir, TextEncoder encoder) throws IOException {
        ModelManifest manifest = ModelIO.readManifest(dir);
        if (!SetRec.TYPE.equals(manifest.type())) {
            throw new IOException(dir + " holds a " + manifest.type() + " model; the service needs a setrec model");
        }
        return new SetRecService(SetRec.load(dir, manifest), manifest.version(), encoder);
    }

    public String version() {
        return version;
    }

    public int numItems() {
        return model.numItems();
    }

    /** How item scores are mixed (chosen on valid when the model was trained). */
    public ScoreMix mix() {
        return model.mix();
    }

    public boolean knows(String itemId) {
        return rows.containsKey(itemId);
    }

    /**
     * The top {@code k} items for each history (oldest first), ranked over the catalogue of {@code setting}
     * (warm: items with interactions in the fitted data; cold: the others, including every item added since).
     * Unknown item ids in a history are ignored; a history with no known item gets an empty list.
     */
    public List<List<Scored>> recommend(List<List<String>> histories, int k, Setting setting) {
        return recommend(histories, k, setting, null);
    }

    /**
     * As {@link #recommend(List, int, Setting)}, leaving out the ids of {@code excluded.get(b)} from the ranking of
     * history b ({@code excluded} null: nothing left out). One forward pass for the whole batch.
     */
    public List<List<Scored>> recommend(List<List<String>> histories, int k, Setting setting,
                                        List<? extends List<String>> excluded) {
        return recommend(histories, k, setting, excluded, null);
    }

    /**
     * As {@link #recommend(List, int, Setting, List)}, with {@code newItemSlots[b]} of history b's k places kept
     * for its best new items ({@code newItemSlots} null: none) in the all setting. New items are the cold ones: no
     * interaction in the data the model was fitted on, every item added since among them. A model fitted on past
     * interactions never saw a new item as a target, so new items rarely outscore warm ones with strong CF evidence
     * even when their text fits (see {@link #withNewItems}); the slots give them a fixed share of the list, as
     * feeds do for fresh content. Same single forward pass.
     */
    public List<List<Scored>> recommend(List<List<String>> histories, int k, Setting setting,
                                        List<? extends List<String>> excluded, int[] newItemSlots) {
        int[] ks = new int[histories.size()];
        Arrays.fill(ks, k);
        return recommend(histories, ks, setting, excluded, newItemSlots);
    }

    /** As {@link #recommend(List, int, Setting, List, int[])} with a k of each history's own, {@code ks[b]}. */
    public List<List<Scored>> recommend(List<List<String>> histories, int[] ks, Setting setting,
                                        List<? extends List<String>> excluded, int[] newItemSlots) {
        return rank(histories, ks, setting, excluded, newItemSlots).stream().map(Ranking::items).toList();
    }

    /**
     * As {@link #recommend(List, int[], Setting, List, int[])}, with each ranking how many of the history's ids the
     * model knows: a history none of whose ids it knows gets an empty list and 0.
     */
    public List<Ranking> rank(List<List<String>> histories, int[] ks, Setting setting,
                              List<? extends List<String>> excluded, int[] newItemSlots) {
        int k = 0;
        for (int wanted : ks) {
            if (wanted <= 0) {
                throw new IllegalArgumentException("k must be positive");
            }
            k = Math.max(k, wanted);
        }
        List<int[]> known = new ArrayList<>(histories.size());
        List<Integer> positions = new ArrayList<>(histories.size());
        int mostExcluded = 0;
        int mostSlots = 0;
        for (int b = 0; b < histories.size(); b++) {
            int[] ids = histories.get(b).stream().map(rows::get).filter(r -> r != null).mapToInt(Integer::intValue)
                    .toArray();
            if (ids.length > 0) {
                known.add(ids);
                positions.add(b);
                if (excluded != null) {
                    mostExcluded = Math.max(mostExcluded, excluded.get(b).size());
                }
                if (newItemSlots != null && setting == Setting.ALL) {
                    if (newItemSlots[b] < 0 || newItemSlots[b] > ks[b]) {
                        throw new IllegalArgumentException("new-item slots must be 0.." + ks[b] + ", not "
                                + newItemSlots[b]);
                    }
                    mostSlots = Math.max(mostSlots, newItemSlots[b]);
                }
            }
        }
        List<Ranking> out = new ArrayList<>(histories.size());
        for (int b = 0; b < histories.size(); b++) {
            out.add(new Ranking(List.of(), 0));
        }
        if (!known.isEmpty()) {
            // ask for enough extra items that k (and the slots) remain once the excluded ones are dropped
            List<CatalogueScorer.Ranked> ranked = model.scorer().rank(known, Math.min(k + mostExcluded, numItems()),
                    setting, mostSlots == 0 ? 0 : Math.min(mostSlots + mostExcluded, numItems()));
            for (int i = 0; i < positions.size(); i++) {
                int b = positions.get(i);
                List<String> left = excluded == null ? List.of() : excluded.get(b);
                List<Scored> top = firstNotExcluded(ranked.get(i).best(), ks[b], left);
                int slots = mostSlots == 0 ? 0 : newItemSlots[b];
                out.set(b, new Ranking(slots == 0 ? top
                        : withNewItems(top, firstNotExcluded(ranked.get(i).bestCold(), slots, left), slots, ks[b],
                                id -> isCold(rows.get(id))), known.get(i).length));
            }
        }
        return out;
    }

    /**
     * {@code top} holding at least {@code slots} new items where there are that many: the best new items not in it
     * take the places of its lowest-ranked other items, at positions spread evenly through the list (so that a top
     * 10 of a longer list holds its share too), the rest keeping their order. With k = 20 and 2 slots they land at
     * places 7 and 14; with k = 10 and 1 slot at place 6.
     */
    static List<Scored> withNewItems(List<Scored> top, List<Scored> bestNew, int slots, int k,
                                     Predicate<String> isNew) {
        int alreadyNew = 0;
        Set<String> inTop = new HashSet<>();
        for (Scored s : top) {
            inTop.add(s.itemId());
            if (isNew.test(s.itemId())) {
                alreadyNew++;
            }
        }
        List<Scored> added = new ArrayList<>();
        for (Scored s : bestNew) {
            if (alreadyNew + added.size() == slots) {
                break;
            }
            if (!inTop.contains(s.itemId())) {
                added.add(s);
            }
        }
        if (added.isEmpty()) {
            return top;
        }
        // the others to drop: the lowest-ranked items that are not new, as many as the list would overflow by
        int drop = Math.max(0, top.size() + added.size() - k);
        List<Scored> kept = new ArrayList<>(top);
        for (int i = kept.size() - 1; i >= 0 && drop > 0; i--) {
            if (!isNew.test(kept.get(i).itemId())) {
                kept.remove(i);
                drop--;
            }
        }
        int size = kept.size() + added.size();
        List<Scored> merged = new ArrayList<>(size);
        int nextAdded = 0;
        int nextKept = 0;
        for (int place = 0; place < size; place++) {
            boolean slot = nextAdded < added.size() && place == (nextAdded + 1) * size / (added.size() + 1);
            merged.add(slot || nextKept == kept.size() ? added.get(nextAdded++) : kept.get(nextKept++));
        }
        return merged;
    }

    private static List<Scored> firstNotExcluded(List<Scored> ranked, int k, List<String> excluded) {
        if (excluded.isEmpty()) {
            return ranked.size() <= k ? ranked : ranked.subList(0, k);
        }
        List<Scored> kept = new ArrayList<>(k);
        for (Scored s : ranked) {
            if (kept.size() == k) {
                break;
            }
            // a scan, not a set: exclusions are a history of a few dozen ids, and this runs for every ranked item
            if (!excluded.contains(s.itemId())) {
                kept.add(s);
            }
        }
        return kept;
    }

    /**
     * Whether the item's tokens come from a text given to this service (onboarded or re-published), rather than from
     * the model's own files: such text is what a durable store of onboarded items must keep.
     */
    public boolean textGiven(String itemId) {
        return texts.containsKey(itemId);
    }

    /** Every rankable item id: the fitted catalogue, then the items added since, in row order. */
    public List<String> itemIds() {
        return List.of(model.items().ids());
    }

    /** The item's row, or -1 where the id is unknown. */
    public int row(String itemId) {
        Integer row = rows.get(itemId);
        return row == null ? -1 : row;
    }

    /** Whether the item had no interaction in the fitted data (every item added since is cold). */
    public boolean isCold(int row) {
        return model.items().cold()[row];
    }

    /** The item's token set as served: its CF token, then its semantic tokens. */
    public float[][] tokens(int row) {
        return model.itemTokens(row);
    }

    /**
     * Makes a new item rankable at once from its text (and, where known, a CF embedding; else one predicted from the
     * text, see {@link SetRec#predictCf}): {@link #addItems} of this one item. Returns the item's row.
     */
    public int addItem(String id, ItemText text, float[] cf) {
        return addItems(List.of(new NewItem(id, text, cf))).get(0);
    }

    /** {@link #putItems}, returning each item's row, in order. */
    public List<Integer> addItems(List<NewItem> items) {
        return putItems(items).stream().map(ItemUpdate::row).toList();
    }

    /**
     * Makes items rankable at once, in one update of the scoring tables for the whole list: a new id gets the next
     * row; an id already known with the same text is left as it is (events may be delivered twice); an id known with
     * another text is tokenized again from it, so that it is ranked by its new text (a trained warm item keeps its
     * CF token, a cold or added item gets its CF input predicted again, or {@code cf} where given). The same id twice
     * in one list: the later text wins. Texts are embedded before the tables are locked, in one call of the encoder.
     */
    public List<ItemUpdate> putItems(List<NewItem> items) {
        int cfDim = model.items().cfDim();
        String[] described = new String[items.size()];
        float[][] vectors = new float[items.size()][];
        List<String> toEmbed = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            NewItem item = items.get(i);
            if (item.cf() != null && item.cf().length != cfDim) {
                throw new IllegalArgumentException("CF embedding of item " + item.id() + " has " + item.cf().length
                        + " values, the model expects " + cfDim);
            }
            described[i] = ItemTexts.describe(item.text());
            if (!described[i].equals(texts.get(item.id()))) {
                toEmbed.add(described[i]);
            }
        }
        Map<String, float[]> embedded = embed(toEmbed);
        for (int i = 0; i < items.size(); i++) {
            vectors[i] = embedded.get(described[i]);
        }
        synchronized (this) {
            return new Onboarding(items, described, vectors).apply();
        }
    }

    /** One embedding per distinct non-empty text; an empty text has the zero vector (see {@link ItemTexts#embed}). */
    private Map<String, float[]> embed(List<String> described) {
        List<String> distinct = described.stream().filter(t -> !t.isEmpty()).distinct().toList();
        Map<String, float[]> out = new HashMap<>();
        out.put("", new float[encoder.dim()]);
        if (!distinct.isEmpty()) {
            float[][] vectors = encoder.encode(distinct);
            for (int i = 0; i < vectors.length; i++) {
                out.put(distinct.get(i), vectors[i]);
            }
        }
        return out;
    }

    /** One call of {@link #putItems}, under the service's lock: the decision for each item, then one table update. */
    private final class Onboarding {
        /** The state an id ends the call in. */
        private static final class Pending {
            final String id;
            final int row;
            final boolean isNew;
            String text;
            float[] vector;
            float[] cf;

            Pending(String id, int row, boolean isNew) {
                this.id = id;
                this.row = row;
                this.isNew = isNew;
            }
        }

        private final List<NewItem> items;
        private final String[] described;
        private final float[][] vectors;
        private final Map<String, Pending> pending = new LinkedHashMap<>();
        private final ItemInputs catalogue = model.items();
        private int added;

        Onboarding(List<NewItem> items, String[] described, float[][] vectors) {
            this.items = items;
            this.described = described;
            this.vectors = vectors;
        }

        List<ItemUpdate> apply() {
            List<ItemUpdate> updates = new ArrayList<>(items.size());
            for (int i = 0; i < items.size(); i++) {
                updates.add(decide(i));
            }
            predictCfInputs();
            List<Pending> changed = pending.values().stream().filter(p -> !p.isNew).toList();
            List<Pending> fresh = pending.values().stream().filter(p -> p.isNew).toList();
            int[] changedRows = changed.stream().mapToInt(p -> p.row).toArray();
            model.updateItems(changedRows, inputs(changed), inputs(fresh));
            for (Pending p : pending.values()) {
                texts.put(p.id, p.text);
                rows.putIfAbsent(p.id, p.row);
            }
            return updates;
        }

        private ItemUpdate decide(int i) {
            NewItem item = items.get(i);
            Pending state = pending.get(item.id());
            Integer row = state != null ? Integer.valueOf(state.row) : rows.get(item.id());
            if (row == null) {
                state = new Pending(item.id(), catalogue.numItems() + added++, true);
                pending.put(item.id(), state);
                take(state, i, item);
                return new ItemUpdate(state.row, Change.ADDED);
            }
            if (sameText(item.id(), row, state, i)) {
                return new ItemUpdate(row, Change.UNCHANGED);
            }
            if (state == null) {
                state = new Pending(item.id(), row, false);
                pending.put(item.id(), state);
            }
            take(state, i, item);
            return new ItemUpdate(row, Change.RETOKENIZED);
        }

        private boolean sameText(String id, int row, Pending state, int i) {
            String known = state != null ? state.text : texts.get(id);
            if (known != null) {
                return known.equals(described[i]);
            }
            float[] trained = catalogue.text()[row]; // a trained row never sent here: compare the embeddings
            float[] given = vector(i);
            for (int j = 0; j < trained.length; j++) {
                if (Math.abs(trained[j] - given[j]) > SAME_TEXT_TOLERANCE) {
                    return false;
                }
            }
            return true;
        }

        /** The item's new text; its CF input stays null where it is to be predicted from that text. */
        private void take(Pending state, int i, NewItem item) {
            state.text = described[i];
            state.vector = vector(i);
            boolean warm = !state.isNew && !catalogue.cold()[state.row];
            state.cf = warm ? catalogue.cf()[state.row] : item.cf();
        }

        /** The CF inputs still missing, predicted from the texts in one batched search. */
        private void predictCfInputs() {
            List<Pending> missing = pending.values().stream().filter(p -> p.cf == null).toList();
            if (missing.isEmpty()) {
                return;
            }
            float[][] predicted = model.predictCf(missing.stream().map(p -> p.vector).toArray(float[][]::new));
            for (int k = 0; k < predicted.length; k++) {
                missing.get(k).cf = predicted[k];
            }
        }

        /** The item's text embedding; embedded here only where another call changed its text meanwhile. */
        private float[] vector(int i) {
            if (vectors[i] == null) {
                vectors[i] = ItemTexts.embed(encoder, items.get(i).text());
            }
            return vectors[i];
        }

        private ItemInputs inputs(List<Pending> list) {
            if (list.isEmpty()) {
                return null;
            }
            String[] ids = list.stream().map(p -> p.id).toArray(String[]::new);
            boolean[] cold = new boolean[list.size()];
            for (int k = 0; k < cold.length; k++) {
                cold[k] = list.get(k).isNew || catalogue.cold()[list.get(k).row];
            }
            return new ItemInputs(ids, list.stream().map(p -> p.cf).toArray(float[][]::new),
                    list.stream().map(p -> p.vector).toArray(float[][]::new), cold);
        }
    }

    @Override
    public void close() {
        model.close();
    }
}
