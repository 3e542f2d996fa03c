package dev.setrec.text;

import dev.setrec.util.Progress;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Wraps an encoder with an on-disk cache keyed by the SHA-256 of each text, so only texts never seen before are
 * encoded (in chunks, with a progress bar when there are more than {@value #PROGRESS_MIN}).
 *
 * <p>One append-only file per encoder id, {@code <dir>/<id>.vec}: a header (magic {@code SETRECTE}, format
 * version, dim, the encoder id), then records of SHA-256 (32 bytes), dim big-endian floats and a CRC32 of both.
 * It is read fully on open; new vectors are appended after each chunk, so a crash loses at most one chunk.
 *
 * <p>Damage: a torn last record (the file ends inside a record, as after a crash while appending) is cut off with
 * a warning. Anything else (a foreign header, another id or dim, a checksum mismatch) is an IOException naming
 * the file and asking for it to be deleted: such a file was not left by a crash of this class, and rebuilding
 * silently could hide what wrote it. Deleting it only costs re-encoding.
 *
 * <p>The file is locked while the encoder is open, so a second open of the same cache (any process) fails
 * instead of interleaving appends. {@link #encode} is synchronized. Closing closes the wrapped encoder.
 */
public final class CachedTextEncoder implements TextEncoder {
    static final int PROGRESS_MIN = 300;
    private static final int CHUNK = 256;
    private static final int FORMAT = 1;
    private static final byte[] MAGIC = "SETRECTE".getBytes(StandardCharsets.US_ASCII);
    private static final int HASH_BYTES = 32;

    /** Texts answered from vectors already cached, and distinct texts the wrapped encoder had to encode. */
    public record Stats(long hits, long encoded) {
        public Stats minus(Stats earlier) {
            return new Stats(hits - earlier.hits, encoded - earlier.encoded);
        }
    }

    private final TextEncoder inner;
    private final Path file;
    private final PrintStream log;
    private final int recordBytes;
    private final Map<String, float[]> vectors = new HashMap<>();
    private final MessageDigest sha256;
    private final FileChannel channel;
    private final FileLock lock;
    private long hits;
    private long encoded;

    /** A cache in {@link #defaultDir()}. */
    public CachedTextEncoder(TextEncoder inner, PrintStream log) throws IOException {
        this(inner, defaultDir(), log);
    }

    public CachedTextEncoder(TextEncoder inner, Path dir, PrintStream log) throws IOException {
        this.inner = inner;
        this.log = log;
        this.file = dir.resolve(inner.id().replaceAll("[^A-Za-z0-9._-]", "_") + ".vec");
        this.recordBytes = HASH_BYTES + 4 * inner.dim() + 4;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
        Files.createDirectories(dir);
        channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            lock = lockOrFail();
            load();
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** {@code -Dsetrec.cache.dir=...} when set, else {@code ~/.cache/setrec/text-embeddings}. */
    public static Path defaultDir() {
        String dir = System.getProperty("setrec.cache.dir");
        return dir != null ? Path.of(dir) : Path.of(System.getProperty("user.home"), ".cache", "setrec",
                "text-embeddings");
    }

    public Path file() {
        return file;
    }

    /** Number of distinct texts with a cached vector. */
    public synchronized int size() {
        return vectors.size();
    }

    public synchronized Stats stats() {
        return new Stats(hits, encoded);
    }

    @Override
    public String id() {
        return inner.id();
    }

    @Override
    public int dim() {
        return inner.dim();
    }

    @Override
    public synchronized float[][] encode(List<String> texts) {
        float[][] out = new float[texts.size()][];
        Map<String, List<Integer>> missing = new LinkedHashMap<>(); // key -> positions: duplicates encode once
        List<String> missingTexts = new ArrayList<>();
        for (int i = 0; i < out.length; i++) {
            String key = key(texts.get(i));
            float[] cached = vectors.get(key);
            if (cached != null) {
                out[i] = cached.clone();
                hits++;
            } else {
                List<Integer> positions = missing.get(key);
                if (positions == null) {
                    missing.put(key, positions = new ArrayList<>());
                    missingTexts.add(texts.get(i));
                }
                positions.add(i);
            }
        }
        if (!missing.isEmpty()) {
            List<String> keys = new ArrayList<>(missing.keySet());
            float[][] fresh = encodeAndAppend(keys, missingTexts);
            for (int k = 0; k < fresh.length; k++) {
                for (int i : missing.get(keys.get(k))) {
                    out[i] = fresh[k].clone();
                }
            }
        }
        return out;
    }

    private float[][] encodeAndAppend(List<String> keys, List<String> texts) {
        float[][] fresh = new float[texts.size()][];
        Progress progress = texts.size() > PROGRESS_MIN
                ? new Progress(log, "Encoding texts", texts.size(), "texts", System.console() != null)
                : null;
        for (int start = 0; start < texts.size(); start += CHUNK) {
            int end = Math.min(texts.size(), start + CHUNK);
            float[][] rows = inner.encode(texts.subList(start, end));
            append(keys.subList(start, end), rows);
            System.arraycopy(rows, 0, fresh, start, rows.length);
            encoded += rows.length;
            if (progress != null) {
                progress.advance(rows.length);
            }
        }
        if (progress != null) {
            progress.finish();
        }
        return fresh;
    }

    /** Writes the records, then remembers the vectors (so the map never holds what the file lacks). */
    private void append(List<String> keys, float[][] rows) {
        ByteBuffer buf = ByteBuffer.allocate(recordBytes * rows.length);
        CRC32 crc = new CRC32();
        for (int r = 0; r < rows.length; r++) {
            if (rows[r].length != inner.dim()) {
                throw new IllegalStateException(inner.id() + " returned " + rows[r].length + " floats, not " + dim());
            }
            int start = buf.position();
            buf.put(HexFormat.of().parseHex(keys.get(r)));
            buf.asFloatBuffer().put(rows[r]);
            buf.position(buf.position() + 4 * rows[r].length);
            crc.reset();
            crc.update(buf.array(), start, buf.position() - start);
            buf.putInt((int) crc.getValue());
        }
        buf.flip();
        try {
            write(buf, channel.size());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + file, e);
        }
        for (int r = 0; r < rows.length; r++) {
            vectors.put(keys.get(r), rows[r].clone());
        }
    }

    @Override
    public synchronized void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close " + file, e);
        } finally {
            inner.close();
        }
    }

    private FileLock lockOrFail() throws IOException {
        FileLock l;
        try {
            l = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            l = null;
        }
        if (l == null) {
            throw new IOException(file + " is in use by another open text-embedding cache");
        }
        return l;
    }

    private byte[] header() {
        byte[] id = inner.id().getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(MAGIC.length + 12 + id.length)
                .put(MAGIC).putInt(FORMAT).putInt(inner.dim()).putInt(id.length).put(id).array();
    }

    private void load() throws IOException {
        byte[] header = header();
        long size = channel.size();
        // Not closed: closing the stream would close the channel.
        DataInputStream data = new DataInputStream(new BufferedInputStream(Channels.newInputStream(channel.position(0)),
                1 << 16));
        byte[] head = new byte[(int) Math.min(size, header.length)];
        data.readFully(head);
        if (!Arrays.equals(head, 0, head.length, header, 0, head.length)) {
            boolean ours = head.length >= MAGIC.length && Arrays.equals(head, 0, MAGIC.length, MAGIC, 0, MAGIC.length);
            throw corrupt(ours ? "its header is for another encoder, dim or format (expected " + inner.id()
                    + ", dim " + inner.dim() + ", format " + FORMAT + ")" : "it is not a text-embedding cache");
        }
        if (size < header.length) { // new, or torn while the header was written
            channel.truncate(0);
            write(ByteBuffer.wrap(header), 0);
            return;
        }
        long records = (size - header.length) / recordBytes;
        long valid = header.length + records * recordBytes;
        byte[] rec = new byte[recordBytes];
        CRC32 crc = new CRC32();
        for (long r = 0; r < records; r++) {
            data.readFully(rec);
            crc.reset();
            crc.update(rec, 0, recordBytes - 4);
            if ((int) crc.getValue() != ByteBuffer.wrap(rec, recordBytes - 4, 4).getInt()) {
                throw corrupt("record " + r + " fails its checksum");
            }
            float[] v = new float[inner.dim()];
            ByteBuffer.wrap(rec, HASH_BYTES, 4 * v.length).asFloatBuffer().get(v);
            vectors.put(HexFormat.of().formatHex(rec, 0, HASH_BYTES), v);
        }
        if (valid < size) {
            log.printf("warning: %s ends with a partial record (%d bytes, from an interrupted run): dropped%n",
                    file, size - valid);
            channel.truncate(valid);
        }
    }

    private IOException corrupt(String why) {
        return new IOException(file + " is damaged: " + why + ". Delete it to rebuild the cache.");
    }

    private void write(ByteBuffer buf, long position) throws IOException {
        while (buf.hasRemaining()) {
            position += channel.write(buf, position);
        }
    }

    private String key(String text) {
        return HexFormat.of().formatHex(sha256.digest(text.getBytes(StandardCharsets.UTF_8)));
    }
}
