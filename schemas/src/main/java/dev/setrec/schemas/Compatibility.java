package dev.setrec.schemas;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityResult;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;

import java.util.Optional;
import java.util.stream.Collectors;

/** Avro's own reader/writer compatibility check, with its findings as one line of text. */
final class Compatibility {
    private Compatibility() {
    }

    /** Why {@code reader} cannot read data written with {@code writer}, or empty when it can. */
    static Optional<String> problem(Schema reader, Schema writer) {
        SchemaCompatibilityResult result =
                SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getResult();
        if (result.getCompatibility() == SchemaCompatibilityType.COMPATIBLE) {
            return Optional.empty();
        }
        return Optional.of(result.getIncompatibilities().stream().map(Compatibility::describe)
                .collect(Collectors.joining("; ")));
    }

    private static String describe(Incompatibility incompatibility) {
        return incompatibility.getType() + " at " + incompatibility.getLocation() + ": " + incompatibility.getMessage();
    }
}
