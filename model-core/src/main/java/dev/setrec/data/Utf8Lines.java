package dev.setrec.data;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;

/**
 * The lines of a UTF-8 file with their numbers, for the readers of the data dir and of users' logs: a byte order
 * mark and CRLF endings dropped, bytes that are not UTF-8 a {@link DataFormatException} naming the file.
 */
final class Utf8Lines implements Closeable {
    private final String file;
    private final BufferedReader in;
    private long lineNo;

    Utf8Lines(String file, InputStream bytes) {
        this.file = file;
        // newDecoder() reports malformed input instead of replacing it
        this.in = new BufferedReader(new InputStreamReader(bytes, StandardCharsets.UTF_8.newDecoder()), 1 << 16);
    }

    /** The next line, or null at the end of the file. */
    String next() throws IOException {
        String raw;
        try {
            raw = in.readLine();
        } catch (CharacterCodingException e) {
            // the reader decodes ahead, so the bad bytes may lie a few lines further on
            throw new DataFormatException(file + ": not valid UTF-8 (at or after line " + (lineNo + 1) + ")");
        }
        if (raw == null) {
            return null;
        }
        lineNo++;
        if (lineNo == 1 && raw.startsWith("\uFEFF")) {
            raw = raw.substring(1);
        }
        return raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
    }

    /** The number of the line {@link #next} returned last (1-based). */
    long lineNo() {
        return lineNo;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
