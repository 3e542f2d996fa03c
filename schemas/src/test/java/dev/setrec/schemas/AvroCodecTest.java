package dev.setrec.schemas;

import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class AvroCodecTest {
    private static final Instant T0 = Instant.ofEpochMilli(1_764_000_000_123L);
    private static final AvroCodec<InteractionEvent> INTERACTIONS = AvroCodec.of(InteractionEvent.class);

    private static InteractionEvent interaction(EventType type) {
        return InteractionEvent.newBuilder().setUserId("u-42").setItemId("i-ü-7").setEventType(type)
                .setEventTime(T0).build();
    }

    private static Recommendation recommendation() {
        return Recommendation.newBuilder().setUserId("u-42")
                .setItems(List.of(new ScoredItem("i-1", 0.93f), new ScoredItem("i-2", -1.5f), new ScoredItem("i-3", 0f)))
                .setModelVersion("sha256:abc").setFallback(true).setTriggerEventTime(T0)
                .setTriggerRecordTime(T0.plusMillis(5)).setProducedTime(T0.plusMillis(17)).build();
    }

    private static ItemEvent itemEvent() {
        return ItemEvent.newBuilder().setItemId("i-9").setTitle("Wooden train").setCategories(List.of("Toys", "Trains"))
                .setBrand("Brio").setDescription("").setEventTime(T0).build();
    }

    private static DeadLetter deadLetter(byte[] key, byte[] value) {
        return DeadLetter.newBuilder().setReason("malformed InteractionEvent body").setSourceTopic("interactions")
                .setSourcePartition(1).setSourceOffset(123_456_789_012L)
                .setKey(key == null ? null : ByteBuffer.wrap(key)).setValue(value == null ? null : ByteBuffer.wrap(value))
                .setFailedTime(T0).build();
    }

    private static <T extends SpecificRecord> T roundTrip(AvroCodec<T> codec, T record) throws BadRecordException {
        return codec.decode(codec.encode(record));
    }

    // ---- round trips ----

    @ParameterizedTest
    @EnumSource(EventType.class)
    void interactionEventRoundTripsWithEveryEventType(EventType type) throws BadRecordException {
        InteractionEvent event = interaction(type);
        InteractionEvent decoded = roundTrip(INTERACTIONS, event);
        assertEquals(event, decoded);
        assertEquals(type, decoded.getEventType());
        assertEquals(T0, decoded.getEventTime());
    }

    @Test
    void recommendationRoundTripsWithItsNestedScoredItems() throws BadRecordException {
        Recommendation decoded = roundTrip(AvroCodec.of(Recommendation.class), recommendation());
        assertEquals(recommendation(), decoded);
        assertEquals(List.of("i-1", "i-2", "i-3"), decoded.getItems().stream().map(ScoredItem::getItemId).toList());
        assertEquals(-1.5f, decoded.getItems().get(1).getScore());
    }

    @Test
    void recommendationWithNoItemsRoundTrips() throws BadRecordException {
        Recommendation empty = Recommendation.newBuilder(recommendation()).setItems(List.of()).build();
        assertEquals(empty, roundTrip(AvroCodec.of(Recommendation.class), empty));
    }

    @Test
    void itemEventRoundTrips() throws BadRecordException {
        assertEquals(itemEvent(), roundTrip(AvroCodec.of(ItemEvent.class), itemEvent()));
    }

    @Test
    void deadLetterRoundTripsWithNullAndNonNullBytes() throws BadRecordException {
        AvroCodec<DeadLetter> codec = AvroCodec.of(DeadLetter.class);
        byte[] raw = {0, (byte) 0xC3, 1, (byte) 0xFF};

        DeadLetter valueOnly = roundTrip(codec, deadLetter(null, raw));
        assertNull(valueOnly.getKey());
        assertArrayEquals(raw, bytes(valueOnly.getValue()));

        DeadLetter keyOnly = roundTrip(codec, deadLetter("u-42".getBytes(StandardCharsets.UTF_8), null));
        assertArrayEquals("u-42".getBytes(StandardCharsets.UTF_8), bytes(keyOnly.getKey()));
        assertNull(keyOnly.getValue());

        assertEquals(deadLetter(new byte[0], raw), roundTrip(codec, deadLetter(new byte[0], raw)));
    }

    /** Flink ships the codec to its operators with Java serialization; the transient encoder must come back. */
    @Test
    @SuppressWarnings("unchecked")
    void codecStillWorksAfterJavaSerialization() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ObjectOutputStream objects = new ObjectOutputStream(out)) {
            objects.writeObject(INTERACTIONS);
        }
        AvroCodec<InteractionEvent> copy;
        try (ObjectInputStream objects = new ObjectInputStream(new ByteArrayInputStream(out.toByteArray()))) {
            copy = (AvroCodec<InteractionEvent>) objects.readObject();
        }
        assertEquals(InteractionEvent.class, copy.type());
        assertEquals(interaction(EventType.CLICK), copy.decode(INTERACTIONS.encode(interaction(EventType.CLICK))));
    }

    // ---- wire format ----

    @Test
    void everyMessageStartsWithMarkerAndLittleEndianSchemaFingerprint() {
        assertHeader(InteractionEvent.getClassSchema(), INTERACTIONS.encode(interaction(EventType.VIEW)));
        assertHeader(Recommendation.getClassSchema(), AvroCodec.of(Recommendation.class).encode(recommendation()));
        assertHeader(ItemEvent.getClassSchema(), AvroCodec.of(ItemEvent.class).encode(itemEvent()));
        assertHeader(DeadLetter.getClassSchema(), AvroCodec.of(DeadLetter.class).encode(deadLetter(null, null)));
    }

    private static void assertHeader(Schema schema, byte[] message) {
        assertTrue(message.length > 10, "header plus a body");
        assertEquals((byte) 0xC3, message[0], "single-object marker, first byte");
        assertEquals((byte) 0x01, message[1], "single-object marker, second byte");
        long fingerprint = SchemaNormalization.parsingFingerprint64(schema);
        for (int i = 0; i < 8; i++) {
            assertEquals((byte) (fingerprint >>> (8 * i)), message[2 + i],
                    "fingerprint byte " + i + " of " + schema.getName() + " (little-endian CRC-64-AVRO)");
        }
    }

    // ---- bad input ----

    @Test
    void nullAndEmptyInputAreBadRecords() {
        assertBadRecord(null, "empty");
        assertBadRecord(new byte[0], "empty");
    }

    @Test
    void plainJsonTextIsABadRecord() {
        byte[] json = "{\"userId\":\"u-42\",\"itemId\":\"i-7\",\"eventType\":\"VIEW\",\"eventTime\":1}"
                .getBytes(StandardCharsets.UTF_8);
        assertBadRecord(json, "not Avro single-object encoding");
    }

    @Test
    void randomBytesAreBadRecords() {
        Random random = new Random(7);
        for (int i = 0; i < 2_000; i++) {
            byte[] noise = new byte[1 + random.nextInt(64)];
            random.nextBytes(noise);
            assertBadRecord(noise, "");
        }
    }

    @Test
    void messageOfAnotherRecordTypeIsABadRecordNamingTheUnknownSchema() {
        byte[] recommendation = AvroCodec.of(Recommendation.class).encode(recommendation());
        String reason = assertBadRecord(recommendation, "unknown writer schema for InteractionEvent");
        assertTrue(reason.contains(Long.toString(SchemaNormalization.parsingFingerprint64(Recommendation.getClassSchema()))),
                reason);
    }

    @Test
    void everyTruncationOfAMessageIsABadRecord() {
        assertEveryTruncationIsABadRecord(INTERACTIONS, interaction(EventType.RATING));
        assertEveryTruncationIsABadRecord(AvroCodec.of(Recommendation.class), recommendation());
    }

    private static <T extends SpecificRecord> void assertEveryTruncationIsABadRecord(AvroCodec<T> codec, T record) {
        byte[] message = codec.encode(record);
        for (int length = 1; length < message.length; length++) {
            assertBadRecord(codec, Arrays.copyOf(message, length), "");
        }
    }

    /** A valid header with a corrupt body: lengths, counts and enum indexes come from the noise. */
    @Test
    void randomBodiesBehindAValidHeaderAreBadRecordsOrDecode() {
        Random random = new Random(11);
        List<AvroCodec<?>> codecs = List.of(INTERACTIONS, AvroCodec.of(Recommendation.class),
                AvroCodec.of(ItemEvent.class), AvroCodec.of(DeadLetter.class));
        List<byte[]> headers = List.of(
                header(INTERACTIONS.encode(interaction(EventType.VIEW))),
                header(AvroCodec.of(Recommendation.class).encode(recommendation())),
                header(AvroCodec.of(ItemEvent.class).encode(itemEvent())),
                header(AvroCodec.of(DeadLetter.class).encode(deadLetter(null, null))));
        for (int i = 0; i < 4_000; i++) {
            int which = i % codecs.size();
            byte[] body = new byte[random.nextInt(40)];
            random.nextBytes(body);
            byte[] message = concat(headers.get(which), body);
            try {
                codecs.get(which).decode(message);
            } catch (BadRecordException expected) {
                // Corrupt bodies must fail this way; a body that happens to parse is fine.
            } catch (RuntimeException | Error e) {
                fail("body " + Arrays.toString(body) + " threw " + e, e);
            }
        }
    }

    /** Lengths and counts that no 1 MB Kafka message can back: rejected before the reader allocates for them. */
    @Test
    void absurdLengthsAreBadRecordsWithoutAllocatingForThem() throws Exception {
        long hugeLength = 1_500_000_000L;
        byte[] interaction = message(INTERACTIONS.encode(interaction(EventType.VIEW)), body -> body.writeLong(hugeLength));
        byte[] recommendation = message(AvroCodec.of(Recommendation.class).encode(recommendation()), body -> {
            body.writeString("u-42");
            body.writeLong(hugeLength / 4); // item count of the ScoredItem array: a 1.5 GB Object[]
        });
        byte[] deadLetter = message(AvroCodec.of(DeadLetter.class).encode(deadLetter(null, null)), body -> {
            body.writeString("reason");
            body.writeString("interactions");
            body.writeInt(0);
            body.writeLong(0);
            body.writeIndex(1); // key: the bytes branch
            body.writeLong(hugeLength);
        });

        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long allocatedBefore = threads.getCurrentThreadAllocatedBytes();
        assertBadRecord(interaction, "malformed");
        assertBadRecord(AvroCodec.of(Recommendation.class), recommendation, "malformed");
        assertBadRecord(AvroCodec.of(DeadLetter.class), deadLetter, "malformed");
        long allocated = threads.getCurrentThreadAllocatedBytes() - allocatedBefore;
        assertTrue(allocated < 64 << 20, "allocated " + allocated + " bytes for three tiny messages");
    }

    private interface BodyWriter {
        void write(BinaryEncoder body) throws IOException;
    }

    /** The header of {@code valid} (so the fingerprint is known) followed by a hand-written body. */
    private static byte[] message(byte[] valid, BodyWriter bodyWriter) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(header(valid));
        BinaryEncoder body = EncoderFactory.get().directBinaryEncoder(out, null);
        bodyWriter.write(body);
        body.writeFixed(new byte[16]); // a little of the promised data
        body.flush();
        return out.toByteArray();
    }

    private static byte[] header(byte[] message) {
        return Arrays.copyOf(message, 10);
    }

    private static byte[] concat(byte[] first, byte[] second) {
        byte[] both = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }

    private static String assertBadRecord(byte[] message, String expectedReasonPart) {
        return assertBadRecord(INTERACTIONS, message, expectedReasonPart);
    }

    /** Fails unless decoding throws exactly a BadRecordException whose message names the problem. */
    private static String assertBadRecord(AvroCodec<?> codec, byte[] message, String expectedReasonPart) {
        BadRecordException e = assertThrows(BadRecordException.class, () -> codec.decode(message),
                () -> "input " + Arrays.toString(message));
        String reason = e.getMessage();
        assertTrue(reason != null && reason.contains(expectedReasonPart) && reason.contains(codec.type().getSimpleName()),
                () -> "reason '" + reason + "' should mention '" + expectedReasonPart + "' and the record type");
        return reason;
    }

    // ---- schema evolution ----

    /** InteractionEvent v2: the current fields plus one optional field, as a later producer would declare it. */
    private static Schema interactionV2() {
        Schema v1 = InteractionEvent.getClassSchema();
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field field : v1.getFields()) {
            fields.add(new Schema.Field(field, field.schema()));
        }
        Schema optionalString = Schema.createUnion(Schema.create(Schema.Type.NULL), Schema.create(Schema.Type.STRING));
        fields.add(new Schema.Field("sessionId", optionalString, "added in v2", Schema.Field.NULL_DEFAULT_VALUE));
        return Schema.createRecord(v1.getName(), v1.getDoc(), v1.getNamespace(), false, fields);
    }

    private static GenericRecord genericInteraction(Schema schema, Object eventType) {
        GenericRecord record = new GenericData.Record(schema);
        record.put("userId", "u-42");
        record.put("itemId", "i-7");
        record.put("eventType", eventType);
        record.put("eventTime", T0.toEpochMilli()); // GenericData has no logical-type conversions: the raw long
        return record;
    }

    private static byte[] encodeGeneric(GenericRecord record) throws Exception {
        ByteBuffer buffer = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), record.getSchema()).encode(record);
        return bytes(buffer);
    }

    @Test
    void oldReaderReadsNewWriterIgnoringTheNewField() throws Exception {
        Schema v2 = interactionV2();
        GenericRecord written = genericInteraction(v2, new GenericData.EnumSymbol(v2.getField("eventType").schema(), "CLICK"));
        written.put("sessionId", "s-1");
        AvroCodec<InteractionEvent> oldReader = AvroCodec.of(InteractionEvent.class, List.of(v2.toString()));

        InteractionEvent read = oldReader.decode(encodeGeneric(written));

        assertEquals(InteractionEvent.newBuilder().setUserId("u-42").setItemId("i-7").setEventType(EventType.CLICK)
                .setEventTime(T0).build(), read);
    }

    @Test
    void newReaderReadsOldWriterWithTheNewFieldAtItsDefault() throws Exception {
        Schema v2 = interactionV2();
        BinaryMessageDecoder<GenericRecord> newReader = new BinaryMessageDecoder<>(GenericData.get(), v2);
        newReader.addSchema(InteractionEvent.getClassSchema());

        GenericRecord read = newReader.decode(INTERACTIONS.encode(interaction(EventType.PURCHASE)));

        assertEquals(v2, read.getSchema());
        assertNull(read.get("sessionId"));
        assertEquals("u-42", read.get("userId").toString());
        assertEquals("i-ü-7", read.get("itemId").toString());
        assertEquals("PURCHASE", read.get("eventType").toString());
        assertEquals(T0.toEpochMilli(), read.get("eventTime"));
    }

    @Test
    void readerNotToldAboutV2RejectsItNamingTheUnknownSchema() throws Exception {
        Schema v2 = interactionV2();
        GenericRecord written = genericInteraction(v2, new GenericData.EnumSymbol(v2.getField("eventType").schema(), "VIEW"));

        String reason = assertBadRecord(encodeGeneric(written), "unknown writer schema for InteractionEvent");
        assertTrue(reason.contains(Long.toString(SchemaNormalization.parsingFingerprint64(v2))), reason);
    }

    @Test
    void unknownEnumSymbolFromANewerWriterReadsAsOther() throws Exception {
        Schema v1 = InteractionEvent.getClassSchema();
        Schema currentEnum = EventType.getClassSchema();
        List<String> symbols = new ArrayList<>(currentEnum.getEnumSymbols());
        symbols.add("SHARE");
        Schema enumWithShare = Schema.createEnum(currentEnum.getName(), currentEnum.getDoc(), currentEnum.getNamespace(),
                symbols, currentEnum.getEnumDefault());
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field field : v1.getFields()) {
            fields.add(new Schema.Field(field, field.name().equals("eventType") ? enumWithShare : field.schema()));
        }
        Schema writer = Schema.createRecord(v1.getName(), v1.getDoc(), v1.getNamespace(), false, fields);
        byte[] message = encodeGeneric(genericInteraction(writer, new GenericData.EnumSymbol(enumWithShare, "SHARE")));

        InteractionEvent read = AvroCodec.of(InteractionEvent.class, List.of(writer.toString())).decode(message);

        assertEquals(EventType.OTHER, read.getEventType());
        assertEquals("u-42", read.getUserId());
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }
}
