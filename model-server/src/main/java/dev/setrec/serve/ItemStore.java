package dev.setrec.serve;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.setrec.data.ItemText;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The durable record of onboarded items: RocksDB (Flink's frocksdbjni build, so that this code may share a JVM with
 * Flink's state backend), keyed by item id, the value the item's text as JSON. Every write is synced before it
 * returns, so an item the server acknowledged survives a crash. Text rather than tokens is stored because tokens
 * depend on the model: after a swap the items are tokenized again by the new one.
 */
public final class ItemStore implements AutoCloseable {
    /** An onboarded item: its id, its text fields, and when it was first onboarded (epoch millis). */
    public record StoredItem(String itemId, ItemText text, long onboardedMillis) {
    }

    static {
        RocksDB.loadLibrary();
    }

    private final Options options;
    private final WriteOptions syncWrites;
    private final RocksDB db;
    private final AtomicLong count = new AtomicLong();

    private ItemStore(Options options, WriteOptions syncWrites, RocksDB db) {
        this.options = options;
        this.syncWrites = syncWrites;
        this.db = db;
        try (RocksIterator it = db.newIterator()) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                count.incrementAndGet();
            }
        }
    }

    /** Opens (or creates) the store in {@code dir}; fails with the reason when the directory cannot be used. */
    public static ItemStore open(Path dir) throws IOException {
        Files.createDirectories(dir);
        Options options = new Options().setCreateIfMissing(true);
        WriteOptions syncWrites = new WriteOptions().setSync(true);
        try {
            return new ItemStore(options, syncWrites, RocksDB.open(options, dir.toAbsolutePath().toString()));
        } catch (RocksDBException e) {
            syncWrites.close();
            options.close();
            throw new IOException("cannot open the item store in " + dir + ": " + e.getMessage(), e);
        }
    }

    public void put(StoredItem item) throws IOException {
        putAll(List.of(item));
    }

    /**
     * Stores the items in one synced write: the last text of an id wins, an id already stored keeps the time it was
     * first onboarded, and an entry whose text is unchanged is not written again.
     */
    public void putAll(List<StoredItem> items) throws IOException {
        Map<String, StoredItem> latest = new LinkedHashMap<>();
        items.forEach(item -> latest.put(item.itemId(), item));
        int added = 0;
        try (WriteBatch batch = new WriteBatch()) {
            for (StoredItem item : latest.values()) {
                byte[] existing = db.get(key(item.itemId()));
                StoredItem stored = existing == null ? null : parseOrNull(item.itemId(), existing);
                if (stored != null && stored.text().equals(item.text())) {
                    continue;
                }
                long onboarded = stored != null ? stored.onboardedMillis() : item.onboardedMillis();
                batch.put(key(item.itemId()), value(item.text(), onboarded));
                if (existing == null) {
                    added++;
                }
            }
            if (batch.count() > 0) {
                db.write(syncWrites, batch);
            }
        } catch (RocksDBException e) {
            throw new IOException("cannot store " + latest.size() + " items: " + e.getMessage(), e);
        }
        count.addAndGet(added);
    }

    private static byte[] value(ItemText text, long onboardedMillis) {
        JsonObject value = new JsonObject();
        value.addProperty("title", text.title());
        JsonArray categories = new JsonArray();
        for (String category : text.categoryLevels()) {
            categories.add(category);
        }
        value.add("categories", categories);
        value.addProperty("brand", text.brand());
        value.addProperty("description", text.keywords());
        value.addProperty("onboarded", onboardedMillis);
        return value.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Items in the store. */
    public long count() {
        return count.get();
    }

    /** Every stored item, in id order; an entry that does not parse is reported on {@code log} and skipped. */
    public List<StoredItem> all(PrintStream log) {
        List<StoredItem> items = new ArrayList<>();
        try (RocksIterator it = db.newIterator()) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                String id = new String(it.key(), StandardCharsets.UTF_8);
                try {
                    items.add(parse(id, it.value()));
                } catch (RuntimeException e) {
                    log.println("item store: skipping item " + id + ", its entry does not parse: " + e.getMessage());
                }
            }
        }
        return items;
    }

    /** The stored entry, or null where it does not parse (it is then written anew). */
    private static StoredItem parseOrNull(String id, byte[] value) {
        try {
            return parse(id, value);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static StoredItem parse(String id, byte[] json) {
        JsonObject value = JsonParser.parseString(new String(json, StandardCharsets.UTF_8)).getAsJsonObject();
        List<String> categories = new ArrayList<>();
        value.getAsJsonArray("categories").forEach(c -> categories.add(c.getAsString()));
        ItemText text = ItemText.of(value.get("title").getAsString(), categories, value.get("brand").getAsString(),
                value.get("description").getAsString());
        return new StoredItem(id, text, value.get("onboarded").getAsLong());
    }

    private static byte[] key(String itemId) {
        return itemId.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        db.close();
        syncWrites.close();
        options.close();
    }
}
