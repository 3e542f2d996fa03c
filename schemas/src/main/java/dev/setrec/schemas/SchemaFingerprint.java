package dev.setrec.schemas;

import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

import java.io.File;
import java.io.IOException;

/**
 * The 64-bit CRC-64-AVRO fingerprint of a schema's parsing canonical form, which the single-object encoding puts in
 * front of every message, written as 16 hex digits of the number (the wire carries the same number little-endian).
 * Run with .avsc files as arguments, it prints each one's fingerprint, to match the one a dead letter names.
 */
public final class SchemaFingerprint {
    private SchemaFingerprint() {
    }

    public static long of(Schema schema) {
        return SchemaNormalization.parsingFingerprint64(schema);
    }

    public static String hex(long fingerprint) {
        return String.format("%016x", fingerprint);
    }

    public static String hex(Schema schema) {
        return hex(of(schema));
    }

    public static void main(String[] avscFiles) {
        for (String file : avscFiles) {
            try {
                System.out.println(hex(new Schema.Parser().parse(new File(file))) + "  " + file);
            } catch (IOException | AvroRuntimeException e) {
                System.err.println("error: " + file + " is not a readable Avro schema: " + e.getMessage());
            }
        }
    }
}
