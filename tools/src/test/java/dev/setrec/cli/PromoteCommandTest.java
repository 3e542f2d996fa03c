package dev.setrec.cli;

import dev.setrec.testing.PlantedSequences;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ./setrec promote end to end on planted sequences, where Transitions (which learns the successor chain) beats
 * MostPop: its output, its exit statuses and its one-line errors.
 */
class PromoteCommandTest {
    @TempDir
    static Path tmp;
    static Path data;
    static Path popular;
    static Path sequential;
    String out;
    String err;

    @TempDir
    Path models;

    @BeforeAll
    static void trainBothModels() throws IOException {
        data = tmp.resolve("planted");
        PlantedSequences.writeDataDir(PlantedSequences.generate(200, 40, 8, 0.9, 5), data);
        popular = tmp.resolve("mostpop");
        sequential = tmp.resolve("transitions");
        for (Path model : List.of(popular, sequential)) {
            String type = model.getFileName().toString();
            int status = Main.commandLine().execute("train", "--model", type, "--data", data.toString(), "--out",
                    model.toString());
            assertEquals(0, status, "training " + type);
        }
    }

    int promote(Path candidate, String... more) {
        CliRun run = CliRun.of(List.of("promote", "--candidate", candidate.toString(), "--models", models.toString(),
                "--data", data.toString()), more);
        out = run.out();
        err = run.err();
        return run.status();
    }

    @Test
    void aBetterModelIsPromotedAndAWorseOneRefused() throws IOException {
        assertEquals(0, promote(popular), err);
        List<String> lines = out.strip().lines().toList();
        assertEquals(2, lines.size(), out);
        assertTrue(lines.get(0).startsWith("candidate: mostpop "), out);
        assertTrue(lines.get(1).startsWith("PROMOTED as "), out);

        assertEquals(0, promote(sequential, "--split", "test"), err);
        lines = out.strip().lines().toList();
        assertEquals(3, lines.size(), out);
        assertTrue(lines.get(0).startsWith("candidate: transitions "), out);
        assertTrue(lines.get(1).startsWith("serving:   mostpop "), out);
        assertTrue(lines.get(2).startsWith("PROMOTED as "), out);
        List<String> versions = versions();

        assertEquals(PromoteCommand.REFUSED, promote(popular));
        assertTrue(out.strip().lines().toList().get(2).startsWith("REFUSED: All Recall@10 "), out);
        assertEquals(versions, versions(), "a refusal writes nothing");
    }

    @Test
    void aBrokenModelIsRefusedWithTheReason() throws IOException {
        Path broken = tmp.resolve("broken");
        Files.createDirectories(broken);
        Files.writeString(broken.resolve("model.json"), "not json");
        assertEquals(PromoteCommand.REFUSED, promote(broken));
        assertTrue(out.startsWith("REFUSED: broken candidate ") && out.contains("not valid JSON"), out);
        assertEquals(List.of(), versions());
    }

    @Test
    void badInputIsAOneLineError() {
        assertEquals(Main.BAD_INPUT, promote(tmp.resolve("absent")));
        assertEquals("error: candidate model dir " + tmp.resolve("absent") + " does not exist", err.strip());
        models = popular;
        assertEquals(Main.BAD_INPUT, promote(sequential));
        assertTrue(err.startsWith("error: ") && err.contains("not a models folder"), err);
        assertEquals(1, err.strip().lines().count(), err);
        models = tmp.resolve("no-such-folder");
        assertEquals(Main.BAD_INPUT, promote(sequential));
        assertTrue(err.contains("does not exist"), err);
        assertEquals(Main.BAD_INPUT, promote(sequential, "--split", "train"));
    }

    private List<String> versions() throws IOException {
        try (Stream<Path> list = Files.list(models)) {
            return list.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
