package dev.setrec.text;

import dev.setrec.data.ItemText;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The text an item is embedded from, and the embedding of a whole catalogue.
 *
 * <p>Text: title, category path and brand as short sentences, e.g.
 * {@code "Rory's Story Cubes. Toys & Games > Games > Board Games. Brand: Gamewright."}. Keywords are used only when
 * all three are empty: in the toys data they are a lower-cased echo of the title and category, which would only
 * dilute the vector.
 *
 * <p>Items with no text at all get a zero vector and the encoder never sees them (an empty string would still
 * embed to an arbitrary point). The recommender's semantic tokenizer then sees only its bias for them, so such
 * items rely on their CF token.
 */
public final class ItemTexts {
    private ItemTexts() {
    }

    /** The encoder input for one item; "" when the item has no text. */
    public static String describe(ItemText t) {
        StringBuilder sb = new StringBuilder();
        sentence(sb, "", t.title());
        sentence(sb, "", t.categories());
        sentence(sb, "Brand: ", t.brand());
        if (sb.isEmpty()) {
            sentence(sb, "Keywords: ", t.keywords());
        }
        return sb.toString();
    }

    /** Appends {@code label + value} as a sentence ending in a full stop, unless value is blank. */
    private static void sentence(StringBuilder sb, String label, String value) {
        String v = value.strip();
        if (v.isEmpty()) {
            return;
        }
        if (!sb.isEmpty()) {
            sb.append(' ');
        }
        sb.append(label).append(v);
        char last = v.charAt(v.length() - 1);
        if (last != '.' && last != '!' && last != '?') {
            sb.append('.');
        }
    }

    /** The embedding of one item's text, or a zero vector when it has none (the documented fallback). */
    public static float[] embed(TextEncoder encoder, ItemText item) {
        String text = describe(item);
        return text.isEmpty() ? new float[encoder.dim()] : encoder.encode(List.of(text))[0];
    }

    /**
     * One row per item: the embedding of {@link #describe}, or a zero row for items without text. Logs how many
     * items had text and, for a {@link CachedTextEncoder}, how many texts came from the cache.
     */
    public static float[][] embedAll(TextEncoder encoder, ItemText[] items, PrintStream log) {
        float[][] rows = new float[items.length][];
        List<String> texts = new ArrayList<>();
        List<Integer> withText = new ArrayList<>();
        for (int i = 0; i < items.length; i++) {
            String text = describe(items[i]);
            if (text.isEmpty()) {
                rows[i] = new float[encoder.dim()];
            } else {
                texts.add(text);
                withText.add(i);
            }
        }
        CachedTextEncoder cache = encoder instanceof CachedTextEncoder c ? c : null;
        CachedTextEncoder.Stats before = cache != null ? cache.stats() : null;
        float[][] vectors = encoder.encode(texts);
        for (int k = 0; k < vectors.length; k++) {
            rows[withText.get(k)] = vectors[k];
        }
        log.printf(Locale.ROOT, "item texts (%s): %d items with text, %d without (zero vectors)%n",
                encoder.id(), texts.size(), items.length - texts.size());
        if (cache != null) {
            CachedTextEncoder.Stats delta = cache.stats().minus(before);
            log.printf(Locale.ROOT, "  %d texts from the cache %s, %d distinct texts newly encoded%n",
                    delta.hits(), cache.file(), delta.encoded());
        }
        return rows;
    }
}
