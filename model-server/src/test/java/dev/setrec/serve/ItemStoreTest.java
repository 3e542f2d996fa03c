package dev.setrec.serve;

import dev.setrec.data.ItemText;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ItemStoreTest {
    static final ItemText PUZZLE = new ItemText("", "Ocean puzzle", "Toys > Puzzles", "Acme", "500 pieces");

    @Test
    void itemsSurviveReopeningWithTheirTextAndCountsFollowPuts(@TempDir Path dir) throws IOException {
        try (ItemStore store = ItemStore.open(dir)) {
            store.put(new ItemStore.StoredItem("b", PUZZLE, 20));
            store.put(new ItemStore.StoredItem("a", new ItemText("", "Kite", "", "", ""), 10));
            store.put(new ItemStore.StoredItem("a", new ItemText("", "Kite", "", "", ""), 10)); // again: no new entry
            assertEquals(2, store.count());
        }
        try (ItemStore store = ItemStore.open(dir)) {
            assertEquals(2, store.count());
            List<ItemStore.StoredItem> all = store.all(System.err);
            assertEquals(List.of(new ItemStore.StoredItem("a", new ItemText("", "Kite", "", "", ""), 10),
                    new ItemStore.StoredItem("b", PUZZLE, 20)), all, "in id order, text as stored");
        }
    }

    @Test
    void aBatchKeepsEachIdsNewestTextAndFirstOnboardedTime(@TempDir Path dir) throws IOException {
        ItemText kite = new ItemText("", "Kite", "", "", "");
        ItemText bigKite = new ItemText("", "Big kite", "", "", "");
        try (ItemStore store = ItemStore.open(dir)) {
            store.put(new ItemStore.StoredItem("a", kite, 10));
            store.putAll(List.of(new ItemStore.StoredItem("a", bigKite, 99), new ItemStore.StoredItem("b", kite, 50),
                    new ItemStore.StoredItem("b", PUZZLE, 60)));
            assertEquals(2, store.count());
        }
        try (ItemStore store = ItemStore.open(dir)) {
            assertEquals(List.of(new ItemStore.StoredItem("a", bigKite, 10), new ItemStore.StoredItem("b", PUZZLE, 60)),
                    store.all(System.err), "the newest text; an id keeps the time it was first onboarded");
        }
    }

    @Test
    void anEntryThatDoesNotParseIsReportedAndSkipped(@TempDir Path dir) throws Exception {
        try (ItemStore store = ItemStore.open(dir)) {
            store.put(new ItemStore.StoredItem("good", PUZZLE, 1));
        }
        try (Options options = new Options(); RocksDB db = RocksDB.open(options, dir.toString())) {
            db.put("broken".getBytes(StandardCharsets.UTF_8), "{not json".getBytes(StandardCharsets.UTF_8));
        }
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (ItemStore store = ItemStore.open(dir)) {
            List<ItemStore.StoredItem> all = store.all(new PrintStream(log, true));
            assertEquals(List.of("good"), all.stream().map(ItemStore.StoredItem::itemId).toList());
        }
        assertTrue(log.toString().contains("skipping item broken"), log.toString());
    }

    @Test
    void aDirectoryThatCannotHoldAStoreFailsWithItsName(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("a-file"), "not a directory");
        IOException e = assertThrows(IOException.class, () -> ItemStore.open(file));
        assertTrue(e.getMessage().contains("a-file"), e.getMessage());
        assertFalse(Files.isDirectory(file));
    }
}
