package dev.setrec.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetReaderTest {
    private static final String INTERACTIONS_HEADER = "user_id\titem_id\tsplit";
    private static final String ITEMS_HEADER = "item_id\tasin\ttitle\tcategories\tbrand";

    @TempDir
    Path dir;

    /** Writes a file of the data dir, one argument per line, LF endings. */
    private void write(String file, String... lines) throws IOException {
        Files.writeString(dir.resolve(file), String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    }

    /** A minimal valid interactions.tsv: items 0 and 1 warm, item 2 cold. */
    private void writeInteractions() throws IOException {
        write("interactions.tsv", INTERACTIONS_HEADER, "0\t0\ttrain", "0\t1\ttrain", "0\t2\ttest", "1\t1\ttrain");
    }

    private void assertError(String expectedPrefix, String keyPhrase) {
        DataFormatException e = assertThrows(DataFormatException.class, () -> DatasetReader.read(dir));
        assertTrue(e.getMessage().startsWith(expectedPrefix), () -> "message: " + e.getMessage());
        assertTrue(e.getMessage().contains(keyPhrase), () -> "message: " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one-line message");
    }

    // ---- happy paths

    @Test
    void readsAllFilesOfASmallDataDir() throws IOException {
        write("interactions.tsv", INTERACTIONS_HEADER,
                "0\t2\ttrain", "0\t1\ttrain", "0\t3\tvalid", "0\t4\ttest",
                "1\t1\ttrain", "1\t0\ttrain", "1\t4\ttest", "1\t4\ttest",
                "3\t5\tvalid");
        write("items.tsv", ITEMS_HEADER + "\tkeywords",
                "0\tA0\tBall\tToys > Balls\tAcme\tred ball",
                "1\tA1\tKite\t\t\t",
                "2\tA2\tDoll\tToys\tMattel\tdoll",
                "3\tA3\tCar\tToys\t\tcar",
                "4\tA4\tTrain\tToys\t\ttrain",
                "5\tA5\tBoat\tToys\t\tboat",
                "6\tA6\tPlane\tToys\t\tplane");
        write("users.tsv", "user_id\treviewer_id", "0\tR0", "1\t", "2\tR2", "9\tR9");
        write("warm_items.txt", "0", "1", "2");
        write("cold_items.txt", "3", "4", "5", "6", "7");
        write("sasrec_item_emb.tsv", "0\t0.5\t-1", "7\t2e-3\t3.25", "1\t0\t1");

        Dataset d = DatasetReader.read(dir);

        assertEquals(dir.getFileName().toString(), d.name());
        assertEquals(4, d.numUsers());
        assertEquals(8, d.numItems(), "item 7 occurs only in the embeddings and the cold list");
        assertArrayEquals(new int[] {2, 1}, d.sequence(0, Split.TRAIN));
        assertArrayEquals(new int[] {3}, d.sequence(0, Split.VALID));
        assertArrayEquals(new int[] {4}, d.sequence(0, Split.TEST));
        assertArrayEquals(new int[] {1, 0}, d.sequence(1, Split.TRAIN));
        assertArrayEquals(new int[] {4, 4}, d.sequence(1, Split.TEST), "a repeated item is kept");
        assertArrayEquals(new int[0], d.sequence(2, Split.TRAIN));
        assertArrayEquals(new int[] {5}, d.sequence(3, Split.VALID));
        assertEquals(4, d.numInteractions(Split.TRAIN));
        assertEquals(2, d.numInteractions(Split.VALID));
        assertEquals(3, d.numInteractions(Split.TEST));

        boolean[] expectedCold = {false, false, false, true, true, true, true, true};
        for (int i = 0; i < expectedCold.length; i++) {
            assertEquals(expectedCold[i], d.isCold(i), "item " + i);
        }
        assertEquals(5, d.numColdItems());

        ItemText[] texts = d.itemTexts().orElseThrow();
        assertEquals(new ItemText("A0", "Ball", "Toys > Balls", "Acme", "red ball"), texts[0]);
        assertEquals(new ItemText("A1", "Kite", "", "", ""), texts[1]);
        assertEquals(ItemText.EMPTY, texts[7], "an item items.tsv does not list");

        assertEquals("R0", d.userExternalId(0));
        assertEquals("1", d.userExternalId(1), "empty reviewer id falls back to the number");
        assertEquals("R2", d.userExternalId(2));
        assertEquals("3", d.userExternalId(3));

        float[][] emb = d.referenceCfEmbeddings().orElseThrow();
        assertEquals(8, emb.length);
        assertArrayEquals(new float[] {0.5f, -1f}, emb[0]);
        assertArrayEquals(new float[] {0f, 1f}, emb[1]);
        assertArrayEquals(new float[] {0f, 0f}, emb[4], "missing row is zeros");
        assertArrayEquals(new float[] {2e-3f, 3.25f}, emb[7]);

        assertEquals(List.of(
                "users.tsv: 1 user ids beyond the users of interactions.tsv were ignored (e.g. user 9)",
                "1 users have no train interaction (e.g. user 3); they are never a training sequence and are"
                        + " evaluated with whatever history they have",
                "sasrec_item_emb.tsv: 5 of 8 items have no row (zeros used)"), d.warnings());
    }

    @Test
    void readsItemsWithoutKeywordsColumn() throws IOException {
        writeInteractions();
        write("items.tsv", ITEMS_HEADER, "0\tB0\tGame\tVideo Games > PC\tUbisoft", "1\tB1\t\t\t", "2\tB2\tX\tY\tZ");
        ItemText[] texts = DatasetReader.read(dir).itemTexts().orElseThrow();
        assertEquals(new ItemText("B0", "Game", "Video Games > PC", "Ubisoft", ""), texts[0]);
        assertEquals(new ItemText("B1", "", "", "", ""), texts[1]);
    }

    @Test
    void optionalFilesMayBeAbsent() throws IOException {
        writeInteractions();
        Dataset d = DatasetReader.read(dir);
        assertEquals(2, d.numUsers());
        assertEquals(3, d.numItems());
        assertTrue(d.itemTexts().isEmpty());
        assertTrue(d.referenceCfEmbeddings().isEmpty());
        assertEquals("1", d.userExternalId(1));
        assertTrue(d.isCold(2));
        assertFalse(d.isCold(1));
        assertEquals(List.of(), d.warnings());
    }

    @Test
    void acceptsCrlfBomAndTrailingBlankLines() throws IOException {
        Files.writeString(dir.resolve("interactions.tsv"),
                "\uFEFF" + INTERACTIONS_HEADER + "\r\n0\t0\ttrain\r\n0\t1\tvalid\r\n\r\n\r\n", StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("cold_items.txt"), "1\r\n", StandardCharsets.UTF_8);
        Dataset d = DatasetReader.read(dir);
        assertArrayEquals(new int[] {0}, d.sequence(0, Split.TRAIN));
        assertArrayEquals(new int[] {1}, d.sequence(0, Split.VALID));
        assertTrue(d.isCold(1));
    }

    // ---- the directory

    @Test
    void missingDirectory() {
        Path missing = dir.resolve("nope");
        DataFormatException e = assertThrows(DataFormatException.class, () -> DatasetReader.read(missing));
        assertEquals("data directory " + missing + " does not exist (expected a data directory containing"
                + " interactions.tsv)", e.getMessage());
    }

    @Test
    void notADirectory() throws IOException {
        Path file = dir.resolve("file");
        Files.writeString(file, "x");
        DataFormatException e = assertThrows(DataFormatException.class, () -> DatasetReader.read(file));
        assertTrue(e.getMessage().startsWith("data directory " + file + " is not a directory"), e.getMessage());
    }

    @Test
    void missingInteractions() {
        assertError(dir.resolve("interactions.tsv") + " is missing", "header 'user_id<TAB>item_id<TAB>split'");
    }

    // ---- interactions.tsv

    @Test
    void emptyInteractions() throws IOException {
        Files.writeString(dir.resolve("interactions.tsv"), "");
        assertError("interactions.tsv: file is empty (expected header 'user_id<TAB>item_id<TAB>split')", "");
    }

    @Test
    void wrongHeader() throws IOException {
        write("interactions.tsv", "user\titem\tsplit", "0\t0\ttrain");
        assertError("interactions.tsv:1: expected header 'user_id<TAB>item_id<TAB>split'", "found 'user");
    }

    @Test
    void headerOnly() throws IOException {
        write("interactions.tsv", INTERACTIONS_HEADER);
        assertError("interactions.tsv: no interaction rows", "after the header");
    }

    @Test
    void wrongFieldCount() throws IOException {
        write("interactions.tsv", INTERACTIONS_HEADER, "0\t0\ttrain", "0\t1");
        assertError("interactions.tsv:3: expected 3 tab-separated fields", "found 2");
    }

    @Test
    void nonIntegerId() throws IOException {
        write("interactions.tsv", INTERACTIONS_HEADER, "0\t0\ttrain", "x1\t0\ttrain");
        assertError("interactions.tsv:3: user_id 'x1' is not an integer", "not an integer");
    }

    @Test
    void emptyId() throws IOException {
        write("interactions.tsv", INTERACTIONS_HEADER, "0\t\ttrain");
        assertError("interactions.tsv:2: item_id is empty", "empty");
    }

    @Test
    void negativeId() throws IOException {
        write("interactions.tsv", INTERACTIONS_HEADER, "0\t-3\ttrain");
        assertError("interactions.tsv:2: item_id -3 is negative", "0-based");
    }

    @Test
    void idTooLarge() throws IOException {
        write("interactions.tsv", INTERACTIONS_HEADER, "0\t0\ttrain", "0\t99999999\ttrain", "123456789012\t0\ttrain");
        assertError("interactions.tsv:4: user_id 123456789012 is too large", "dense 0-based integers below 100000000");
    }

    @Test
    void unknownSplit() throws IOException {
        write("interactions.tsv", INTERACTIONS_HEADER, "0\t0\ttrain", "0\t1\tTest");
        assertError("interactions.tsv:3: unknown split 'Test'", "expected train, valid or test");
    }

    @Test
    void blankLineInsideFile() throws IOException {
        write("interactions.tsv", INTERACTIONS_HEADER, "0\t0\ttrain", "", "0\t1\ttrain");
        assertError("interactions.tsv:3: blank line inside the file", "trailing");
    }

    @Test
    void itemNotListedInItemsTsv() throws IOException {
        writeInteractions();
        write("items.tsv", ITEMS_HEADER, "0\ta\tt\tc\tb", "1\ta\tt\tc\tb");
        assertError("interactions.tsv:4: item 2 is not listed in items.tsv", "not listed");
    }

    @Test
    void usersWithoutTrainAreAWarning() throws IOException {
        write("interactions.tsv", INTERACTIONS_HEADER, "0\t0\ttrain", "4\t0\ttest", "2\t0\tvalid");
        Dataset d = DatasetReader.read(dir);
        assertEquals(5, d.numUsers());
        assertEquals(List.of("2 users have no train interaction (e.g. user 2); they are never a training sequence"
                + " and are evaluated with whatever history they have"), d.warnings());
    }

    // ---- items.tsv and users.tsv

    @Test
    void emptyItemsTsv() throws IOException {
        writeInteractions();
        Files.writeString(dir.resolve("items.tsv"), "");
        assertError("items.tsv: file is empty (expected header 'item_id<TAB>asin<TAB>title<TAB>categories<TAB>brand'"
                + " or 'item_id<TAB>asin<TAB>title<TAB>categories<TAB>brand<TAB>keywords')", "");
    }

    @Test
    void itemsTsvRowWidthMustMatchHeader() throws IOException {
        writeInteractions();
        write("items.tsv", ITEMS_HEADER, "0\ta\tt\tc\tb", "1\ta\tt\tc\tb\tkw");
        assertError("items.tsv:3: expected 5 tab-separated fields", "found 6");
    }

    @Test
    void invalidUtf8() throws IOException {
        writeInteractions();
        byte[] header = (ITEMS_HEADER + "\n0\ta\t").getBytes(StandardCharsets.UTF_8);
        byte[] rest = "\tc\tb\n".getBytes(StandardCharsets.UTF_8);
        byte[] bytes = new byte[header.length + 1 + rest.length];
        System.arraycopy(header, 0, bytes, 0, header.length);
        bytes[header.length] = (byte) 0xFF;
        System.arraycopy(rest, 0, bytes, header.length + 1, rest.length);
        Files.write(dir.resolve("items.tsv"), bytes);
        assertError("items.tsv: not valid UTF-8", "line 1");
    }

    @Test
    void duplicateItemId() throws IOException {
        writeInteractions();
        write("items.tsv", ITEMS_HEADER, "0\ta\tt\tc\tb", "1\ta\tt\tc\tb", "0\ta\tt\tc\tb");
        assertError("items.tsv:4: duplicate item_id 0", "duplicate");
    }

    @Test
    void duplicateUserId() throws IOException {
        writeInteractions();
        write("users.tsv", "user_id\treviewer_id", "1\tA", "0\tB", "1\tC");
        assertError("users.tsv:4: duplicate user_id 1", "duplicate");
    }

    // ---- warm_items.txt and cold_items.txt

    @Test
    void coldListedItemWithTrainInteractions() throws IOException {
        write("interactions.tsv", INTERACTIONS_HEADER, "0\t0\ttrain", "1\t0\ttrain", "1\t1\ttrain", "0\t2\ttest");
        write("cold_items.txt", "2", "0");
        assertError("cold_items.txt:2: item 0 is listed as cold but has 2 train interactions", "listed as cold");
    }

    @Test
    void warmListedItemWithoutTrainInteractions() throws IOException {
        writeInteractions();
        write("warm_items.txt", "0", "1", "2");
        assertError("warm_items.txt:3: item 2 is listed as warm but has no train interaction", "listed as warm");
    }

    @Test
    void warmListMissingAnItem() throws IOException {
        writeInteractions();
        write("warm_items.txt", "0");
        assertError("warm_items.txt: item 1 has 2 train interactions but is not listed", "not listed");
    }

    @Test
    void coldListMissingAnItem() throws IOException {
        writeInteractions();
        write("cold_items.txt", "");
        assertError("cold_items.txt: item 2 has no train interaction but is not listed", "not listed");
    }

    // ---- sasrec_item_emb.tsv

    @Test
    void unparsableFloat() throws IOException {
        writeInteractions();
        write("sasrec_item_emb.tsv", "0\t0.1\t0.2", "1\t0.1\t0,2");
        assertError("sasrec_item_emb.tsv:2: value 2 '0,2' is not a number", "not a number");
    }

    @Test
    void nonFiniteFloat() throws IOException {
        writeInteractions();
        write("sasrec_item_emb.tsv", "0\t0.1\tNaN");
        assertError("sasrec_item_emb.tsv:1: value 2 'NaN' is not finite", "not finite");
    }

    @Test
    void inconsistentEmbeddingWidth() throws IOException {
        writeInteractions();
        write("sasrec_item_emb.tsv", "0\t0.1\t0.2", "1\t0.1\t0.2", "2\t0.1\t0.2\t0.3");
        assertError("sasrec_item_emb.tsv:3: expected 3 tab-separated fields", "2 floats, as on the first row");
    }

    @Test
    void embeddingRowWithoutValues() throws IOException {
        writeInteractions();
        write("sasrec_item_emb.tsv", "0");
        assertError("sasrec_item_emb.tsv:1: expected item_id followed by the embedding values", "one field");
    }

    @Test
    void duplicateEmbeddingRow() throws IOException {
        writeInteractions();
        write("sasrec_item_emb.tsv", "0\t1", "0\t2");
        assertError("sasrec_item_emb.tsv:2: duplicate row for item 0", "duplicate");
    }
}
