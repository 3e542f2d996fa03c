package dev.setrec.schemas;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The build's check of the schema history, on copies of a small history that each test breaks in one way. */
class SchemaHistoryCheckTest {
    private static final String V1 = """
            {"type": "record", "name": "Click", "namespace": "test", "fields": [
              {"name": "userId", "type": "string"}
            ]}
            """;
    /** v1 plus a field with a default: each reads the other. */
    private static final String V2 = """
            {"type": "record", "name": "Click", "namespace": "test", "fields": [
              {"name": "userId", "type": "string"},
              {"name": "page", "type": "string", "default": ""}
            ]}
            """;
    /** v2 with page's default gone: a v3 reader cannot read v1, which has no page. */
    private static final String V3_WITHOUT_DEFAULT = """
            {"type": "record", "name": "Click", "namespace": "test", "fields": [
              {"name": "userId", "type": "string"},
              {"name": "page", "type": "string"}
            ]}
            """;

    @TempDir
    Path root;
    private Path current;
    private Path history;

    @BeforeEach
    void soundHistory() throws IOException {
        current = Files.createDirectories(root.resolve("avro"));
        history = Files.createDirectories(root.resolve("schema-history"));
        release("v1.avsc", V1);
        release("v2.avsc", V2);
        Files.writeString(current.resolve("Click.avsc"), V2);
    }

    private void release(String file, String schema) throws IOException {
        Files.writeString(Files.createDirectories(history.resolve("Click")).resolve(file), schema);
    }

    private List<String> problems() {
        return SchemaHistoryCheck.problems(current, history);
    }

    @Test
    void aSoundHistoryHasNoProblem() {
        assertEquals(List.of(), problems());
    }

    @Test
    void theProjectsOwnHistoryIsSound() {
        assertEquals(List.of(), SchemaHistoryCheck.problems(Path.of("src/main/avro"),
                Path.of("src/main/resources/schema-history")));
    }

    @Test
    void anIncompatiblePairIsReportedNamingTheRecordBothVersionsAndAvrosReason() throws IOException {
        release("v3.avsc", V3_WITHOUT_DEFAULT);
        Files.writeString(current.resolve("Click.avsc"), V3_WITHOUT_DEFAULT);

        assertEquals(List.of("Click: a reader of v3 cannot read data written with v1: "
                + "READER_FIELD_MISSING_DEFAULT_VALUE at /fields/1: page"), problems());
    }

    @Test
    void aTypeChangeIsReportedInBothDirections() throws IOException {
        String userIdAsInt = V2.replace("{\"name\": \"userId\", \"type\": \"string\"}",
                "{\"name\": \"userId\", \"type\": \"int\"}");
        release("v3.avsc", userIdAsInt);
        Files.writeString(current.resolve("Click.avsc"), userIdAsInt);

        List<String> problems = problems();

        assertEquals(4, problems.size(), problems.toString()); // v3 against v1 and v2, each way
        assertTrue(problems.get(0).startsWith("Click: a reader of v1 cannot read data written with v3: TYPE_MISMATCH "
                + "at /fields/0/type"), problems.get(0));
        assertTrue(problems.get(3).startsWith("Click: a reader of v3 cannot read data written with v2: TYPE_MISMATCH "
                + "at /fields/0/type"), problems.get(3));
    }

    @Test
    void aCurrentSchemaThatIsNotTheNewestReleaseIsReported() throws IOException {
        Files.writeString(current.resolve("Click.avsc"), V2.replace("\"default\": \"\"", "\"default\": \"home\""));

        assertEquals(List.of("Click: " + current.resolve("Click.avsc")
                + " differs from the newest released version v2: "
                + "release it as v3 (or undo the change)"), problems());
    }

    @Test
    void aGapInTheVersionsIsReported() throws IOException {
        Files.move(history.resolve("Click/v2.avsc"), history.resolve("Click/v3.avsc"));

        assertEquals(List.of("Click: v2 is missing (versions are numbered from 1 without gaps)"), problems());
    }

    @Test
    void aFileThatIsNoVersionIsReported() throws IOException {
        release("v2-draft.avsc", V2);

        assertEquals(List.of("Click: unexpected " + history.resolve("Click/v2-draft.avsc")
                + " (a history holds only v1.avsc, v2.avsc, ...)"), problems());
    }

    @Test
    void aVersionOfAnotherRecordIsReported() throws IOException {
        release("v1.avsc", V1.replace("\"Click\"", "\"View\""));

        assertEquals(List.of("Click: v1 is a schema of test.View, not test.Click"), problems());
    }

    @Test
    void aVersionThatDoesNotParseIsReported() throws IOException {
        release("v1.avsc", "{\"type\": \"record\", \"name\": \"Click\"");

        List<String> problems = problems();

        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith(history.resolve("Click/v1.avsc") + " is not a valid Avro schema: "),
                problems.get(0));
    }

    @Test
    void aRecordWithoutHistoryAndAHistoryWithoutRecordAreReported() throws IOException {
        Files.writeString(current.resolve("View.avsc"), V1.replace("\"Click\"", "\"View\""));
        Files.createDirectories(history.resolve("Gone"));

        assertEquals(List.of(
                "Gone: has a history but no current schema " + current.resolve("Gone.avsc"),
                "View: no released version: copy " + current.resolve("View.avsc") + " to "
                        + history.resolve("View/v1.avsc")), problems());
    }

    @Test
    void theBuildEntryPointFailsWithEveryProblemInItsMessage() throws IOException {
        release("v3.avsc", V3_WITHOUT_DEFAULT);

        IllegalStateException failure = assertThrows(IllegalStateException.class,
                () -> SchemaHistoryCheck.main(new String[] {current.toString(), history.toString()}));

        assertEquals("the schema history is broken (" + history + "):\n  "
                + String.join("\n  ", problems()), failure.getMessage());
        assertTrue(failure.getMessage().contains("differs from the newest released version v3"), failure.getMessage());
        assertTrue(failure.getMessage().contains("a reader of v3 cannot read data written with v1"),
                failure.getMessage());
    }
}
