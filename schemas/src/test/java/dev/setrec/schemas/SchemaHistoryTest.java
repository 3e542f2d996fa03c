package dev.setrec.schemas;

import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The released versions on the classpath, as every codec reads them. */
class SchemaHistoryTest {
    private static final List<Class<? extends SpecificRecord>> RECORDS =
            List.of(InteractionEvent.class, ItemEvent.class, Recommendation.class, DeadLetter.class,
                    ModelVersion.class);

    /** The same schema on the wire (the generated class adds Java-only properties, which the fingerprint ignores). */
    @Test
    void everyRecordsNewestReleasedVersionIsItsGeneratedClassesSchema() {
        for (Class<? extends SpecificRecord> record : RECORDS) {
            List<Schema> released = SchemaHistory.released(record.getSimpleName());
            assertFalse(released.isEmpty(), record.getSimpleName());
            assertEquals(SchemaFingerprint.hex(AvroCodec.schema(record)),
                    SchemaFingerprint.hex(released.get(released.size() - 1)), record.getSimpleName());
        }
    }

    @Test
    void deadLetterV2AddsTheSizesAndHashOfTheValueAfterV1sFields() {
        List<Schema> deadLetter = SchemaHistory.released("DeadLetter");
        assertEquals(2, deadLetter.size());
        List<String> v1 = deadLetter.get(0).getFields().stream().map(Schema.Field::name).toList();
        List<String> v2 = deadLetter.get(1).getFields().stream().map(Schema.Field::name).toList();
        assertEquals(List.of("reason", "sourceTopic", "sourcePartition", "sourceOffset", "key", "value", "failedTime"),
                v1);
        assertEquals(v1, v2.subList(0, v1.size()));
        assertEquals(List.of("valueBytes", "valueSha256", "keyBytes"), v2.subList(v1.size(), v2.size()));
        for (String field : v1) {
            assertEquals(deadLetter.get(0).getField(field), deadLetter.get(1).getField(field), field + " unchanged");
        }
    }

    @Test
    void aRecordWithoutHistoryHasNoReleasedVersion() {
        assertTrue(SchemaHistory.released("NoSuchRecord").isEmpty());
        assertFalse(SchemaHistory.hasRecord("NoSuchRecord"));
        assertTrue(SchemaHistory.hasRecord("DeadLetter"));
    }
}
