package dev.setrec.schemas;

import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The build's check of the schema history (run by Maven in process-classes, so also when tests are skipped): each
 * record of the current schema directory has released versions v1..vN without gaps, the current schema is the newest
 * version byte for byte, and every version reads every other one by Avro's own compatibility rules (both directions),
 * so readers and writers of any two releases understand each other.
 */
public final class SchemaHistoryCheck {
    private static final String AVSC = ".avsc";
    private static final Pattern VERSION_FILE = Pattern.compile("v([1-9][0-9]{0,5})\\.avsc");

    private SchemaHistoryCheck() {
    }

    /** Arguments: the current schemas' directory (src/main/avro), the history's directory. Throws on any problem. */
    public static void main(String[] args) {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: SchemaHistoryCheck CURRENT_SCHEMA_DIR SCHEMA_HISTORY_DIR");
        }
        List<String> problems = problems(Path.of(args[0]), Path.of(args[1]));
        if (!problems.isEmpty()) {
            throw new IllegalStateException("the schema history is broken (" + args[1] + "):\n  "
                    + String.join("\n  ", problems));
        }
    }

    /** Every problem of the history against the current schemas, one line each; empty when the history is sound. */
    static List<String> problems(Path currentDir, Path historyDir) {
        Set<String> current = names(currentDir, Files::isRegularFile, AVSC);
        Set<String> released = names(historyDir, Files::isDirectory, "");
        List<String> problems = new ArrayList<>();
        if (current.isEmpty()) {
            problems.add("no current schema (*.avsc) in " + currentDir);
        }
        for (String record : released) {
            if (!current.contains(record)) {
                problems.add(record + ": has a history but no current schema " + currentDir.resolve(record + AVSC));
            }
        }
        for (String record : current) {
            if (released.contains(record)) {
                problems.addAll(recordProblems(record, currentDir.resolve(record + AVSC), historyDir.resolve(record)));
            } else {
                problems.add(record + ": no released version: copy " + currentDir.resolve(record + AVSC) + " to "
                        + historyDir.resolve(record).resolve(SchemaHistory.fileName(1)));
            }
        }
        return problems;
    }

    private static List<String> recordProblems(String record, Path currentFile, Path versionsDir) {
        List<String> problems = new ArrayList<>();
        TreeMap<Integer, Path> files = new TreeMap<>();
        for (Path file : list(versionsDir)) {
            Matcher version = VERSION_FILE.matcher(file.getFileName().toString());
            if (version.matches() && Files.isRegularFile(file)) {
                files.put(Integer.parseInt(version.group(1)), file);
            } else {
                problems.add(record + ": unexpected " + file + " (a history holds only v1.avsc, v2.avsc, ...)");
            }
        }
        if (files.isEmpty()) {
            problems.add(record + ": no released version in " + versionsDir);
            return problems;
        }
        for (int version = 1; version <= files.lastKey(); version++) {
            if (!files.containsKey(version)) {
                problems.add(record + ": v" + version + " is missing (versions are numbered from 1 without gaps)");
            }
        }
        if (!read(currentFile).equals(read(files.lastEntry().getValue()))) {
            problems.add(record + ": " + currentFile + " differs from the newest released version v" + files.lastKey()
                    + ": release it as v" + (files.lastKey() + 1) + " (or undo the change)");
        }
        String fullName = currentFullName(record, currentFile, problems);
        TreeMap<Integer, Schema> versions = new TreeMap<>();
        files.forEach((version, file) -> {
            Schema schema = parse(file, problems);
            if (schema != null && fullName != null && !schema.getFullName().equals(fullName)) {
                problems.add(record + ": v" + version + " is a schema of " + schema.getFullName() + ", not "
                        + fullName);
            } else if (schema != null) {
                versions.put(version, schema);
            }
        });
        versions.forEach((readerVersion, reader) -> versions.forEach((writerVersion, writer) -> {
            if (!readerVersion.equals(writerVersion)) {
                Compatibility.problem(reader, writer).ifPresent(why -> problems.add(record + ": a reader of v"
                        + readerVersion + " cannot read data written with v" + writerVersion + ": " + why));
            }
        }));
        return problems;
    }

    /** The full name the current schema file declares, which must be its file's name in a namespace. */
    private static String currentFullName(String record, Path currentFile, List<String> problems) {
        Schema current = parse(currentFile, problems);
        if (current == null) {
            return null;
        }
        if (!current.getName().equals(record)) {
            problems.add(record + ": " + currentFile + " declares " + current.getFullName() + ", not a record named "
                    + record);
        }
        return current.getFullName();
    }

    private static Schema parse(Path file, List<String> problems) {
        try {
            return new Schema.Parser().parse(file.toFile());
        } catch (AvroRuntimeException | IOException e) { // SchemaParseException, or AvroTypeException for a bad default
            problems.add(file + " is not a valid Avro schema: " + e.getMessage());
            return null;
        }
    }

    /** Names of the entries of {@code dir} that pass {@code kind} and end with {@code suffix}, suffix removed. */
    private static Set<String> names(Path dir, Predicate<Path> kind, String suffix) {
        return list(dir).stream().filter(kind).map(path -> path.getFileName().toString())
                .filter(name -> name.endsWith(suffix))
                .map(name -> name.substring(0, name.length() - suffix.length()))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static List<Path> list(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("not a directory: " + dir);
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
