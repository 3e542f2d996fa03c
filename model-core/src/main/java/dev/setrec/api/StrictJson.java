package dev.setrec.api;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;

import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Request bodies as strict JSON (RFC 8259): UTF-8, one object, double-quoted names and strings, no comments, no
 * trailing data, no NaN, and no name twice in one object (which of two values a lenient parser keeps is up to it,
 * and a check and its use must not read different ones). Anything else is an {@link InvalidJson} with the reason.
 */
final class StrictJson {
    /** Longer number literals are refused: every number of the API is a small integer, and parsing is not free. */
    private static final int MAX_NUMBER_CHARS = 32;

    private StrictJson() {
    }

    static JsonObject parseObject(byte[] body) throws InvalidJson {
        String text = utf8(body);
        if (text.isBlank()) {
            throw new InvalidJson("the request body is empty: a JSON object is expected");
        }
        try (JsonReader reader = new JsonReader(new StringReader(text))) {
            reader.setStrictness(Strictness.STRICT);
            if (reader.peek() != JsonToken.BEGIN_OBJECT) {
                throw new InvalidJson("the request body must be a JSON object");
            }
            JsonObject object = read(reader).getAsJsonObject();
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new InvalidJson("the request body is not valid JSON: data after the object at "
                        + reader.getPath());
            }
            return object;
        } catch (IOException | IllegalStateException | NumberFormatException e) {
            throw new InvalidJson("the request body is not valid JSON: " + reason(e));
        }
    }

    private static JsonElement read(JsonReader reader) throws IOException, InvalidJson {
        switch (reader.peek()) {
            case BEGIN_OBJECT -> {
                JsonObject object = new JsonObject();
                reader.beginObject();
                while (reader.hasNext()) {
                    String name = reader.nextName();
                    if (object.has(name)) {
                        throw new InvalidJson("the request body is not valid JSON: duplicate name \"" + name
                                + "\" at " + reader.getPath());
                    }
                    object.add(name, read(reader));
                }
                reader.endObject();
                return object;
            }
            case BEGIN_ARRAY -> {
                JsonArray array = new JsonArray();
                reader.beginArray();
                while (reader.hasNext()) {
                    array.add(read(reader));
                }
                reader.endArray();
                return array;
            }
            case STRING -> {
                return new JsonPrimitive(reader.nextString());
            }
            case NUMBER -> {
                String literal = reader.nextString();
                if (literal.length() > MAX_NUMBER_CHARS) {
                    throw new InvalidJson("the number at " + reader.getPath() + " has more than "
                            + MAX_NUMBER_CHARS + " characters");
                }
                return new JsonPrimitive(new BigDecimal(literal));
            }
            case BOOLEAN -> {
                return new JsonPrimitive(reader.nextBoolean());
            }
            case NULL -> {
                reader.nextNull();
                return JsonNull.INSTANCE;
            }
            default -> throw new IllegalStateException("unexpected " + reader.peek() + " at " + reader.getPath());
        }
    }

    /** The body as text; bytes that are not UTF-8 are refused with their offset (never replaced silently). */
    private static String utf8(byte[] body) throws InvalidJson {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(body);
        CharBuffer out = CharBuffer.allocate(body.length);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            throw new InvalidJson("the request body is not UTF-8: invalid byte sequence at offset " + in.position());
        }
        return out.flip().toString();
    }

    /** Gson's message without its advice to parse leniently (the API never does) and without its link. */
    private static String reason(Exception e) {
        String message = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
        return message.replace("Use JsonReader.setStrictness(Strictness.LENIENT) to accept malformed JSON",
                "malformed JSON (strict: double-quoted names and strings, no comments, one value)");
    }
}
