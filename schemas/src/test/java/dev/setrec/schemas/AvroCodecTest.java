package dev.setrec.schemas;

import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
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
                .setItems(List.of(new ScoredItem("i-1", 0.93f), new ScoredItem("i-2", -1.5f),
                        new ScoredItem("i-3", 0f)))
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
                .setKey(key == null ? null : ByteBuffer.wrap(key))
                .setValue(value == null ? null : ByteBuffer.wrap(value))
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

    /** DeadLetter v2: the sizes and hash of what was read, next to the (cut) raw bytes; unset they read as unknown. */
    @Test
    void deadLetterRoundTripsWithTheSizesAndHashOfTheValueAsRead() throws BadRecordException {
        AvroCodec<DeadLetter> codec = AvroCodec.of(DeadLetter.class);
        DeadLetter unset = roundTrip(codec, deadLetter(null, new byte[] {1}));
        assertEquals(-1, unset.getValueBytes());
        assertNull(unset.getValueSha256());
        assertEquals(-1, unset.getKeyBytes());

        String sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        DeadLetter cut = DeadLetter.newBuilder(deadLetter(new byte[] {7}, new byte[] {1, 2, 3}))
                .setValueBytes(2_000_000).setValueSha256(sha256).setKeyBytes(40_000).build();
        DeadLetter decoded = roundTrip(codec, cut);
        assertEquals(cut, decoded);
        assertEquals(2_000_000, decoded.getValueBytes());
        assertEquals(sha256, decoded.getValueSha256());
        assertEquals(40_000, decoded.getKeyBytes());
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
        String reason = assertBadRecord(recommendation, "unknown writer schema for InteractionEvent: fingerprint "
                + SchemaFingerprint.hex(Recommendation.getClassSchema()) + " (CRC-64-AVRO)");
        assertTrue(reason.contains("known versions v1 " + SchemaFingerprint.hex(InteractionEvent.getClassSchema())),
                reason);
    }

    @Test
    void everyTruncationOfAMessageIsABadRecord() {
        assertEveryTruncationIsABadRecord(INTERACTIONS, interaction(EventType.RATING));
        assertEveryTruncationIsABadRecord(AvroCodec.of(Recommendation.class), recommendation());
        assertEveryTruncationIsABadRecord(AvroCodec.of(ItemEvent.class), itemEvent());
        assertEveryTruncationIsABadRecord(AvroCodec.of(DeadLetter.class),
                deadLetter(new byte[] {1, 2}, new byte[] {3}));
    }

    /** A whole record followed by more bytes is a framing error, never read as if the rest were not there. */
    @Test
    void trailingBytesAfterAWholeRecordAreBadRecordsCounted() {
        assertTrailingBytesAreBadRecords(INTERACTIONS, interaction(EventType.CLICK));
        assertTrailingBytesAreBadRecords(AvroCodec.of(Recommendation.class), recommendation());
        assertTrailingBytesAreBadRecords(AvroCodec.of(ItemEvent.class), itemEvent());
        assertTrailingBytesAreBadRecords(AvroCodec.of(DeadLetter.class), deadLetter(null, new byte[] {3}));
    }

    private static <T extends SpecificRecord> void assertTrailingBytesAreBadRecords(AvroCodec<T> codec, T record) {
        byte[] message = codec.encode(record);
        for (int extra : new int[] {1, 2, 7, 300}) {
            byte[] longer = Arrays.copyOf(message, message.length + extra); // zeros: a valid start of many records
            assertEquals(extra + " trailing bytes after the " + codec.type().getSimpleName() + " record",
                    assertBadRecord(codec, longer, "trailing"));
        }
        byte[] twice = concat(message, message);
        assertBadRecord(codec, twice, (twice.length - message.length) + " trailing bytes");
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
        byte[] interaction = message(INTERACTIONS.encode(interaction(EventType.VIEW)),
                body -> body.writeLong(hugeLength));
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
        assertTrue(reason != null && reason.contains(expectedReasonPart)
                && reason.contains(codec.type().getSimpleName()),
                () -> "reason '" + reason + "' should mention '" + expectedReasonPart + "' and the record type");
        return reason;
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }
}
