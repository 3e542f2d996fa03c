package dev.setrec.jobs.quickstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.setrec.data.Dataset;
import dev.setrec.data.ItemText;
import dev.setrec.schemas.Recommendation;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The console side of the live view: what is drawn, how often, and the sample line's titles. */
class LiveViewBoardTest {
    private static final long NOW = 1_700_000_000_000L;
    private static final JobHealth RUNNING = new JobHealth(JobState.RUNNING, 0, 0, 5, 5, Optional.empty());
    private static final JobHealth.Failure POISON = new JobHealth.Failure(
            "java.lang.IllegalStateException: poison record", NOW - 4_000);
    private static final JobHealth RESTARTING = new JobHealth(JobState.RESTARTING, 1, 1, 3, 5, Optional.of(POISON));

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
        board.render(figures, RUNNING, NOW);
        String first = drawn();
        assertTrue(first.startsWith("user R-TWO after Toy number 5 -> Toy number 3 | Toy number 9 | no-such-item-1\n"
                + "job      running | no restarts\n"), first);
        assertTrue(first.contains("recs     1 (0.0/s) | latency p50 40 ms, p99 40 ms (last 1) | 0 fallbacks"), first);
        assertTrue(first.contains("Recall@10 1.0000 (1 of 1 with a next item)"), first);
        assertEquals(7, first.lines().count());
        board.render(figures, RUNNING, NOW + 5_000);
        assertEquals("", drawn(), "nothing before 10 s");
        board.render(figures, RUNNING, NOW + 10_000);
        String again = drawn();
        assertEquals(7, again.lines().count());
        assertFalse((first + again).contains("\u001b"), "no escape codes in a log");
    }

    @Test
    void interactiveOutputRedrawsTheBlockInPlace() {
        StatusBoard board = new StatusBoard(out, titles, true);
        board.render(figures, RUNNING, NOW);
        String first = drawn();
        assertEquals(6, first.lines().count(), "no sample before the first recommendation");
        board.render(figures, RUNNING, NOW + 1_000);
        assertTrue(drawn().startsWith("\r\u001b[6A"), "back up over the 6 lines of the block");
        board.summary(figures.snapshot(NOW + 2_000), RUNNING, NOW + 2_000);
        String summary = drawn();
        assertTrue(summary.startsWith("\r\u001b[6Asummary:"), summary);
    }

    @Test
    void aModelThatTakesOverIsSaidOnceWithItsTimeAndEachModelHasItsOwnRecall() {
        ledger.eventSent("R-TWO", 1, "5", "3");
        ledger.eventSent("R-TWO", 2, "3", "4");
        Recommendation early = LiveViewFiguresTest.recommendation("R-TWO", 1, NOW, 0, "9");
        early.setFallback(true);
        figures.recommendation(early, NOW);
        StatusBoard board = new StatusBoard(out, titles, false);
        board.render(figures, RUNNING, NOW);
        String before = drawn();
        assertTrue(before.contains("models   popularity fallback since " + clock(NOW) + ": Recall@10 0.0000 (1 recs)"),
                before);
        assertFalse(before.contains("serving since"), "the first model serves from the start: nothing to announce");

        Recommendation ranked = LiveViewFiguresTest.recommendation("R-TWO", 2, NOW, 0, "4");
        ranked.setModelVersion("v2");
        figures.recommendation(ranked, NOW + 42_000);
        board.render(figures, RUNNING, NOW + 43_000);
        String after = drawn();
        assertTrue(after.startsWith("SETRec v2 serving since " + clock(NOW + 42_000) + ", after 42 s; before it: "
                + "popularity fallback\n"), after);
        assertTrue(after.contains(" | SETRec v2 since " + clock(NOW + 42_000) + ": Recall@10 1.0000 (1 recs)"), after);
        board.render(figures, RUNNING, NOW + 53_000);
        assertFalse(drawn().contains("serving since"), "said once");
    }

    @Test
    void aTrainingUnderWayShowsOnTheModelsLineAndAnnouncementsScrollAboveTheBlockOnce() {
        StatusBoard board = new StatusBoard(out, titles, false);
        String[] training = {"SETRec epoch 2/6, about 3 min left"};
        board.showTraining(() -> Optional.ofNullable(training[0]));
        board.announce("replaying it again");
        board.render(figures, RUNNING, NOW);
        String first = drawn();
        assertTrue(first.startsWith("replaying it again\njob      running"), first);
        assertTrue(first.contains("models   - | training: SETRec epoch 2/6, about 3 min left\n"), first);
        training[0] = null;
        board.render(figures, RUNNING, NOW + 10_000);
        String next = drawn();
        assertFalse(next.contains("replaying it again"), "said once");
        assertTrue(next.contains("models   -\n"), "no training: " + next);
    }

    @Test
    void theFallbackAnsweringNowAndThenWhileAModelServesIsNoTakeover() {
        ledger.eventSent("R-TWO", 1, "5", "3");
        ledger.eventSent("R-TWO", 2, "3", "4");
        figures.recommendation(LiveViewFiguresTest.recommendation("R-TWO", 1, NOW, 0, "3"), NOW);
        StatusBoard board = new StatusBoard(out, titles, false);
        board.render(figures, RUNNING, NOW);
        Recommendation timedOut = LiveViewFiguresTest.recommendation("R-TWO", 2, NOW, 0, "9");
        timedOut.setFallback(true);
        figures.recommendation(timedOut, NOW + 1_000);
        board.render(figures, RUNNING, NOW + 11_000);
        String drawn = drawn();
        assertFalse(drawn.contains("serving since"), drawn);
        assertTrue(drawn.contains(" | popularity fallback since " + clock(NOW + 1_000)), drawn);
    }

    private static String clock(long millis) {
        return DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault())
                .format(Instant.ofEpochMilli(millis));
    }

    @Test
    void aJobThatIsNotRunningSaysSoNextToItsRate() {
        StatusBoard board = new StatusBoard(out, titles, false);
        board.render(figures, RESTARTING, NOW);
        String drawn = drawn();
        assertTrue(drawn.startsWith("job      restarting: 3/5 tasks up | 1 restart | 1 failure, 4 s ago: "
                + "java.lang.IllegalStateException: poison record\n"), drawn);
        assertTrue(drawn.contains("recs     0 (0.0/s, job restarting) | latency -"), drawn);
    }

    @Test
    void aLogShowsEveryChangeOfTheJobAtOnce() {
        StatusBoard board = new StatusBoard(out, titles, false);
        board.render(figures, RUNNING, NOW);
        assertTrue(drawn().contains("job      running | no restarts"));
        board.render(figures, RESTARTING, NOW + 1_000);
        assertTrue(drawn().contains("job      restarting"), "a restart is logged when it happens, not 10 s later");
        board.render(figures, RESTARTING, NOW + 2_000);
        assertEquals("", drawn(), "no change, not yet 10 s");
        JobHealth recovered = new JobHealth(JobState.RUNNING, 1, 1, 5, 5, Optional.of(POISON));
        board.render(figures, recovered, NOW + 3_000);
        assertTrue(drawn().contains("job      running | 1 restart | 1 failure, 7 s ago: "
                + "java.lang.IllegalStateException: poison record"));
    }

    @Test
    void theJobAloneIsOneLine() {
        StatusBoard plain = new StatusBoard(out, ItemTitles.none(), false);
        plain.render(RUNNING, NOW);
        plain.render(RUNNING, NOW + 1_000);
        assertEquals("job      running | no restarts\n", drawn(), "once, until it changes or 10 s passed");
        JobHealth failed = new JobHealth(JobState.FAILED, 2, 3, 0, 5, Optional.of(POISON));
        plain.summary(failed, NOW + 4_000);
        assertEquals("job      failed for good | 2 restarts | 3 failures, the last 8 s ago: "
                + "java.lang.IllegalStateException: poison record\n", drawn());
        plain.render(RUNNING, NOW + 5_000);
        drawn();
        plain.summary(RUNNING, NOW + 6_000);
        assertEquals("", drawn(), "the log has the final line already");

        StatusBoard interactive = new StatusBoard(out, ItemTitles.none(), true);
        interactive.render(RUNNING, NOW);
        drawn();
        interactive.render(RESTARTING, NOW + 1_000);
        assertTrue(drawn().startsWith("\r\u001b[1Ajob      restarting"), "the one line redrawn in place");
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
