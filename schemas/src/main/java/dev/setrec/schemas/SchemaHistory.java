package dev.setrec.schemas;

import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Every released version of a record, as the classpath carries them: {@code schema-history/<Record>/v<N>.avsc},
 * numbered from 1 without gaps (the build's {@link SchemaHistoryCheck} ensures that, and that all versions of a record
 * can read each other).
 */
public final class SchemaHistory {
    static final String ROOT = "schema-history";

    private SchemaHistory() {
    }

    /** The released versions of the record with this simple name, oldest first (index 0 is v1); empty if none. */
    public static List<Schema> released(String recordName) {
        List<Schema> versions = new ArrayList<>();
        for (int version = 1; ; version++) {
            String resource = resource(recordName, version);
            try (InputStream in = SchemaHistory.class.getClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    return List.copyOf(versions);
                }
                versions.add(new Schema.Parser().parse(in));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + resource, e);
            } catch (SchemaParseException e) {
                throw new IllegalStateException(resource + " is not a valid Avro schema: " + e.getMessage(), e);
            }
        }
    }

    /** Whether a record of this simple name has a released version. */
    static boolean hasRecord(String recordName) {
        return SchemaHistory.class.getClassLoader().getResource(resource(recordName, 1)) != null;
    }

    static String fileName(int version) {
        return "v" + version + ".avsc";
    }

    private static String resource(String recordName, int version) {
        return ROOT + "/" + recordName + "/" + fileName(version);
    }
}
