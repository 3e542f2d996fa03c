package dev.setrec.api;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Checks a parsed request body against the record it is read into, before it is: every field one of the record's,
 * of the field's JSON type. A broken rule names the field by its path in the body (e.g. {@code requests[2].user}).
 */
final class StrictRecords {
    private StrictRecords() {
    }

    static JsonObject check(JsonObject body, Class<? extends Record> type) throws InvalidJson {
        checkRecord(body, type, "");
        return body;
    }

    /** Refuses a field the API does not define: a misspelt optional field would otherwise be ignored silently. */
    private static void checkRecord(JsonObject object, Class<?> type, String where) throws InvalidJson {
        Map<String, RecordComponent> fields = new TreeMap<>();
        for (RecordComponent component : type.getRecordComponents()) {
            fields.put(ApiJson.name(component), component);
        }
        for (Map.Entry<String, JsonElement> field : object.entrySet()) {
            RecordComponent component = fields.get(field.getKey());
            String path = where.isEmpty() ? field.getKey() : where + "." + field.getKey();
            if (component == null) {
                throw new InvalidJson("unknown field " + path + (fields.isEmpty() ? " (this body takes no fields)"
                        : " (known: " + String.join(", ", fields.keySet()) + ")"));
            }
            if (!field.getValue().isJsonNull() || !ApiJson.nullable(component)) {
                checkValue(field.getValue(), component.getGenericType(), path);
            }
        }
    }

    private static void checkValue(JsonElement value, Type type, String where) throws InvalidJson {
        Class<?> raw = type instanceof ParameterizedType generic ? (Class<?>) generic.getRawType() : (Class<?>) type;
        if (raw == String.class) {
            checkString(value, where);
        } else if (raw == Integer.class || raw == int.class) {
            checkInteger(value, where);
        } else if (raw == Boolean.class || raw == boolean.class) {
            if (!value.isJsonPrimitive() || !value.getAsJsonPrimitive().isBoolean()) {
                throw new InvalidJson(where + " must be true or false");
            }
        } else if (raw == List.class) {
            Type element = ((ParameterizedType) type).getActualTypeArguments()[0];
            if (!value.isJsonArray()) {
                throw new InvalidJson(where + (element == String.class ? " must be an array of strings"
                        : " must be a JSON array"));
            }
            JsonArray array = value.getAsJsonArray();
            for (int i = 0; i < array.size(); i++) {
                checkValue(array.get(i), element, where + "[" + i + "]");
            }
        } else if (raw.isRecord()) {
            if (!value.isJsonObject()) {
                throw new InvalidJson(where + " must be a JSON object");
            }
            checkRecord(value.getAsJsonObject(), raw, where);
        } else {
            throw new IllegalArgumentException("no JSON rule for a request field of type " + type);
        }
    }

    /**
     * A string that is valid Unicode: a lone surrogate (possible through a JSON \\u escape) has no UTF-8 form, and
     * two ids that differ only in one would be stored under the same key.
     */
    private static void checkString(JsonElement element, String where) throws InvalidJson {
        if (!element.isJsonPrimitive() || !element.getAsJsonPrimitive().isString()) {
            throw new InvalidJson(where + " must be a string");
        }
        String value = element.getAsString();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean pair = Character.isHighSurrogate(c) && i + 1 < value.length()
                    && Character.isLowSurrogate(value.charAt(i + 1));
            if (pair) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new InvalidJson(where + " is not valid Unicode: a lone surrogate at character " + i);
            }
        }
    }

    private static void checkInteger(JsonElement element, String where) throws InvalidJson {
        if (!element.isJsonPrimitive() || !element.getAsJsonPrimitive().isNumber()) {
            throw new InvalidJson(where + " must be an integer, not " + element);
        }
        double value = element.getAsDouble();
        if (value != Math.rint(value) || Math.abs(value) > Integer.MAX_VALUE) {
            throw new InvalidJson(where + " must be an integer, not " + element);
        }
    }
}
