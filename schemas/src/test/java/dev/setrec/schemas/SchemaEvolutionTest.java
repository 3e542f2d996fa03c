package dev.setrec.schemas;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Producers and consumers on different versions of a record, as they are while an upgrade rolls out. */
class SchemaEvolutionTest {
    private static final Instant T0 = Instant.ofEpochMilli(1_764_000_000_123L);
    private static final InteractionEvent EXPECTED_CLICK = InteractionEvent.newBuilder().setUserId("u-42")
            .setItemId("i-7").setEventType(EventType.CLICK).setEventTime(T0).build();

    /** InteractionEvent as a later release would declare it: today's fields plus one with a default. */
    static Schema interactionWithSessionId() {
        Schema current = InteractionEvent.getClassSchema();
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field field : current.getFields()) {
            fields.add(new Schema.Field(field, field.schema()));
        }
        Schema optionalString = Schema.createUnion(Schema.create(Schema.Type.NULL), Schema.create(Schema.Type.STRING));
        fields.add(new Schema.Field("sessionId", optionalString, "added in a later version",
                Schema.Field.NULL_DEFAULT_VALUE));
        return Schema.createRecord(current.getName(), current.getDoc(), current.getNamespace(), false, fields);
    }

    private static byte[] newerProducerMessage(Schema newer, String eventType) throws Exception {
        GenericRecord record = new GenericData.Record(newer);
        record.put("userId", "u-42");
        record.put("itemId", "i-7");
        record.put("eventType", new GenericData.EnumSymbol(newer.getField("eventType").schema(), eventType));
        record.put("eventTime", T0.toEpochMilli()); // GenericData has no logical-type conversions: the raw long
        record.put("sessionId", "s-1");
        return encode(record);
    }

    private static byte[] encode(GenericRecord record) throws Exception {
        ByteBuffer buffer = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), record.getSchema())
                .encode(record);
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    @Test
    void todaysReaderGivenTheNewerSchemaAtRunTimeReadsANewerProducerIgnoringTheAddedField() throws Exception {
        Schema newer = interactionWithSessionId();
        AvroCodec<InteractionEvent> reader = AvroCodec.of(InteractionEvent.class, List.of(newer.toString()));

        assertEquals(EXPECTED_CLICK, reader.decode(newerProducerMessage(newer, "CLICK")));
    }

    @Test
    void todaysReaderGivenADirectoryOfExtraSchemasTakesThoseOfItsRecord(@TempDir Path dir) throws Exception {
        Schema newer = interactionWithSessionId();
        Files.writeString(dir.resolve("InteractionEvent-v2.avsc"), newer.toString(true));
        Files.writeString(dir.resolve("ItemEvent-v1.avsc"), ItemEvent.getClassSchema().toString(true));
        Files.writeString(dir.resolve("README.txt"), "not a schema, not an .avsc file: ignored");

        AvroCodec<InteractionEvent> reader = AvroCodec.of(InteractionEvent.class, dir);

        assertEquals(EXPECTED_CLICK, reader.decode(newerProducerMessage(newer, "CLICK")));
        assertEquals(itemEvent(), AvroCodec.of(ItemEvent.class, dir)
                .decode(AvroCodec.of(ItemEvent.class).encode(itemEvent())));
    }

    /** The codec carries the extra schemas' text to the task managers: the directory is needed only where it starts. */
    @Test
    @SuppressWarnings("unchecked")
    void extraSchemasTravelWithTheSerializedCodec(@TempDir Path dir) throws Exception {
        Schema newer = interactionWithSessionId();
        Path file = Files.writeString(dir.resolve("InteractionEvent-v2.avsc"), newer.toString());
        AvroCodec<InteractionEvent> codec = AvroCodec.of(InteractionEvent.class, dir);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ObjectOutputStream objects = new ObjectOutputStream(out)) {
            objects.writeObject(codec);
        }
        Files.delete(file);

        AvroCodec<InteractionEvent> copy;
        try (ObjectInputStream objects = new ObjectInputStream(new ByteArrayInputStream(out.toByteArray()))) {
            copy = (AvroCodec<InteractionEvent>) objects.readObject();
        }
        assertEquals(EXPECTED_CLICK, copy.decode(newerProducerMessage(newer, "CLICK")));
    }

    @Test
    void aNewerVersionNobodyToldTheReaderAboutIsRefusedNamingItsFingerprintAndTheKnownVersions() throws Exception {
        Schema newer = interactionWithSessionId();

        BadRecordException refused = assertThrows(BadRecordException.class,
                () -> AvroCodec.of(InteractionEvent.class).decode(newerProducerMessage(newer, "VIEW")));

        assertEquals("unknown writer schema for InteractionEvent: fingerprint " + SchemaFingerprint.hex(newer)
                + " (CRC-64-AVRO) is none of the known versions v1 "
                + SchemaFingerprint.hex(InteractionEvent.getClassSchema()) + " (current)", refused.getMessage());
    }

    @Test
    void theKnownVersionsOfARefusalNameTheExtraSchemasToo(@TempDir Path dir) throws Exception {
        Schema newer = interactionWithSessionId();
        Files.writeString(dir.resolve("InteractionEvent-v2.avsc"), newer.toString());
        byte[] item = AvroCodec.of(ItemEvent.class).encode(itemEvent());

        BadRecordException refused = assertThrows(BadRecordException.class,
                () -> AvroCodec.of(InteractionEvent.class, dir).decode(item));

        assertTrue(refused.getMessage()
                .endsWith("known versions v1 " + SchemaFingerprint.hex(InteractionEvent.getClassSchema())
                + " (current), InteractionEvent-v2.avsc " + SchemaFingerprint.hex(newer)), refused.getMessage());
    }

    /** DeadLetter v1 from the released history, as a producer still on it writes: read with v2's new fields unknown. */
    @Test
    void anOlderReleasedWriterIsReadByTodaysReaderWithTheNewFieldsAtTheirDefaults() throws Exception {
        Schema v1 = SchemaHistory.released("DeadLetter").get(0);
        GenericRecord old = new GenericData.Record(v1);
        old.put("reason", "malformed InteractionEvent body");
        old.put("sourceTopic", "interactions");
        old.put("sourcePartition", 1);
        old.put("sourceOffset", 42L);
        old.put("key", ByteBuffer.wrap(new byte[] {'u'}));
        old.put("value", ByteBuffer.wrap(new byte[] {1, 2, 3}));
        old.put("failedTime", T0.toEpochMilli());

        DeadLetter read = AvroCodec.of(DeadLetter.class).decode(encode(old));

        assertEquals("malformed InteractionEvent body", read.getReason());
        assertEquals(42L, read.getSourceOffset());
        assertArrayEquals(new byte[] {1, 2, 3}, read.getValue().array());
        assertEquals(T0, read.getFailedTime());
        assertEquals(-1, read.getValueBytes());
        assertNull(read.getValueSha256());
        assertEquals(-1, read.getKeyBytes());
    }

    @Test
    void anUnknownEnumSymbolFromANewerWriterReadsAsOther() throws Exception {
        Schema current = InteractionEvent.getClassSchema();
        Schema currentEnum = EventType.getClassSchema();
        List<String> symbols = new ArrayList<>(currentEnum.getEnumSymbols());
        symbols.add("SHARE");
        Schema enumWithShare = Schema.createEnum(currentEnum.getName(), currentEnum.getDoc(),
                currentEnum.getNamespace(),
                symbols, currentEnum.getEnumDefault());
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field field : current.getFields()) {
            fields.add(new Schema.Field(field, field.name().equals("eventType") ? enumWithShare : field.schema()));
        }
        Schema writer = Schema.createRecord(current.getName(), current.getDoc(), current.getNamespace(), false, fields);
        GenericRecord record = new GenericData.Record(writer);
        record.put("userId", "u-42");
        record.put("itemId", "i-7");
        record.put("eventType", new GenericData.EnumSymbol(enumWithShare, "SHARE"));
        record.put("eventTime", T0.toEpochMilli());

        InteractionEvent read = AvroCodec.of(InteractionEvent.class, List.of(writer.toString())).decode(encode(record));

        assertEquals(EventType.OTHER, read.getEventType());
        assertEquals("u-42", read.getUserId());
    }

    private static ItemEvent itemEvent() {
        return ItemEvent.newBuilder().setItemId("i-9").setTitle("Wooden train").setCategories(List.of("Toys"))
                .setEventTime(T0).build();
    }
}
