package dev.setrec.cli;

import dev.setrec.data.ItemText;
import dev.setrec.testing.ChainShop;
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
 * ./setrec refresh end to end on a small SETRec trained on chain walks ({@link ChainShop}, texts by MiniLM as the
 * command embeds them): its output, its exit statuses and its one-line errors.
 */
class RefreshCommandTest {
    @TempDir
    static Path tmp;
    static Path servingVersion;
    static Path window;
    static Path newItems;
    String out;
    String err;

    @TempDir
    Path models;

    @BeforeAll
    static void trainTheServingModelAndWriteTheFiles() throws IOException {
        servingVersion = ChainShop.servingFolderWithMiniLm(tmp.resolve("trained"), 5);
        window = tmp.resolve("window.csv");
        ChainShop.writeEvents(ChainShop.withNewItem(1000, 1), window);
        newItems = tmp.resolve("items.csv");
        ItemText text = ChainShop.textOf(ChainShop.NEW_ITEM);
        Files.writeString(newItems, "item,title,categories,brand\n" + ChainShop.NEW_ITEM + "," + text.title() + ","
                + text.categories() + "," + text.brand() + "\n");
    }

    int refresh(Path events, String... more) {
        CliRun run = CliRun.of(List.of("refresh", "--models", models.toString(), "--events", events.toString(),
                "--items", newItems.toString()), more);
        out = run.out();
        err = run.err();
        return run.status();
    }

    @Test
    void aWindowWithANewItemIsPromotedAndOneTooSmallIsRefused() throws IOException {
        Path serving = models.resolve(servingVersion.getFileName());
        Files.createDirectories(serving);
        try (Stream<Path> files = Files.list(servingVersion)) {
            for (Path file : files.toList()) {
                Files.copy(file, serving.resolve(file.getFileName()));
            }
        }
        assertEquals(0, refresh(window), err);
        List<String> lines = out.strip().lines().toList();
        assertEquals(3, lines.size(), out);
        assertTrue(lines.get(0).startsWith("candidate: setrec candidate (in memory)"), out);
        assertTrue(lines.get(1).startsWith("serving:   setrec "), out);
        assertTrue(lines.get(2).startsWith("PROMOTED as ") && lines.get(2).endsWith(" items newly warm)"), out);
        List<String> versions = versions();
        assertEquals(2, versions.size(), versions.toString());

        assertEquals(PromoteCommand.REFUSED, refresh(window, "--min-events", "100000"), err);
        assertTrue(out.strip().startsWith("REFUSED: ") && out.contains("fewer than the 100000"), out);
        assertEquals(versions, versions(), "a refusal writes nothing");
    }

    @Test
    void badInputIsAOneLineError() throws IOException {
        Path absent = tmp.resolve("absent");
        models = absent;
        assertEquals(Main.BAD_INPUT, refresh(window));
        assertEquals("error: models folder " + absent + " does not exist", err.strip());
        models = tmp.resolve("empty");
        Files.createDirectories(models);
        assertEquals(Main.BAD_INPUT, refresh(window));
        assertTrue(err.startsWith("error: ") && err.contains("no complete version"), err);
        assertEquals(1, err.strip().lines().count(), err);
        assertEquals(Main.BAD_INPUT, refresh(tmp.resolve("no-events.csv")));
        assertTrue(err.contains("does not exist"), err);
        assertEquals(Main.BAD_INPUT, refresh(window, "--held-back", "1.5"));
        assertTrue(err.contains("held-back share"), err);
    }

    private List<String> versions() throws IOException {
        try (Stream<Path> list = Files.list(models)) {
            return list.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
