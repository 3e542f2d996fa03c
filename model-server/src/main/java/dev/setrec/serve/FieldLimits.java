package dev.setrec.serve;

import java.util.List;

import static dev.setrec.serve.ApiError.Status.BAD_REQUEST;

/**
 * The server's limits on the fields of a request, read into the API's records (whose JSON types are already
 * checked): every limit broken is a 400 naming the field by its path in the body (e.g.
 * {@code requests[2].history[0]}); string lengths are counted in UTF-8 bytes.
 */
final class FieldLimits {
    private FieldLimits() {
    }

    /** A required array of {@code min..max} entries. */
    static <T> List<T> entries(List<T> values, String where, int min, int max) throws ApiError {
        if (values == null) {
            throw new ApiError(BAD_REQUEST, where + " must be a JSON array");
        }
        if (values.size() < min || values.size() > max) {
            throw new ApiError(BAD_REQUEST, where + " must hold " + min + ".." + max + " entries, not "
                    + values.size());
        }
        return values;
    }

    /**
     * An identifier (item id, user) of at most {@code maxBytes} UTF-8 bytes, without control characters: ids end
     * up in logs, files and keys, where a NUL or a line break is trouble and never meant.
     */
    static String id(String value, String where, int maxBytes) throws ApiError {
        return withoutControls(string(value, where, maxBytes), where);
    }

    /** A required array of at most {@code maxEntries} ids (see {@link #id}). */
    static List<String> ids(List<String> values, String where, int maxEntries, int maxBytes) throws ApiError {
        strings(values, where, maxEntries, maxBytes);
        for (int i = 0; i < values.size(); i++) {
            withoutControls(values.get(i), where + "[" + i + "]");
        }
        return values;
    }

    private static String withoutControls(String value, String where) throws ApiError {
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                throw new ApiError(BAD_REQUEST, where + " holds a control character (U+"
                        + String.format("%04X", (int) value.charAt(i)) + ") at character " + i);
            }
        }
        return value;
    }

    /** A string of at most {@code maxBytes} UTF-8 bytes. */
    static String string(String value, String where, int maxBytes) throws ApiError {
        int bytes = utf8Length(value);
        if (bytes > maxBytes) {
            throw new ApiError(BAD_REQUEST, where + " is " + bytes + " bytes long, over the limit of " + maxBytes
                    + " bytes");
        }
        return value;
    }

    /** An optional text field (null: ""), stripped, of at most {@code maxBytes} UTF-8 bytes. */
    static String text(String value, String where, int maxBytes) throws ApiError {
        return value == null ? "" : string(value, where, maxBytes).strip();
    }

    /** An optional text field like {@link #text}, longer values cut to {@code maxBytes} at a character boundary. */
    static String cutText(String value, int maxBytes) {
        if (value == null) {
            return "";
        }
        String text = value.strip();
        int bytes = 0;
        for (int i = 0; i < text.length(); i = text.offsetByCodePoints(i, 1)) {
            bytes += utf8Length(text.codePointAt(i));
            if (bytes > maxBytes) {
                return text.substring(0, i);
            }
        }
        return text;
    }

    /** A required array of at most {@code maxEntries} strings of at most {@code maxBytes} UTF-8 bytes each. */
    static List<String> strings(List<String> values, String where, int maxEntries, int maxBytes) throws ApiError {
        if (values == null) {
            throw new ApiError(BAD_REQUEST, where + " must be an array of strings");
        }
        if (values.size() > maxEntries) {
            throw new ApiError(BAD_REQUEST, where + " holds " + values.size() + " entries, more than " + maxEntries);
        }
        for (int i = 0; i < values.size(); i++) {
            string(values.get(i), where + "[" + i + "]", maxBytes);
        }
        return values;
    }

    private static int utf8Length(String value) {
        int bytes = 0;
        for (int i = 0; i < value.length(); i = value.offsetByCodePoints(i, 1)) {
            bytes += utf8Length(value.codePointAt(i));
        }
        return bytes;
    }

    private static int utf8Length(int codePoint) {
        return codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
    }
}
