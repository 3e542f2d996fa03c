package dev.setrec.jobs.quickstart;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.setrec.schemas.Recommendation;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The run's report, built from a recorded run (real LiveFigures fed decoded-record objects second by second, its
 * timeline ticked as the clock goes), then read back as a reader would: parsed, its figures against the summary.
 */
class RunReportTest {
    private static final long START = 1_700_000_000_000L;
    private static final int SECONDS = 40;
    private static final int SWAP_AT_SECOND = 25;
    private static final int USERS = 10;
    private static final List<String> HELD_BACK = List.of("c1", "c2", "c3");
    private static final String FLOOR = "floor-version";
    private static final String SETREC = "setrec-version";
    private static final RunReport.Run RUN = new RunReport.Run("a recorded test run", Map.of(SETREC, "SETRec quick"));

    private final ReplayLedger ledger = new ReplayLedger(SECONDS * USERS);
    private final LiveFigures figures = new LiveFigures(ledger, Set.copyOf(HELD_BACK), 1_000);
    private final RunTimeline timeline = RunTimeline.manual(figures, START);

    @Test
    void theReportsFiguresAreTheRunsSummary() throws Exception {
        long end = recordRun();
        LiveFigures.Snapshot summary = figures.snapshot(end);
        ReportFigures report = ReportFigures.parse(report(end, summary));

        assertEquals(summary, report.summary(), "the embedded summary");
        Map<String, String> table = report.table();
        for (RecordComponent figure : LiveFigures.Snapshot.class.getRecordComponents()) {
            if (figure.getType().isPrimitive()) {
                assertEquals(String.valueOf(figure.getAccessor().invoke(summary)), table.get(figure.getName()),
                        "the table's " + figure.getName());
            }
        }
        assertEquals(Double.toString(summary.recallAt10()), table.get("recallAt10"));
        assertEquals(Long.toString(summary.deadLetters()), table.get("deadLetters"));
        Map<String, String> byReason = table.entrySet().stream()
                .filter(e -> e.getKey().startsWith("deadLettersByReason/"))
                .collect(Collectors.toMap(e -> e.getKey().substring("deadLettersByReason/".length()),
                        Map.Entry::getValue));
        assertEquals(summary.deadLettersByReason().entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().toString())), byReason);

        assertTrue(summary.deadLettersByReason().size() > 1 && summary.coldHits() > 0 && summary.hitsAt10() > 0
                && summary.hitsAt10() < summary.withNextItem(), "the recorded run has something of everything");
    }

    @Test
    void samplesOverTimeEndWithTheSummaryAndEachModelHasItsLineAndStart() throws Exception {
        long end = recordRun();
        LiveFigures.Snapshot summary = figures.snapshot(end);
        ReportFigures report = ReportFigures.parse(report(end, summary));

        JsonArray samples = report.figures().getAsJsonArray("samples");
        assertEquals(timeline.samples().size() + 1, samples.size(), "every sample and the end");
        JsonObject last = samples.get(samples.size() - 1).getAsJsonObject();
        assertEquals(end, last.get("atMillis").getAsLong());
        assertEquals(report.figures().get("summary"), last.get("figures"));

        assertEquals(Set.of(FLOOR, SETREC), summary.byModel().keySet());
        assertEquals(summary.withNextItem(), summary.byModel().values().stream()
                .mapToLong(LiveFigures.ModelFigures::withNextItem).sum(), "the models' split adds up");
        Element recall = chart(report, "Online Recall@10");
        List<String> starts = texts(recall, "marker");
        assertEquals(List.of(RUN.modelName(FLOOR) + " serves", RUN.modelName(SETREC) + " serves"), starts,
                "in serving order");
        assertEquals(2, recall.getElementsByTagName("polyline").getLength(), "one line per model");
        assertEquals(Set.of(FLOOR, SETREC), rowsWith(report, "data-model"));
    }

    @Test
    void theReportNeedsNothingFromOutside() throws Exception {
        long end = recordRun();
        String html = report(end, figures.snapshot(end));
        ReportFigures report = ReportFigures.parse(html);

        assertFalse(html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "").matches("(?s).*(https?:|src=|href=).*"),
                "no address, source or link");
        NodeList scripts = report.document().getElementsByTagName("script");
        assertEquals(1, scripts.getLength(), "no script but the figures");
        assertEquals("application/json", ((Element) scripts.item(0)).getAttribute("type"));
        assertEquals(6, report.document().getElementsByTagName("svg").getLength(), "six plots, drawn inline");
    }

    @Test
    void aLongRunKeepsBoundedSamplesOverTheWholeRun() {
        int ticks = RunTimeline.MAX_SAMPLES * 3;
        for (int second = 0; second < ticks; second++) {
            timeline.tick(START + second * 1000L);
        }
        List<RunTimeline.Sample> samples = timeline.samples();
        assertTrue(samples.size() < RunTimeline.MAX_SAMPLES, samples.size() + " samples");
        assertEquals(START, samples.get(0).atMillis(), "the start stays");
        long lastTick = START + (ticks - 1) * 1000L;
        long spacing = samples.get(samples.size() - 1).atMillis() - samples.get(samples.size() - 2).atMillis();
        assertTrue(lastTick - samples.get(samples.size() - 1).atMillis() < spacing, "the end is there too");
    }

    @Test
    void aMissingValueBreaksTheLine() {
        String svg = SvgChart.draw("t", 4, List.of(new SvgChart.Line("l", new double[] {0, 1, 2, 3, 4},
                new double[] {1, Double.NaN, 2, 3, Double.NaN})), List.of());
        assertEquals(1, count(svg, "<circle"), "the lone first value is a dot");
        assertEquals(1, count(svg, "<polyline"), "the two after the gap a line");
    }

    /**
     * A run of {@link #SECONDS}: each second every user's next event is sent and its recommendation arrives 20 to 60
     * ms later, the next item at a random place in the top 12 (a hit when in the top 10), every fifth one a cold
     * item; the cold items are onboarded in the first seconds, a dead letter comes every few seconds, and the
     * serving model changes at {@link #SWAP_AT_SECOND}. The timeline ticks at the start and after every second.
     *
     * @return the time the run ended
     */
    private long recordRun() {
        Random random = new Random(20);
        List<String> reasons = List.of("missing userId", "unknown item id 'x': not in the model");
        timeline.tick(START);
        for (int second = 0; second < SECONDS; second++) {
            long secondStart = START + second * 1000L;
            if (second < HELD_BACK.size()) {
                ledger.itemOnboarded();
            }
            for (int user = 0; user < USERS; user++) {
                String next = second == SECONDS - 1 ? null
                        : second % 5 == 0 ? HELD_BACK.get(user % HELD_BACK.size()) : "i" + (second + user + 1);
                ledger.eventSent("u" + user, second, "i" + (second + user), next);
                long sent = secondStart + user * 50L;
                Recommendation r = LiveViewFiguresTest.recommendation("u" + user, second, sent, random.nextInt(12),
                        next == null ? "i0" : next);
                r.setModelVersion(second < SWAP_AT_SECOND ? FLOOR : SETREC);
                figures.recommendation(r, sent + 20 + random.nextInt(40));
            }
            if (second % 4 == 1) {
                figures.deadLetter(LiveViewFiguresTest.deadLetter(reasons.get(second % 3 == 0 ? 0 : 1)));
            }
            timeline.tick(secondStart + 1000);
        }
        return START + SECONDS * 1000L + 300;
    }

    private String report(long end, LiveFigures.Snapshot summary) {
        return new RunReport(RUN, START, timeline.samples(), new RunTimeline.Sample(end, summary)).html();
    }

    private static Element chart(ReportFigures report, String titleStart) {
        NodeList charts = report.document().getElementsByTagName("svg");
        for (int i = 0; i < charts.getLength(); i++) {
            Element chart = (Element) charts.item(i);
            if (chart.getAttribute("aria-label").startsWith(titleStart)) {
                return chart;
            }
        }
        throw new AssertionError("no chart " + titleStart);
    }

    private static List<String> texts(Element chart, String cssClass) {
        List<String> texts = new ArrayList<>();
        NodeList all = chart.getElementsByTagName("text");
        for (int i = 0; i < all.getLength(); i++) {
            Element text = (Element) all.item(i);
            if (text.getAttribute("class").equals(cssClass)) {
                texts.add(text.getTextContent());
            }
        }
        return texts;
    }

    private static Set<String> rowsWith(ReportFigures report, String attribute) {
        NodeList rows = report.document().getElementsByTagName("tr");
        Set<String> values = new java.util.HashSet<>();
        for (int i = 0; i < rows.getLength(); i++) {
            Element row = (Element) rows.item(i);
            if (row.hasAttribute(attribute)) {
                values.add(row.getAttribute(attribute));
            }
        }
        return values;
    }

    private static int count(String text, String part) {
        return text.split(java.util.regex.Pattern.quote(part), -1).length - 1;
    }
}
