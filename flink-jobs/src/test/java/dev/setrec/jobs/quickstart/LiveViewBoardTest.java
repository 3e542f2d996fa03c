package dev.setrec.jobs.quickstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.setrec.data.Dataset;
import dev.setrec.data.ItemText;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The console side of the live view: what is drawn, how often, and the sample line's titles. */
class LiveViewBoardTest {
    private static final long NOW = 1_700_000_000_000L;

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    private final ItemTitles titles = ItemTitles.of(ReplayTestData.threeUsers());
    private final ReplayLedger ledger = new ReplayLedger(8);
    private final LiveFigures figures = new LiveFigures(ledger, Set.of("5"), 100);

    @Test
    void plainOutputPrintsTheBlockAndASampleEveryTenSeconds() {
        ledger.eventSent("R-TWO", 1, "5", "3");
        figures.recommendation(LiveViewFiguresTest.recommendation("R-TWO", 1, NOW, 0, "3", "9", "no-such-item-1",
                "4"), NOW + 40);
        StatusBoard board = new StatusBoard(out, titles, false);
        board.render(figures, NOW);
        String first = drawn();
        assertTrue(first.startsWith("user R-TWO after Toy number 5 -> Toy number 3 | Toy number 9 | no-such-item-1\n"),
                first);
        assertTrue(first.contains("recs     1 (0.0/s) | latency p50 40 ms, p99 40 ms (last 1) | 0 fallbacks"), first);
        assertTrue(first.contains("Recall@10 1.0000 (1 of 1 with a next item)"), first);
        assertEquals(5, first.lines().count());
        board.render(figures, NOW + 5_000);
        assertEquals("", drawn(), "nothing before 10 s");
        board.render(figures, NOW + 10_000);
        String again = drawn();
        assertEquals(5, again.lines().count());
        assertFalse((first + again).contains("\u001b"), "no escape codes in a log");
    }

    @Test
    void interactiveOutputRedrawsTheBlockInPlace() {
        StatusBoard board = new StatusBoard(out, titles, true);
        board.render(figures, NOW);
        String first = drawn();
        assertEquals(4, first.lines().count(), "no sample before the first recommendation");
        board.render(figures, NOW + 1_000);
        assertTrue(drawn().startsWith("\r\u001b[4A"), "back up over the 4 lines of the block");
        board.summary(figures.snapshot(NOW + 2_000));
        String summary = drawn();
        assertTrue(summary.startsWith("\r\u001b[4Asummary:"), summary);
    }

    @Test
    void titlesAreShortenedAndFallBackToTheId() {
        assertEquals("Toy number 5", titles.shortTitle("5"));
        assertEquals("8", titles.shortTitle("8"), "item 8 has no text");
        assertEquals("no-such-item-2", titles.shortTitle("no-such-item-2"));
        assertEquals("42", titles.shortTitle("42"), "beyond the catalogue");
        assertEquals("user u after Toy number 5 -> ", new StatusBoard(out, titles, false)
                .sampleLine(new LiveFigures.Sample("u", "5", List.of())));
        ItemText longTitle = new ItemText("A0", "A very long title that goes on and on and on", "", "", "");
        Dataset one = new Dataset("one", 1, new int[][] {{0}}, new int[][] {{}}, new int[][] {{}},
                new boolean[1], new ItemText[] {longTitle}, null, null, List.of());
        assertEquals("A very long title that goes o...", ItemTitles.of(one).shortTitle("0"));
    }

    private String drawn() {
        String s = bytes.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n");
        bytes.reset();
        return s;
    }
}
