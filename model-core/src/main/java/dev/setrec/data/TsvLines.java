package dev.setrec.data;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Line-by-line reader for the data dir's tab-separated files, shared by every file of the format: it strips a
 * UTF-8 byte order mark and CRLF endings, ignores trailing blank lines, splits on tabs without regex or per-line
 * objects beyond the line itself, and turns every problem into a {@code file:line: reason} error.
 */
final class TsvLines implements Closeable {
    private final String file;
    private final Utf8Lines in;
    private String line;
    private long pendingBlankLine; // first blank line seen; an error only when a non-blank line follows it
    private int[] ends = new int[8]; // ends[i] = index of the tab (or line end) closing field i
    private int fieldCount;

    private TsvLines(Path path) throws IOException {
        this.file = path.getFileName().toString();
        this.in = new Utf8Lines(file, Files.newInputStream(path)); // read-only
    }

    static TsvLines open(Path path) throws IOException {
        return new TsvLines(path);
    }

    String file() {
        return file;
    }

    DataFormatException error(String reason) {
        return DataFormatException.at(file, in.lineNo(), reason);
    }

    /**
     * Reads the header line and returns the index of the accepted header it equals (headers given with real
     * tabs; messages show them with {@code <TAB>}).
     */
    int header(List<String> accepted) throws IOException {
        if (!next()) {
            throw new DataFormatException(file + ": file is empty (expected header " + describe(accepted) + ")");
        }
        int match = accepted.indexOf(line);
        if (match < 0) {
            throw error("expected header " + describe(accepted) + " but found '" + line + "'");
        }
        return match;
    }

    private static String describe(List<String> headers) {
        StringBuilder sb = new StringBuilder();
        for (String h : headers) {
            sb.append(sb.length() == 0 ? "" : " or ").append('\'').append(h.replace("\t", "<TAB>")).append('\'');
        }
        return sb.toString();
    }

    /** Advances to the next non-blank line; false at the end of the file. */
    boolean next() throws IOException {
        String raw;
        while ((raw = in.next()) != null) {
            if (raw.isBlank()) {
                pendingBlankLine = pendingBlankLine == 0 ? in.lineNo() : pendingBlankLine;
                continue;
            }
            if (pendingBlankLine != 0) {
                throw DataFormatException.at(file, pendingBlankLine,
                        "blank line inside the file (only trailing blank lines are allowed)");
            }
            line = raw;
            split();
            return true;
        }
        return false;
    }

    private void split() {
        fieldCount = 0;
        int from = 0;
        while (true) {
            int tab = line.indexOf('\t', from);
            int end = tab < 0 ? line.length() : tab;
            if (fieldCount == ends.length) {
                ends = Arrays.copyOf(ends, ends.length * 2);
            }
            ends[fieldCount++] = end;
            if (tab < 0) {
                return;
            }
            from = tab + 1;
        }
    }

    int fieldCount() {
        return fieldCount;
    }

    void expectFields(int expected, String layout) {
        if (fieldCount != expected) {
            throw error("expected " + expected + " tab-separated fields (" + layout + ") but found " + fieldCount);
        }
    }

    private int start(int field) {
        return field == 0 ? 0 : ends[field - 1] + 1;
    }

    String field(int field) {
        return line.substring(start(field), ends[field]);
    }

    /** Parses a dense 0-based id; the digits are read in place since ids make up most of the data. */
    int id(int field, String name) {
        int from = start(field);
        int to = ends[field];
        if (from == to) {
            throw error(name + " is empty");
        }
        long value = 0;
        for (int i = from; i < to; i++) {
            char c = line.charAt(i);
            if (c < '0' || c > '9') {
                String text = line.substring(from, to);
                throw error(isNegativeInteger(text)
                        ? name + " " + text + " is negative (ids are 0-based)"
                        : name + " '" + text + "' is not an integer");
            }
            value = Math.min(value * 10 + (c - '0'), DatasetReader.ID_LIMIT);
        }
        if (value >= DatasetReader.ID_LIMIT) {
            throw error(name + " " + line.substring(from, to)
                    + " is too large (ids must be dense 0-based integers below "
                    + DatasetReader.ID_LIMIT + ")");
        }
        return (int) value;
    }

    private static boolean isNegativeInteger(String text) {
        return text.length() > 1 && text.charAt(0) == '-' && text.substring(1).chars().allMatch(Character::isDigit);
    }

    /** Parses a finite float; NaN and infinities would poison any model fed with them. */
    float finiteFloat(int field, String name) {
        String text = field(field);
        float value;
        try {
            value = Float.parseFloat(text);
        } catch (NumberFormatException e) {
            throw error(name + " '" + text + "' is not a number");
        }
        if (!Float.isFinite(value)) {
            throw error(name + " '" + text + "' is not finite");
        }
        return value;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
