package dev.setrec.api;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import com.google.gson.annotations.JsonAdapter;

import java.lang.reflect.Field;
import java.lang.reflect.RecordComponent;

/**
 * The API's JSON, for the server and its clients alike: the records of this package are the bodies of
 * openapi.yaml, their components its fields (named in snake case: {@code modelVersion} is {@code model_version}).
 * A reference field that is null is left out, except a {@link Nullable} one, which is sent as null.
 */
public final class ApiJson {
    private static final FieldNamingPolicy NAMING = FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES;
    private static final Gson GSON = new GsonBuilder().setFieldNamingPolicy(NAMING).disableHtmlEscaping().create();

    private ApiJson() {
    }

    /** The body as JSON text. */
    public static String write(Record body) {
        return GSON.toJson(body);
    }

    /**
     * An answer of the server, read as a client reads it: fields it does not know are skipped (the server may add
     * some), absent ones are null (0, false).
     *
     * @throws JsonParseException where it is not JSON of that shape
     */
    public static <T extends Record> T read(String json, Class<T> type) {
        T body = GSON.fromJson(json, type);
        if (body == null) {
            throw new JsonParseException("an empty answer, where a " + type.getSimpleName() + " was expected");
        }
        return body;
    }

    /**
     * A request body, read as the server reads it: strict JSON (see {@link StrictJson}), no field the type does
     * not define, every field present of its type (null only where {@link Nullable}), every string valid Unicode.
     * Absent fields are null; what is required, and the limits, the server checks on the record.
     */
    public static <T extends Record> T readStrict(byte[] body, Class<T> type) throws InvalidJson {
        return GSON.fromJson(StrictRecords.check(StrictJson.parseObject(body), type), type);
    }

    /** The field's name in the JSON. */
    public static String name(RecordComponent component) {
        return NAMING.translateName(field(component));
    }

    /** Whether null is a value of the field (sent as null, accepted as such) rather than its absence. */
    public static boolean nullable(RecordComponent component) {
        // @JsonAdapter applies to fields, not record components: the component's field carries it
        JsonAdapter adapter = field(component).getAnnotation(JsonAdapter.class);
        return adapter != null && adapter.value() == Nullable.class;
    }

    /** Whether every body of the record's type holds the field. */
    public static boolean required(RecordComponent component) {
        return component.getType().isPrimitive() || component.isAnnotationPresent(Required.class);
    }

    private static Field field(RecordComponent component) {
        try {
            return component.getDeclaringRecord().getDeclaredField(component.getName());
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException("a record without the field of its component " + component, e);
        }
    }
}
