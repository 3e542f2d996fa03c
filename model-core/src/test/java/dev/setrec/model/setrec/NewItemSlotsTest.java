package dev.setrec.model.setrec;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The merge of a ranking with the best new items, on hand-written lists ("w*" items are warm, "n*" new). */
class NewItemSlotsTest {
    private static final Predicate<String> NEW = id -> id.startsWith("n");

    private static List<SetRecService.Scored> items(String... ids) {
        List<SetRecService.Scored> out = new ArrayList<>();
        for (int i = 0; i < ids.length; i++) {
            out.add(new SetRecService.Scored(ids[i], 100 - i));
        }
        return out;
    }

    private static List<String> ids(List<SetRecService.Scored> scored) {
        return scored.stream().map(SetRecService.Scored::itemId).toList();
    }

    private static String[] warm(int n) {
        String[] ids = new String[n];
        for (int i = 0; i < n; i++) {
            ids[i] = "w" + (i + 1);
        }
        return ids;
    }

    @Test
    void oneSlotOfTenTakesPlaceSixAndDropsTheLastWarmItem() {
        List<String> got = ids(SetRecService.withNewItems(items(warm(10)), items("n1", "n2"), 1, 10, NEW));
        assertEquals(List.of("w1", "w2", "w3", "w4", "w5", "n1", "w6", "w7", "w8", "w9"), got);
    }

    @Test
    void twoSlotsOfTwentyLandAtPlacesSevenAndFourteenInScoreOrder() {
        List<String> got = ids(SetRecService.withNewItems(items(warm(20)), items("n1", "n2", "n3"), 2, 20, NEW));
        assertEquals(20, got.size());
        assertEquals("n1", got.get(6));
        assertEquals("n2", got.get(13));
        assertEquals(List.of(warm(18)), got.stream().filter(id -> !NEW.test(id)).toList(),
                "the warm items keep their order; the two lowest make room");
    }

    @Test
    void newItemsTheRankingAlreadyHoldsCountAndStayWhereTheyAre() {
        List<SetRecService.Scored> top = items("w1", "n7", "w2", "w3");
        assertEquals(List.of("w1", "n7", "w2", "w3"),
                ids(SetRecService.withNewItems(top, items("n7", "n1"), 1, 4, NEW)));
        // two slots: n7 counts as one, n1 (the best new item not yet in) takes the second in place of w3
        assertEquals(List.of("w1", "n7", "n1", "w2"),
                ids(SetRecService.withNewItems(top, items("n7", "n1"), 2, 4, NEW)));
    }

    @Test
    void aShortRankingGrowsInsteadOfDroppingAndFewerNewItemsFillFewerSlots() {
        assertEquals(List.of("w1", "n1", "w2"),
                ids(SetRecService.withNewItems(items("w1", "w2"), items("n1"), 3, 10, NEW)));
        assertEquals(List.of("w1", "w2"), ids(SetRecService.withNewItems(items("w1", "w2"), items(), 2, 10, NEW)));
        assertEquals(List.of("n1", "n2"), ids(SetRecService.withNewItems(items(), items("n1", "n2"), 2, 10, NEW)));
    }
}
