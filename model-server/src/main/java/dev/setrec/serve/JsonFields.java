package dev.setrec.serve;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reading the fields of a parsed request: every rule broken is a 400 naming the field by its path in the body
 * (e.g. {@code requests[2].history[0]}); string lengths are counted in UTF-8 bytes.
 */
final class JsonFields {
    private JsonFields() {
    }

    /** The path of {@code field} inside {@code where} ("" for the body itself). */
    static String name(String where, String field) {
        return where.isEmpty() ? field : where + "." + field;
    }

    /** Refuses a field the API does not define: a misspelt optional field would otherwise be ignored silently. */
    static void requireOnly(JsonObject object, String where, Set<String> allowed) throws ApiError {
        for (String field : object.keySet()) {
            if (!allowed.contains(field)) {
                throw new ApiError(400, "unknown field " + name(where, field) + (allowed.isEmpty()
                        ? " (this body takes no fields)" : " (known: " + String.join(", ", new TreeSet<>(allowed)) + ")"));
            }
        }
    }

    static JsonObject object(JsonElement element, String where) throws ApiError {
        if (element == null || !element.isJsonObject()) {
            throw new ApiError(400, where + " must be a JSON object");
        }
        return element.getAsJsonObject();
    }

    /** A required array of at most {@code max} entries. */
    static JsonArray array(JsonObject object, String where, String field, int min, int max) throws ApiError {
        JsonElement element = object.get(field);
        if (element == null || !element.isJsonArray()) {
            throw new ApiError(400, name(where, field) + " must be a JSON array");
        }
        JsonArray array = element.getAsJsonArray();
        if (array.size() < min || array.size() > max) {
            throw new ApiError(400, name(where, field) + " must hold " + min + ".." + max + " entries, not "
                    + array.size());
        }
        return array;
    }

    /**
     * An identifier (item id, user) of at most {@code maxBytes} UTF-8 bytes, without control characters: ids end
     * up in logs, files and keys, where a NUL or a line break is trouble and never meant.
     */
    static String id(JsonElement element, String where, int maxBytes) throws ApiError {
        return withoutControls(string(element, where, maxBytes), where);
    }

    /** An array of at most {@code maxEntries} ids (see {@link #id}). */
    static List<String> ids(JsonObject object, String where, String field, int maxEntries, int maxBytes)
            throws ApiError {
        List<String> values = strings(object, where, field, maxEntries, maxBytes);
        for (int i = 0; i < values.size(); i++) {
            withoutControls(values.get(i), name(where, field) + "[" + i + "]");
        }
        return values;
    }

    private static String withoutControls(String value, String where) throws ApiError {
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                throw new ApiError(400, where + " holds a control character (U+"
                        + String.format("%04X", (int) value.charAt(i)) + ") at character " + i);
            }
        }
        return value;
    }

    /** A string of at most {@code maxBytes} UTF-8 bytes. */
    static String string(JsonElement element, String where, int maxBytes) throws ApiError {
        String value = string(element, where);
        int bytes = utf8Length(value);
        if (bytes > maxBytes) {
            throw new ApiError(400, where + " is " + bytes + " bytes long, over the limit of " + maxBytes + " bytes");
        }
        return value;
    }

    /** An optional text field (absent or null: ""), stripped, of at most {@code maxBytes} UTF-8 bytes. */
    static String text(JsonObject object, String where, String field, int maxBytes) throws ApiError {
        JsonElement element = object.get(field);
        return element == null || element.isJsonNull() ? "" : string(element, name(where, field), maxBytes).strip();
    }

    /** An optional text field like {@link #text}, longer values cut to {@code maxBytes} at a character boundary. */
    static String cutText(JsonObject object, String where, String field, int maxBytes) throws ApiError {
        JsonElement element = object.get(field);
        if (element == null || element.isJsonNull()) {
            return "";
        }
        String value = string(element, name(where, field)).strip();
        int bytes = 0;
        for (int i = 0; i < value.length(); i = value.offsetByCodePoints(i, 1)) {
            bytes += utf8Length(value.codePointAt(i));
            if (bytes > maxBytes) {
                return value.substring(0, i);
            }
        }
        return value;
    }

    /** An array of at most {@code maxEntries} strings of at most {@code maxBytes} UTF-8 bytes each. */
    static List<String> strings(JsonObject object, String where, String field, int maxEntries, int maxBytes)
            throws ApiError {
        String name = name(where, field);
        JsonElement element = object.get(field);
        if (element == null || !element.isJsonArray()) {
            throw new ApiError(400, name + " must be an array of strings");
        }
        JsonArray array = element.getAsJsonArray();
        if (array.size() > maxEntries) {
            throw new ApiError(400, name + " holds " + array.size() + " entries, more than " + maxEntries);
        }
        List<String> out = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            out.add(string(array.get(i), name + "[" + i + "]", maxBytes));
        }
        return out;
    }

    /** An optional integer field; {@code fallback} where absent. */
    static int optionalInt(JsonObject object, String field, int fallback) throws ApiError {
        JsonElement element = object.get(field);
        if (element == null) {
            return fallback;
        }
        if (!element.isJsonPrimitive() || !element.getAsJsonPrimitive().isNumber()) {
            throw new ApiError(400, field + " must be an integer, not " + element);
        }
        double value = element.getAsDouble();
        if (value != Math.rint(value) || Math.abs(value) > Integer.MAX_VALUE) {
            throw new ApiError(400, field + " must be an integer, not " + element);
        }
        return (int) value;
    }

    /** An optional boolean field; {@code fallback} where absent. */
    static boolean optionalBool(JsonObject object, String field, boolean fallback) throws ApiError {
        JsonElement element = object.get(field);
        if (element == null) {
            return fallback;
        }
        if (!element.isJsonPrimitive() || !element.getAsJsonPrimitive().isBoolean()) {
            throw new ApiError(400, field + " must be true or false");
        }
        return element.getAsBoolean();
    }

    /**
     * A string that is valid Unicode: a lone surrogate (possible through a JSON \\u escape) has no UTF-8 form, and
     * two ids that differ only in one would be stored under the same key.
     */
    private static String string(JsonElement element, String where) throws ApiError {
        if (element == null || !element.isJsonPrimitive() || !element.getAsJsonPrimitive().isString()) {
            throw new ApiError(400, where + " must be a string");
        }
        String value = element.getAsString();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new ApiError(400, where + " is not valid Unicode: a lone surrogate at character " + i);
            }
        }
        return value;
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
