package dev.setrec.schemas;

import org.apache.avro.Schema;
import org.apache.avro.io.DatumReader;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The writer schemas one codec resolves, each with a reader into the current class, and their names and fingerprints
 * for the reason of an unknown one (e.g. "v1 0123456789abcdef, v2 fedcba9876543210 (current)"). Immutable, so a
 * codec can publish it to other threads without locking.
 */
record Readers<T extends SpecificRecord>(Map<Long, DatumReader<T>> byFingerprint, String known) {

    /** Released versions (v1, v2, ...), then the current schema if it is none of them, then the extra schemas. */
    static <T extends SpecificRecord> Readers<T> of(Class<T> type, List<WriterSchema> extraWriterSchemas) {
        Map<Long, Known> writers = new LinkedHashMap<>();
        List<Schema> released = SchemaHistory.released(type.getSimpleName());
        for (int i = 0; i < released.size(); i++) {
            add(writers, "v" + (i + 1), released.get(i));
        }
        Schema current = AvroCodec.schema(type);
        add(writers, "current", current);
        for (WriterSchema extra : extraWriterSchemas) {
            add(writers, extra.label(), new Schema.Parser().parse(extra.json()));
        }

        SpecificData model = SpecificData.getForClass(type);
        Map<Long, DatumReader<T>> readers = new LinkedHashMap<>();
        writers.forEach((fingerprint, writer) -> readers.put(fingerprint,
                new SpecificDatumReader<>(writer.schema(), current, model)));
        long currentFingerprint = SchemaFingerprint.of(current);
        String known = writers.entrySet().stream()
                .map(entry -> entry.getValue().label() + " " + SchemaFingerprint.hex(entry.getKey())
                        + (entry.getKey() == currentFingerprint ? " (current)" : ""))
                .collect(Collectors.joining(", "));
        return new Readers<>(Map.copyOf(readers), known);
    }

    private record Known(String label, Schema schema) {
    }

    /** The first schema seen with a fingerprint keeps it (a version given again adds nothing). */
    private static void add(Map<Long, Known> writers, String label, Schema writer) {
        writers.putIfAbsent(SchemaFingerprint.of(writer), new Known(label, writer));
    }
}
