package dev.setrec.model.setrec;

import dev.setrec.data.ItemText;
import dev.setrec.eval.Setting;
import dev.setrec.model.ModelIO;
import dev.setrec.model.ModelManifest;
import dev.setrec.model.Recommender;
import dev.setrec.text.ItemTexts;
import dev.setrec.text.TextEncoder;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
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

    private final SetRec model;
    private final TextEncoder encoder;
    private final String version;
    private final Map<String, Integer> rows = new ConcurrentHashMap<>();

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
        Recommender loaded = ModelIO.load(dir);
        if (!(loaded instanceof SetRec setrec)) {
            loaded.close();
            throw new IOException(dir + " holds a " + manifest.type() + " model; the service needs a setrec model");
        }
        return new SetRecService(setrec, manifest.version(), encoder);
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
        List<List<Scored>> out = new ArrayList<>(histories.size());
        for (int b = 0; b < histories.size(); b++) {
            out.add(List.of());
        }
        if (!known.isEmpty()) {
            // ask for enough extra items that k (and the slots) remain once the excluded ones are dropped
            List<SetRec.Ranked> ranked = model.rank(known, Math.min(k + mostExcluded, numItems()), setting,
                    mostSlots == 0 ? 0 : Math.min(mostSlots + mostExcluded, numItems()));
            for (int i = 0; i < positions.size(); i++) {
                int b = positions.get(i);
                List<String> left = excluded == null ? List.of() : excluded.get(b);
                List<Scored> top = firstNotExcluded(ranked.get(i).best(), ks[b], left);
                int slots = mostSlots == 0 ? 0 : newItemSlots[b];
                out.set(b, slots == 0 ? top
                        : withNewItems(top, firstNotExcluded(ranked.get(i).bestCold(), slots, left), slots, ks[b],
                                id -> isCold(rows.get(id))));
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
     * text, see {@link SetRec#predictCf}).
     * Adding an id that is already known changes nothing (events may be delivered twice). Returns the item's row.
     */
    public int addItem(String id, ItemText text, float[] cf) {
        Integer existing = rows.get(id);
        if (existing != null) {
            return existing;
        }
        int cfDim = model.items().cfDim();
        if (cf != null && cf.length != cfDim) {
            throw new IllegalArgumentException("CF embedding of item " + id + " has " + cf.length + " values, the model "
                    + "expects " + cfDim);
        }
        float[] vector = ItemTexts.embed(encoder, text);
        synchronized (this) {
            existing = rows.get(id);
            if (existing != null) {
                return existing;
            }
            float[] cfInput = cf != null ? cf : model.predictCf(vector);
            int row = model.addItems(new ItemInputs(new String[] {id}, new float[][] {cfInput}, new float[][] {vector},
                    new boolean[] {true}));
            rows.put(id, row);
            return row;
        }
    }

    @Override
    public void close() {
        model.close();
    }
}
