package dev.setrec.jobs.quickstart;

import dev.setrec.data.Dataset;
import dev.setrec.data.ItemText;

import java.util.List;

/** A hand-built data set of 3 users and 10 items for the replay tests. */
final class ReplayTestData {
    /** Cold (no train interaction), replayed and with text: the only possible held-back items. */
    static final List<String> HOLDABLE_COLD_ITEMS = List.of("5", "6", "7", "9");

    private ReplayTestData() {
    }

    /**
     * Items 0-4 are warm; 5-9 cold. Item 8 is cold and replayed but has no text; items 2 and 3 are replayed but
     * warm; items 0, 1 and 4 occur only in train. User 1 has no external id.
     */
    static Dataset threeUsers() {
        int[][] train = {{0, 1}, {2, 3}, {4, 1}};
        int[][] valid = {{5}, {6, 2}, {}};
        int[][] test = {{7, 8}, {9}, {5, 3}};
        ItemText[] texts = new ItemText[10];
        for (int i = 0; i < texts.length; i++) {
            texts[i] = new ItemText("A" + i, "Toy number " + i, "Toys & Games > Puzzles", "", "toy puzzle " + i);
        }
        texts[8] = ItemText.EMPTY;
        String[] users = {"R-ZERO", null, "R-TWO"};
        return new Dataset("three-users", 10, train, valid, test, Dataset.deriveCold(10, train), texts, null, users,
                List.of());
    }
}
