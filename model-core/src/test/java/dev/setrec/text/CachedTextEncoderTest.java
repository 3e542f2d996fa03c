package dev.setrec.text;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static dev.setrec.text.SharedMiniLm.cosine;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The on-disk cache around the real MiniLM: reuse, exact values, crash recovery, damaged files, locking. */
class CachedTextEncoderTest {
    private static final List<String> TEXTS = List.of("Wooden train set.", "Puzzle, 1000 pieces.", "Plush bear.",
            "Wooden train set.", "Chess board. Brand: Acme.");

    @TempDir
    Path dir;
    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private final PrintStream log = new PrintStream(logBytes, true, StandardCharsets.UTF_8);
    private final SharedMiniLm.Counting counting = new SharedMiniLm.Counting();

    private CachedTextEncoder open() throws IOException {
        return new CachedTextEncoder(counting, dir, log);
    }

    private String logged() {
        return logBytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aSecondRunEncodesNothingAndReturnsTheSameValues() throws IOException {
        float[][] first;
        try (CachedTextEncoder cache = open()) {
            first = cache.encode(TEXTS);
            assertEquals(4, counting.texts, "the duplicate is encoded once");
            assertEquals(new CachedTextEncoder.Stats(0, 4), cache.stats());
        }
        assertArrayEquals(first[0], first[3]);
        float[][] direct = SharedMiniLm.get().encode(TEXTS);
        for (int i = 0; i < TEXTS.size(); i++) {
            assertTrue(cosine(first[i], direct[i]) > 0.9999);
        }
        counting.texts = 0;
        try (CachedTextEncoder cache = open()) {
            assertEquals(4, cache.size());
            float[][] second = cache.encode(TEXTS);
            assertEquals(0, counting.texts);
            assertEquals(new CachedTextEncoder.Stats(5, 0), cache.stats());
            for (int i = 0; i < TEXTS.size(); i++) {
                assertArrayEquals(first[i], second[i]);
            }
            cache.encode(List.of("Plush bear.", "A new kite."));
            assertEquals(1, counting.texts, "only the unseen text is encoded");
        }
    }

    @Test
    void aTornLastRecordIsDroppedWithAWarning() throws IOException {
        Path file;
        try (CachedTextEncoder cache = open()) {
            cache.encode(TEXTS);
            file = cache.file();
        }
        long full = Files.size(file);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(full - 100); // as if the process died while appending the last record
        }
        counting.texts = 0;
        try (CachedTextEncoder cache = open()) {
            assertTrue(logged().contains("partial record"), logged());
            assertEquals(3, cache.size());
            cache.encode(TEXTS);
            assertEquals(1, counting.texts, "only the lost record is encoded again");
        }
        assertEquals(full, Files.size(file), "appends continue on a record boundary");
        try (CachedTextEncoder cache = open()) {
            assertEquals(4, cache.size());
        }
    }

    @Test
    void anEmptyFileLeftByACrashAtCreationIsANewCache() throws IOException {
        Files.createFile(dir.resolve(counting.id() + ".vec"));
        try (CachedTextEncoder cache = open()) {
            assertEquals(0, cache.size());
            cache.encode(TEXTS);
        }
        try (CachedTextEncoder cache = open()) {
            assertEquals(4, cache.size());
        }
    }

    @Test
    void aGarbageFileIsAClearError() throws IOException {
        Path file = dir.resolve(counting.id() + ".vec");
        Files.writeString(file, "this is not a cache, just some text that happens to have this name\n".repeat(20));
        IOException e = assertThrows(IOException.class, this::open);
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("Delete it"), e.getMessage());
    }

    @Test
    void aDamagedRecordIsAClearError() throws IOException {
        Path file;
        try (CachedTextEncoder cache = open()) {
            cache.encode(TEXTS);
            file = cache.file();
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(raf.length() - 3000); // inside an earlier record, not the last one
            raf.write(0x5a);
        }
        IOException e = assertThrows(IOException.class, this::open);
        assertTrue(e.getMessage().contains("checksum") && e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    void aCacheCanBeOpenedOnlyOnceAtATime() throws IOException {
        try (CachedTextEncoder ignored = open()) {
            IOException e = assertThrows(IOException.class, this::open);
            assertTrue(e.getMessage().contains("in use"), e.getMessage());
        }
    }

    @Test
    void manyNewTextsShowProgressAndThroughput() throws IOException {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 512; i++) {
            texts.add("Item " + i + ": " + "colourful wooden building blocks for toddlers ".repeat(1 + i % 4)
                    + "Toys & Games > Building Toys. Brand: Maker" + i % 13 + ".");
        }
        long start = System.nanoTime();
        try (CachedTextEncoder cache = open()) {
            cache.encode(texts);
        }
        double secs = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "MiniLM through the cache: %d texts in %.2f s = %.0f texts/s%n",
                texts.size(), secs, texts.size() / secs);
        assertTrue(logged().contains("Encoding texts"), logged());
        assertEquals(512, counting.texts);
    }
}
