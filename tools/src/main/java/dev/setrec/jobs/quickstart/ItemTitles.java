package dev.setrec.jobs.quickstart;

import dev.setrec.data.Dataset;
import dev.setrec.data.ItemText;

/** Short item titles for console lines, from the data set's item text; the item id where there is no title. */
public final class ItemTitles {
    private static final int MAX_LENGTH = 32;
    private static final String ELLIPSIS = "...";

    private final ItemText[] texts;

    private ItemTitles(ItemText[] texts) {
        this.texts = texts;
    }

    /** No titles: every item goes by its id. */
    public static ItemTitles none() {
        return new ItemTitles(new ItemText[0]);
    }

    public static ItemTitles of(Dataset dataset) {
        return new ItemTitles(dataset.itemTexts().orElse(new ItemText[0]));
    }

    public String shortTitle(String itemId) {
        int row;
        try {
            row = Integer.parseInt(itemId);
        } catch (NumberFormatException e) {
            return itemId; // not one of the data set's items
        }
        String title = row >= 0 && row < texts.length ? texts[row].title().strip() : "";
        if (title.isEmpty()) {
            return itemId;
        }
        return title.length() <= MAX_LENGTH ? title : title.substring(0, MAX_LENGTH - ELLIPSIS.length()) + ELLIPSIS;
    }
}
