package dev.setrec.data;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Records of a user's CSV or TSV file (an event log, a catalogue), as spreadsheet and pandas writers produce them:
 * a field that starts with a double quote runs to the closing quote, may hold delimiters and line breaks, and writes
 * a quote as two; a quote inside an unquoted field is plain text. UTF-8, an optional byte order mark, LF or CRLF
 * endings; blank lines are skipped; a name ending in {@code .gz} is read through gzip.
 */
final class DelimitedRecords implements Closeable {
    /** A quoted field this long is taken for a quote that never closes rather than read on to the end. */
    static final int MAX_QUOTED_CHARS = 1 << 20;

    /** The two layouts; both quote alike. */
    enum Format {
        CSV(','), TSV('\t');

        final char delimiter;

        Format(char delimiter) {
            this.delimiter = delimiter;
        }

        /** csv or tsv, in any case. */
        static Format parse(String text) {
            for (Format f : values()) {
                if (f.name().equalsIgnoreCase(text)) {
                    return f;
                }
            }
            throw new IllegalArgumentException("unknown format '" + text + "' (expected csv or tsv)");
        }

        /** The format a file name says: .csv, or .tsv or .tab, each optionally followed by .gz. */
        static Optional<Format> ofFileName(String name) {
            String lower = name.toLowerCase(Locale.ROOT);
            lower = lower.endsWith(".gz") ? lower.substring(0, lower.length() - 3) : lower;
            if (lower.endsWith(".csv")) {
                return Optional.of(CSV);
            }
            return lower.endsWith(".tsv") || lower.endsWith(".tab") ? Optional.of(TSV) : Optional.empty();
        }
    }

    private final String file;
    private final Utf8Lines in;
    private final char delimiter;
    private final List<String> fields = new ArrayList<>();
    private final StringBuilder field = new StringBuilder();
    private long recordLine;
    private String problem;
    private int quoteEnd; // set by quoted(): the position after the closing quote in the line it returns

    private DelimitedRecords(String file, Utf8Lines in, char delimiter) {
        this.file = file;
        this.in = in;
        this.delimiter = delimiter;
    }

    static DelimitedRecords open(Path path, Format format) throws IOException {
        String name = path.getFileName().toString();
        InputStream raw = Files.newInputStream(path);
        InputStream bytes = raw;
        if (name.toLowerCase(Locale.ROOT).endsWith(".gz")) {
            try {
                bytes = new GZIPInputStream(raw, 1 << 16);
            } catch (ZipException e) {
                raw.close();
                throw new DataFormatException(name + ": not gzip data, as its name says (" + e.getMessage() + ")");
            }
        }
        return new DelimitedRecords(name, new Utf8Lines(name, bytes), format.delimiter);
    }

    String file() {
        return file;
    }

    /** The line the current record starts on (1-based, the header is line 1). */
    long line() {
        return recordLine;
    }

    /** Lines read so far, for progress reports. */
    long linesRead() {
        return in.lineNo();
    }

    List<String> fields() {
        return fields;
    }

    /** Why the current record's quoting is malformed, or null when it is not. */
    String problem() {
        return problem;
    }

    DataFormatException error(String reason) {
        return DataFormatException.at(file, recordLine, reason);
    }

    /** Reads the next non-blank record; false at the end of the file. */
    boolean next() throws IOException {
        String line;
        do {
            line = in.next();
            if (line == null) {
                return false;
            }
        } while (line.isBlank());
        recordLine = in.lineNo();
        fields.clear();
        problem = null;
        parse(line);
        return true;
    }

    private void parse(String first) throws IOException {
        String line = first;
        int pos = 0;
        field.setLength(0);
        while (true) {
            if (pos < line.length() && line.charAt(pos) == '"') {
                line = quoted(line, pos + 1);
                pos = quoteEnd;
                if (pos < line.length() && line.charAt(pos) != delimiter && problem == null) {
                    problem = "text after the closing quote of field " + (fields.size() + 1)
                            + " (a quote inside a quoted field is written as two)";
                }
            }
            int end = line.indexOf(delimiter, pos);
            field.append(line, pos, end < 0 ? line.length() : end);
            fields.add(field.toString());
            field.setLength(0);
            if (end < 0) {
                return;
            }
            pos = end + 1;
        }
    }

    /** Appends a quoted field's text to {@code field}, reading on over line breaks; returns the closing line. */
    private String quoted(String start, int from) throws IOException {
        String line = start;
        int pos = from;
        while (true) {
            int quote = line.indexOf('"', pos);
            if (quote < 0) {
                field.append(line, pos, line.length()).append('\n');
                if (field.length() > MAX_QUOTED_CHARS) {
                    throw error("the quoted field " + (fields.size() + 1) + " opened on this line runs over "
                            + MAX_QUOTED_CHARS + " characters (a quote that never closes?)");
                }
                line = in.next();
                if (line == null) {
                    throw error("the quoted field " + (fields.size() + 1) + " opened on this line never closes");
                }
                pos = 0;
            } else if (quote + 1 < line.length() && line.charAt(quote + 1) == '"') {
                field.append(line, pos, quote + 1);
                pos = quote + 2;
            } else {
                field.append(line, pos, quote);
                quoteEnd = quote + 1;
                return line;
            }
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
