package dev.setrec.data;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The text fields of one item from items.tsv; a missing field is the empty string, never null.
 * keywords exists only in some data sets (toys) and is empty elsewhere.
 */
public record ItemText(String asin, String title, String categories, String brand, String keywords) {
    public static final ItemText EMPTY = new ItemText("", "", "", "", "");
    /** How a category path's levels are joined into one field, as the data sets' items.tsv do. */
    public static final String CATEGORY_SEPARATOR = " > ";
    private static final Pattern CATEGORY_SPLIT = Pattern.compile(Pattern.quote(CATEGORY_SEPARATOR));

    /**
     * An item's text from the structured fields a catalogue feed sends (item events, the model server's API); the
     * description takes the place of the data sets' keywords in the text rules.
     */
    public static ItemText of(String title, List<? extends CharSequence> categories, String brand, String description) {
        return new ItemText("", title, String.join(CATEGORY_SEPARATOR, categories), brand, description);
    }

    /** The levels of the category path, none for an empty field. */
    public List<String> categoryLevels() {
        return categories.isEmpty() ? List.of() : List.of(CATEGORY_SPLIT.split(categories));
    }

    public boolean isEmpty() {
        return title.isEmpty() && categories.isEmpty() && brand.isEmpty() && keywords.isEmpty();
    }
}
