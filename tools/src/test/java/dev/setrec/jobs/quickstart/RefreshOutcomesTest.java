package dev.setrec.jobs.quickstart;

import com.google.gson.JsonArray;
import dev.setrec.schemas.ModelVersion;
import dev.setrec.schemas.Recommendation;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The refresh's outcomes as the quickstart shows them: their lines, the serving version's name, the report. */
class RefreshOutcomesTest {
    private static final long NOW = 1_700_000_000_000L;
    private static final JobHealth RUNNING = new JobHealth(JobState.RUNNING, 0, 0, 5, 5, Optional.empty());
    private static final String QUICK = "7a018b60e90ac945";
    private static final String REFRESHED = "c0ffee0123456789";
    private static final String REFRESHED_NAME = "20261208-001503-" + REFRESHED;

    private final RefreshOutcomes outcomes = new RefreshOutcomes(() -> Map.of(QUICK, "shop-setrec-quick"),
            "every 2 min");

    private static ModelVersion promoted() {
        return ModelVersion.newBuilder().setVersion(REFRESHED_NAME).setPromoted(true)
                .setReason("the candidate beats the serving version").setCandidateAllRecall10(0.0312)
                .setServingAllRecall10(0.02871).setNewlyWarm(14).setWindowEvents(20_000)
                .setStartedTime(Instant.ofEpochMilli(NOW)).setFinishedTime(Instant.ofEpochMilli(NOW + 95_400)).build();
    }

    private static ModelVersion refused() {
        return ModelVersion.newBuilder().setPromoted(false)
                .setReason("All Recall@10 0.0250 is not higher than the serving version's 0.0312")
                .setCandidateAllRecall10(0.025).setServingAllRecall10(0.0312).setNewlyWarm(0).setWindowEvents(1_234)
                .setStartedTime(Instant.ofEpochMilli(NOW + 120_000))
                .setFinishedTime(Instant.ofEpochMilli(NOW + 150_000)).build();
    }

    @Test
    void eachOutcomeIsOneLineWithItsFiguresOrItsReason() {
        assertEquals("PROMOTED " + REFRESHED_NAME + ": All R@10 0.0312 vs 0.0287 serving on the slice, 14 newly "
                + "warm items (window 20,000 interactions, 95 s)", RefreshOutcomes.line(promoted()));
        assertEquals("REFUSED: All Recall@10 0.0250 is not higher than the serving version's 0.0312 (window 1,234 "
                + "interactions, 30 s)", RefreshOutcomes.line(refused()));
        ModelVersion failed = ModelVersion.newBuilder(refused()).setReason("java.io.IOException: disk full")
                .setCandidateAllRecall10(null).setServingAllRecall10(null).build();
        assertTrue(RefreshOutcomes.line(failed).startsWith("REFUSED: java.io.IOException: disk full (window"));
    }

    @Test
    void aPromotedVersionIsNamedAfterItsStampAndTheOthersKeepTheirNames() {
        assertEquals("SETRec " + REFRESHED.substring(0, 12), outcomes.shortName(REFRESHED), "not promoted yet");
        assertEquals("refresh every 2 min: 0 promoted, 0 refused", outcomes.describe());
        outcomes.accept(promoted());
        outcomes.accept(refused());
        assertEquals("refresh 20261208-001503", outcomes.shortName(REFRESHED));
        assertEquals("shop-setrec-quick", outcomes.shortName(QUICK));
        assertEquals(Map.of(QUICK, "shop-setrec-quick", REFRESHED, "refresh 20261208-001503"),
                outcomes.modelNames());
        assertEquals("refresh every 2 min: 1 promoted, 1 refused", outcomes.describe());
        assertEquals(List.of(promoted(), refused()), outcomes.outcomes());
    }

    @Test
    void theBoardSaysEachOutcomeOnceAndShowsTheVersionServingNow() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StatusBoard board = new StatusBoard(new PrintStream(bytes, true, StandardCharsets.UTF_8), ItemTitles.none(),
                false);
        board.showVersions(outcomes);
        ReplayLedger ledger = new ReplayLedger(8);
        LiveFigures figures = new LiveFigures(ledger, Set.of(), 100);
        figures.recommendation(recommendationBy(QUICK, 1), NOW);
        board.render(figures, RUNNING, NOW);
        assertTrue(drawn(bytes).contains("\nversion  shop-setrec-quick since " + clock(NOW)
                + " | refresh every 2 min: 0 promoted, 0 refused\n"));

        board.announce(outcomes.accept(promoted()));
        figures.recommendation(recommendationBy(REFRESHED, 2), NOW + 100_000);
        board.render(figures, RUNNING, NOW + 100_000);
        String after = drawn(bytes);
        assertTrue(after.contains(RefreshOutcomes.line(promoted()) + "\njob      "), "above the block: " + after);
        assertTrue(after.contains("\nversion  refresh 20261208-001503 since " + clock(NOW + 100_000)
                + " | refresh every 2 min: 1 promoted, 0 refused\n"), after);
        board.render(figures, RUNNING, NOW + 110_000);
        assertFalse(drawn(bytes).contains("PROMOTED"), "said once");
    }

    @Test
    void theReportListsEveryOutcomeAndNamesTheRefreshedVersion() throws Exception {
        outcomes.accept(promoted());
        outcomes.accept(refused());
        ReplayLedger ledger = new ReplayLedger(8);
        LiveFigures figures = new LiveFigures(ledger, Set.of(), 100);
        figures.recommendation(recommendationBy(REFRESHED, 1), NOW + 100_000);
        RunTimeline timeline = RunTimeline.manual(figures, NOW);
        RunReport.Run run = new RunReport.Run("a test run", outcomes.modelNames(), outcomes.outcomes());
        ReportFigures report = ReportFigures.parse(new RunReport(run, NOW, timeline.samples(),
                new RunTimeline.Sample(NOW + 200_000, figures.snapshot(NOW + 200_000))).html());

        List<String> rows = new ArrayList<>();
        NodeList all = report.document().getElementsByTagName("tr");
        for (int i = 0; i < all.getLength(); i++) {
            Element row = (Element) all.item(i);
            if (row.hasAttribute("data-promoted")) {
                rows.add(row.getAttribute("data-promoted") + " " + row.getTextContent());
            }
        }
        assertEquals(List.of("true 1:35" + RefreshOutcomes.line(promoted()),
                "false 2:30" + RefreshOutcomes.line(refused())), rows);
        JsonArray lines = report.figures().getAsJsonArray("refreshes");
        assertEquals(RefreshOutcomes.line(promoted()), lines.get(0).getAsString());
        assertEquals("refresh 20261208-001503",
                report.figures().getAsJsonObject("modelNames").get(REFRESHED).getAsString());
    }

    private static Recommendation recommendationBy(String modelVersion, int eventTime) {
        Recommendation r = LiveViewFiguresTest.recommendation("u", eventTime, NOW, 0, "9");
        r.setModelVersion(modelVersion);
        return r;
    }

    private static String clock(long millis) {
        return DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault())
                .format(Instant.ofEpochMilli(millis));
    }

    private static String drawn(ByteArrayOutputStream bytes) {
        String s = bytes.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n");
        bytes.reset();
        return s;
    }
}
