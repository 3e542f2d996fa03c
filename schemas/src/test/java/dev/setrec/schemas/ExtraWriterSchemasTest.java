package dev.setrec.schemas;

import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Extra writer schemas given at run time are checked when the codec is made, and a bad one refused at once. */
class ExtraWriterSchemasTest {

    /** InteractionEvent with each field passed through {@code change} (null drops the field). */
    private static Schema interactionWith(UnaryOperator<Schema.Field> change) {
        Schema current = InteractionEvent.getClassSchema();
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field field : current.getFields()) {
            Schema.Field changed = change.apply(new Schema.Field(field, field.schema()));
            if (changed != null) {
                fields.add(changed);
            }
        }
        return Schema.createRecord(current.getName(), current.getDoc(), current.getNamespace(), false, fields);
    }

    /** A writer without itemId: today's reader has no default for it, so it could never read such a message. */
    private static Schema interactionWithoutItemId() {
        return interactionWith(field -> field.name().equals("itemId") ? null : field);
    }

    private static IllegalArgumentException refused(Runnable load) {
        return assertThrows(IllegalArgumentException.class, load::run);
    }

    @Test
    void aSchemaTheReaderCannotReadIsRefusedWithAvrosReason() {
        String reason = refused(() -> AvroCodec.of(InteractionEvent.class,
                List.of(SchemaEvolutionTest.interactionWithSessionId().toString(),
                        interactionWithoutItemId().toString())))
                .getMessage();

        assertEquals("extra schema 2 is refused: a reader of the current InteractionEvent cannot read data written "
                + "with it: READER_FIELD_MISSING_DEFAULT_VALUE at /fields/1: itemId", reason);
    }

    @Test
    void aFieldOfAnotherTypeIsRefused() {
        Schema userIdAsLong = interactionWith(field -> field.name().equals("userId")
                ? new Schema.Field(field, Schema.create(Schema.Type.LONG)) : field);

        String reason = refused(() -> AvroCodec.of(InteractionEvent.class, List.of(userIdAsLong.toString())))
                .getMessage();

        assertTrue(reason.startsWith("extra schema 1 is refused: a reader of the current InteractionEvent cannot read"),
                reason);
        assertTrue(reason.contains("TYPE_MISMATCH at /fields/0/type"), reason);
    }

    @Test
    void aSchemaOfAnotherRecordIsRefused() {
        String reason = refused(() -> AvroCodec.of(InteractionEvent.class,
                List.of(ItemEvent.getClassSchema().toString()))).getMessage();

        assertEquals("extra schema 1 is a schema of dev.setrec.schemas.ItemEvent, not of "
                + "dev.setrec.schemas.InteractionEvent", reason);
    }

    @Test
    void textThatIsNoSchemaIsRefused() {
        String reason = refused(() -> AvroCodec.of(InteractionEvent.class, List.of("{\"type\": \"record\"")))
                .getMessage();

        assertTrue(reason.startsWith("extra schema 1 is not a valid Avro schema: "), reason);
    }

    @Test
    void aDirectoryFileTheReaderCannotReadIsRefusedNamingTheFile(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("interaction-v9.avsc"), interactionWithoutItemId().toString(true));

        String reason = refused(() -> AvroCodec.of(InteractionEvent.class, dir)).getMessage();

        assertEquals("extra schema " + file + " is refused: a reader of the current InteractionEvent cannot read "
                + "data written with it: READER_FIELD_MISSING_DEFAULT_VALUE at /fields/1: itemId", reason);
    }

    /** A schema of another topic's record is left to that topic's codec, but it must still be one this reader reads. */
    @Test
    void aDirectoryFileOfAnotherTopicsRecordIsCheckedByThatTopicsCodec(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("interaction-v9.avsc"), interactionWithoutItemId().toString(true));

        AvroCodec.of(ItemEvent.class, dir); // not its record: skipped
        assertTrue(refused(() -> AvroCodec.of(InteractionEvent.class, dir)).getMessage().contains(file.toString()));
    }

    @Test
    void aDirectoryFileNamingARecordOfNoTopicIsRefused(@TempDir Path dir) throws Exception {
        Schema typo = Schema.createRecord("InteractionEvnet", null, "dev.setrec.schemas", false, List.of());
        Path file = Files.writeString(dir.resolve("typo.avsc"), typo.toString());

        String reason = refused(() -> AvroCodec.of(InteractionEvent.class, dir)).getMessage();

        assertEquals("extra schema " + file + " is a schema of dev.setrec.schemas.InteractionEvnet, which is not a "
                + "record of these topics (no released version of it)", reason);
    }

    @Test
    void aDirectoryFileThatIsNoSchemaIsRefusedNamingTheFile(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("broken.avsc"), "{\"type\": \"record\", \"name\": ");

        String reason = refused(() -> AvroCodec.of(InteractionEvent.class, dir)).getMessage();

        assertTrue(reason.startsWith("extra schema " + file + " is not a valid Avro schema: "), reason);
    }

    @Test
    void aMissingDirectoryIsRefused(@TempDir Path dir) {
        Path missing = dir.resolve("nowhere");

        assertEquals("extra schema directory " + missing + " is not a directory",
                refused(() -> AvroCodec.of(InteractionEvent.class, missing)).getMessage());
    }

    @Test
    void anEmptyDirectoryAddsNothing(@TempDir Path dir) throws Exception {
        AvroCodec<InteractionEvent> codec = AvroCodec.of(InteractionEvent.class, dir);
        InteractionEvent event = InteractionEvent.newBuilder().setUserId("u").setItemId("i")
                .setEventType(EventType.VIEW).setEventTime(java.time.Instant.EPOCH).build();

        assertEquals(event, codec.decode(codec.encode(event)));
    }
}
