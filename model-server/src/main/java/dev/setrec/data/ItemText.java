package dev.setrec.data;

/**
 * The text fields of one item from items.tsv; a missing field is the empty string, never null.
 * keywords exists only in some data sets (toys) and is empty elsewhere.
 */
public record ItemText(String asin, String title, String categories, String brand, String keywords) {
    public static final ItemText EMPTY = new ItemText("", "", "", "", "");

    public boolean isEmpty() {
        return title.isEmpty() && categories.isEmpty() && brand.isEmpty() && keywords.isEmpty();
    }
}
