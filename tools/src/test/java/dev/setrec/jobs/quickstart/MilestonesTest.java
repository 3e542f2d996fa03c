package dev.setrec.jobs.quickstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.setrec.schemas.Recommendation;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The milestone lines: said once each, with both clocks, and read back as they were said. */
class MilestonesTest {
    private static final long LAUNCHED = 1_700_000_000_000L;
    private static final long RUN_STARTED = LAUNCHED + 12_300;

    private final ReplayLedger ledger = new ReplayLedger(8);
    private final LiveFigures figures = new LiveFigures(ledger, Set.of(), 100);

    @Test
    void theFirstRecommendationThenSetRecServingEachOnceAndReadBack() {
        Milestones milestones = Milestones.of(RUN_STARTED, Map.of(Milestones.LAUNCHED_ENV, Long.toString(LAUNCHED)));
        assertEquals(List.of(), milestones.newLines(figures.snapshot(RUN_STARTED)), "nothing yet");
        Recommendation fallback = LiveViewFiguresTest.recommendation("R-TWO", 1, RUN_STARTED, 0, "9");
        fallback.setFallback(true);
        figures.recommendation(fallback, RUN_STARTED + 40_000);
        List<String> first = milestones.newLines(figures.snapshot(RUN_STARTED + 41_000));
        assertEquals(List.of("milestone: first recommendation after 40.0 s of the run, 52.3 s after ./setrec "
                + "started"), first);
        assertEquals(Optional.of(new Milestones.Milestone(Milestones.FIRST_RECOMMENDATION, 40.0, 52.3)),
                Milestones.parse(first.get(0)));

        figures.recommendation(LiveViewFiguresTest.recommendation("R-TWO", 2, RUN_STARTED, 0, "9"),
                RUN_STARTED + 150_100);
        List<String> serving = milestones.newLines(figures.snapshot(RUN_STARTED + 151_000));
        assertEquals(1, serving.size(), serving.toString());
        assertEquals(Optional.of(new Milestones.Milestone(Milestones.SETREC_SERVING, 150.1, 162.4)),
                Milestones.parse(serving.get(0)));
        assertEquals(List.of(), milestones.newLines(figures.snapshot(RUN_STARTED + 152_000)), "said once");
    }

    @Test
    void aModelServingFromTheStartMakesBothMilestonesAtOnceAndWithoutTheLauncherOnlyTheRunCounts() {
        Milestones milestones = Milestones.of(RUN_STARTED, Map.of());
        figures.recommendation(LiveViewFiguresTest.recommendation("R-TWO", 1, RUN_STARTED, 0, "9"),
                RUN_STARTED + 30_000);
        List<String> lines = milestones.newLines(figures.snapshot(RUN_STARTED + 31_000));
        assertEquals(List.of("milestone: first recommendation after 30.0 s of the run",
                "milestone: SETRec serving after 30.0 s of the run"), lines);
        Milestones.Milestone read = Milestones.parse(lines.get(1)).orElseThrow();
        assertTrue(Double.isNaN(read.launchSeconds()), "the launcher's start is not known");
        assertEquals(Optional.empty(), Milestones.parse("models   SETRec v1 since 11:19:28: Recall@10 0.4 (2 recs)"));
    }
}
