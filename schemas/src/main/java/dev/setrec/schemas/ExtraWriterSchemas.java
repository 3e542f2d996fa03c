package dev.setrec.schemas;

import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Writer schemas given at run time on top of the released history (a producer already on a version this build does
 * not know). Each is checked when loaded: it must be a schema of the reader's record that the reader can read by
 * Avro's rules, or it is refused at once with an {@link IllegalArgumentException} that says why.
 */
final class ExtraWriterSchemas {
    private ExtraWriterSchemas() {
    }

    /** JSON schema texts, each of the reader's record, named "extra schema 1", "extra schema 2", ... in messages. */
    static List<WriterSchema> fromTexts(Schema reader, List<String> texts) {
        List<WriterSchema> schemas = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            String label = "extra schema " + (i + 1);
            Schema writer = parse(label, texts.get(i));
            if (!writer.getFullName().equals(reader.getFullName())) {
                throw new IllegalArgumentException(label + " is a schema of " + writer.getFullName() + ", not of "
                        + reader.getFullName());
            }
            schemas.add(checked(reader, writer, label, new WriterSchema(label, texts.get(i))));
        }
        return List.copyOf(schemas);
    }

    /**
     * The {@code .avsc} files of {@code dir} that declare the reader's record, in file name order. One directory can
     * serve every topic's codec: files of this project's other records are left to theirs, while a file that is not a
     * schema, or names a record this project does not have, is refused.
     */
    static List<WriterSchema> fromDirectory(Schema reader, Path dir) {
        List<WriterSchema> schemas = new ArrayList<>();
        for (Path file : avscFiles(dir)) {
            String text = read(file);
            String what = "extra schema " + file;
            Schema writer = parse(what, text);
            if (writer.getFullName().equals(reader.getFullName())) {
                schemas.add(checked(reader, writer, what, new WriterSchema(file.getFileName().toString(), text)));
            } else if (!isAnotherRecordOfThisProject(reader, writer)) {
                throw new IllegalArgumentException(what + " is a schema of " + writer.getFullName()
                        + ", which is not a record of these topics (no released version of it)");
            }
        }
        return List.copyOf(schemas);
    }

    private static boolean isAnotherRecordOfThisProject(Schema reader, Schema writer) {
        return writer.getType() == Schema.Type.RECORD && reader.getNamespace().equals(writer.getNamespace())
                && SchemaHistory.hasRecord(writer.getName());
    }

    /** {@code loaded}, once Avro says that the reader can read what {@code writer} wrote. */
    private static WriterSchema checked(Schema reader, Schema writer, String what, WriterSchema loaded) {
        Compatibility.problem(reader, writer).ifPresent(why -> {
            throw new IllegalArgumentException(what + " is refused: a reader of the current " + reader.getName()
                    + " cannot read data written with it: " + why);
        });
        return loaded;
    }

    private static Schema parse(String what, String text) {
        try {
            return new Schema.Parser().parse(text);
        } catch (AvroRuntimeException e) { // SchemaParseException, or AvroTypeException for a bad default
            throw new IllegalArgumentException(what + " is not a valid Avro schema: " + e.getMessage(), e);
        }
    }

    private static List<Path> avscFiles(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("extra schema directory " + dir + " is not a directory");
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(path -> path.getFileName().toString().endsWith(".avsc") && Files.isRegularFile(path))
                    .sorted().toList();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot list extra schema directory " + dir + ": " + e.getMessage(), e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read extra schema " + file + ": " + e.getMessage(), e);
        }
    }
}
