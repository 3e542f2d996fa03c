package dev.setrec.text;

import dev.setrec.data.ItemText;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static dev.setrec.text.SharedMiniLm.cosine;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The text rules and the zero-vector fallback. */
class ItemTextsTest {
    private static ItemText item(String title, String categories, String brand, String keywords) {
        return new ItemText("B000", title, categories, brand, keywords);
    }

    @Test
    void describeJoinsTitleCategoriesAndBrand() {
        assertEquals("Rory's Story Cubes. Toys & Games > Games. Brand: Gamewright.",
                ItemTexts.describe(item("Rory's Story Cubes", "Toys & Games > Games", "Gamewright", "rorys cubes")));
        assertEquals("Really fun! Brand: Acme.", ItemTexts.describe(item(" Really fun! ", "", "Acme", "")));
        assertEquals("Toys & Games > Puzzles.", ItemTexts.describe(item("", "Toys & Games > Puzzles", " ", "kw")));
    }

    @Test
    void keywordsOnlyWhenEverythingElseIsEmpty() {
        assertEquals("Keywords: ocean pails.", ItemTexts.describe(item("", "", "", "ocean pails")));
        assertEquals("Brand: Lego.", ItemTexts.describe(item("", "", "Lego", "ocean pails")));
    }

    @Test
    void noTextAtAllIsEmpty() {
        assertEquals("", ItemTexts.describe(ItemText.EMPTY));
        assertEquals("", ItemTexts.describe(item(" ", "", "  ", "")));
    }

    @Test
    void embedAllGivesZeroRowsToItemsWithoutText(@TempDir Path dir) throws IOException {
        ItemText[] items = {item("Wooden train set", "Toys & Games", "Brio", ""), ItemText.EMPTY,
                item("", "", "", "kite string")};
        SharedMiniLm.Counting counting = new SharedMiniLm.Counting();
        ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
        float[][] rows;
        try (CachedTextEncoder cache = new CachedTextEncoder(counting, dir,
                new PrintStream(logBytes, true, StandardCharsets.UTF_8))) {
            rows = ItemTexts.embedAll(cache, items, new PrintStream(logBytes, true, StandardCharsets.UTF_8));
        }
        assertEquals(2, counting.texts, "the empty item never reaches the encoder");
        assertArrayEquals(new float[MiniLmEncoder.DIM], rows[1]);
        float[][] direct = SharedMiniLm.get().encode(List.of(ItemTexts.describe(items[0]),
                ItemTexts.describe(items[2])));
        assertTrue(cosine(rows[0], direct[0]) > 0.9999);
        assertTrue(cosine(rows[2], direct[1]) > 0.9999);
        String log = logBytes.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("2 items with text, 1 without") && log.contains("2 distinct texts newly encoded"), log);
    }
}
