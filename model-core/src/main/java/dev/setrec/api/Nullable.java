package dev.setrec.api;

import com.google.gson.Gson;
import com.google.gson.TypeAdapter;
import com.google.gson.TypeAdapterFactory;
import com.google.gson.reflect.TypeToken;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonWriter;

import java.io.IOException;

/**
 * For {@code @JsonAdapter(value = Nullable.class, nullSafe = false)} on a field that openapi.yaml marks
 * {@code nullable}: null is one of its values, sent as {@code null} and accepted as such, where the null of any
 * other field means "absent" (left out when written, refused when read strictly).
 */
public final class Nullable implements TypeAdapterFactory {
    @Override
    public <T> TypeAdapter<T> create(Gson gson, TypeToken<T> type) {
        TypeAdapter<T> plain = gson.getAdapter(type);
        return new TypeAdapter<>() {
            @Override
            public void write(JsonWriter out, T value) throws IOException {
                if (value != null) {
                    plain.write(out, value);
                    return;
                }
                boolean serializeNulls = out.getSerializeNulls();
                out.setSerializeNulls(true);
                out.nullValue();
                out.setSerializeNulls(serializeNulls);
            }

            @Override
            public T read(JsonReader in) throws IOException {
                return plain.nullSafe().read(in);
            }
        };
    }
}
