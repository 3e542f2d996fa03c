package dev.setrec.data;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GeneratedShopTest {
    private static final GeneratedShop.Shape SMALL = new GeneratedShop.Shape(1000, 24, 4, 7);

    @Test
    void theSameShapeGivesTheSameShopAndAnotherSeedAnother() {
        Dataset one = GeneratedShop.generate(SMALL);
        Dataset again = GeneratedShop.generate(SMALL);
        assertEquals(one.name(), again.name());
        for (int user = 0; user < one.numUsers(); user++) {
            for (Split split : Split.values()) {
                assertArrayEquals(one.sequence(user, split), again.sequence(user, split));
            }
        }
        Dataset other = GeneratedShop.generate(new GeneratedShop.Shape(1000, 24, 4, 8));
        assertNotEquals(one.name(), other.name(), "the name tells shops apart (it names their cached models)");
    }

    @Test
    void everyUserHasHeldBackItemsAndTheNewItemsAreColdWithText() {
        Dataset shop = GeneratedShop.generate(SMALL);
        for (int user = 0; user < shop.numUsers(); user++) {
            assertTrue(shop.sequence(user, Split.TRAIN).length >= 2, "a training target after the first item");
            assertEquals(1, shop.sequence(user, Split.VALID).length);
            assertTrue(shop.sequence(user, Split.TEST).length >= 1);
        }
        int newItems = 8 * SMALL.newItemsPerTheme();
        assertEquals(newItems, shop.numColdItems(), "the new items, and no part of a series, have no train item");
        ItemText[] texts = shop.itemTexts().orElseThrow();
        assertTrue(Arrays.stream(texts).noneMatch(ItemText::isEmpty), "every item can be embedded from its text");
        long coldInHeldBack = heldBackItems(shop).stream().filter(shop::isCold).count();
        assertTrue(coldInHeldBack > 0, "new items occur in valid and test");
    }

    private static List<Integer> heldBackItems(Dataset shop) {
        List<Integer> items = new ArrayList<>();
        for (int user = 0; user < shop.numUsers(); user++) {
            Arrays.stream(shop.sequence(user, Split.VALID)).forEach(items::add);
            Arrays.stream(shop.sequence(user, Split.TEST)).forEach(items::add);
        }
        return items;
    }
}
