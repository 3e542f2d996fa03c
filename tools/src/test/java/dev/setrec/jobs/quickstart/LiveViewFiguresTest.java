package dev.setrec.jobs.quickstart;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.setrec.schemas.DeadLetter;
import dev.setrec.schemas.Recommendation;
import dev.setrec.schemas.ScoredItem;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The live view's figures, fed synthetic recommendations and dead letters directly (no broker). */
class LiveViewFiguresTest {
    private static final long NOW = 1_700_000_000_000L;

    private final ReplayLedger ledger = new ReplayLedger(100);
    private final LiveFigures figures = new LiveFigures(ledger, Set.of("c1", "c2", "c3"), 1_000);

    @Test
    void latencyPercentilesAreNearestRankOverTheWindow() {
        IntStream.rangeClosed(1, 100).forEach(ms -> figures.recommendation(recommendation("u", 1, NOW, 0), NOW + ms));
        LiveFigures.Snapshot s = figures.snapshot(NOW);
        assertEquals(100, s.latencySamples());
        assertEquals(50, s.latencyP50Millis());
        assertEquals(99, s.latencyP99Millis());
    }

    @Test
    void latencyWindowKeepsOnlyTheLastN() {
        LatencyWindow window = new LatencyWindow(10);
        assertArrayEquals(new long[] {-1, -1}, window.percentiles(0.5, 0.99), "empty");
        for (long ms = 1; ms <= 20; ms++) {
            window.add(ms);
        }
        assertEquals(10, window.size());
        assertArrayEquals(new long[] {11, 15, 20}, window.percentiles(0.01, 0.5, 0.99));
    }

    @Test
    void recallCountsOnlyReplayedEventsWithANextItem() {
        ledger.eventSent("u", 1, "i1", "i2");
        ledger.eventSent("u", 2, "i2", "i3");
        ledger.eventSent("u", 3, "i3", null);
        ledger.eventSent("v", 1, "i4", "i5");
        figures.recommendation(recommendation("u", 1, NOW, 0, "x", "i2"), NOW);                 // hit
        figures.recommendation(recommendation("u", 2, NOW, 10, "i3"), NOW);  // the next item is 11th: miss
        figures.recommendation(recommendation("u", 3, NOW, 0, "i9"), NOW);                      // no next item
        figures.recommendation(recommendation("v", 1, NOW, 9, "i5"), NOW);                      // 10th: hit
        figures.recommendation(recommendation("w", 7, NOW, 0, "i5"), NOW);                      // not replayed
        LiveFigures.Snapshot s = figures.snapshot(NOW);
        assertEquals(5, s.recommendations());
        assertEquals(3, s.withNextItem());
        assertEquals(2, s.hitsAt10());
        assertEquals(2.0 / 3, s.recallAt10(), 1e-12);
        assertEquals(new LiveFigures.Sample("v", "i4", List.of("f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7",
                "f8", "i5")), figures.latestSample().orElseThrow(), "the last one with a replayed trigger");
    }

    @Test
    void recommendationsOfSeedEventsAreCountedAsSeededOnly() {
        ledger.seedSent("u", 1);
        ledger.seedSent("u", 2);
        ledger.eventSent("u", 3, "i3", "i4");
        figures.recommendation(recommendation("u", 1, NOW, 0, "c1"), NOW + 5_000);
        figures.recommendation(recommendation("u", 3, NOW, 0, "i4"), NOW + 20);
        LiveFigures.Snapshot s = figures.snapshot(NOW);
        assertEquals(2, s.seedEvents());
        assertEquals(1, s.seedsRecommended());
        assertEquals(1, s.recommendations(), "the seed's recommendation is not a live one");
        assertEquals(1, s.latencySamples());
        assertEquals(20, s.latencyP99Millis(), "nor is its latency");
        assertEquals(0, s.coldItemsRecommended(), "nor its items");
        assertEquals(1, s.hitsAt10());
    }

    @Test
    void coldItemsOnboardedRecommendedAndHit() {
        ledger.itemOnboarded();
        ledger.itemOnboarded();
        ledger.eventSent("u", 1, "i1", "c1");
        ledger.eventSent("u", 2, "c1", "c2");
        figures.recommendation(recommendation("u", 1, NOW, 0, "c1", "c3"), NOW);  // c1 is next: a cold hit
        figures.recommendation(recommendation("u", 2, NOW, 10, "c2"), NOW);       // c2 only 11th: a cold miss
        LiveFigures.Snapshot s = figures.snapshot(NOW);
        assertEquals(3, s.coldItemsHeldBack());
        assertEquals(2, s.coldItemsOnboarded());
        assertEquals(2, s.coldItemsRecommended(), "c1 and c3 were in a top 10, c2 never");
        assertEquals(2, s.coldTargets());
        assertEquals(1, s.coldHits());
    }

    @Test
    void recommendationsAreSplitByTheModelVersionTheyCarry() {
        ledger.eventSent("u", 1, "i1", "i2");
        ledger.eventSent("u", 2, "i2", "i3");
        ledger.eventSent("u", 3, "i3", null);
        Recommendation before = recommendation("u", 1, NOW, 0, "i2");                // hit
        Recommendation after = recommendation("u", 2, NOW, 10, "i3");                // miss
        Recommendation last = recommendation("u", 3, NOW, 0, "i9");                  // no next item
        after.setModelVersion("swapped-in");
        last.setModelVersion("swapped-in");
        figures.recommendation(before, NOW + 10);
        figures.recommendation(after, NOW + 20);
        figures.recommendation(last, NOW + 30);
        assertEquals(Map.of(before.getModelVersion(), new LiveFigures.ModelFigures(NOW + 10, 1, 1, 1),
                "swapped-in", new LiveFigures.ModelFigures(NOW + 20, 2, 1, 0)), figures.snapshot(NOW).byModel());
    }

    @Test
    void fallbacksAndRecentRate() {
        for (int i = 0; i < 30; i++) {
            Recommendation r = recommendation("u", 1, NOW, 0, "i1");
            r.setFallback(i % 3 == 0);
            figures.recommendation(r, NOW + (i < 10 ? 0 : 1_000)); // 10 in one second, 20 in the next
        }
        assertEquals(10, figures.snapshot(NOW).fallbacks());
        assertEquals(15.0, figures.snapshot(NOW + 2_000).recommendationsPerSecond(), 1e-9, "30 over 2 whole seconds");
        assertEquals(0.0, figures.snapshot(NOW + 10_000).recommendationsPerSecond(), 1e-9, "none lately");
    }

    @Test
    void deadLettersCountedByKindOfReason() {
        for (String reason : List.of("missing userId", "unknown item id 'no-such-item-3': not in the model",
                "unknown item id 'no-such-item-6': not in the model",
                "not Avro single-object encoding (Unrecognized header bytes: 0x00 0x4D), expected InteractionEvent")) {
            figures.deadLetter(deadLetter(reason));
        }
        figures.unreadable();
        LiveFigures.Snapshot s = figures.snapshot(NOW);
        assertEquals(Map.of("missing userId", 1L, "unknown item id", 2L, "not Avro single-object encoding", 1L),
                s.deadLettersByReason());
        assertEquals(4, s.deadLetters());
        assertEquals(1, s.unreadable());
        assertEquals("item could not be tokenized", LiveFigures.reasonKind("item 12 could not be tokenized: boom"));
        assertEquals("other", LiveFigures.reasonKind("'42'"));
    }

    @Test
    void snapshotOfNothingYet() {
        LiveFigures.Snapshot s = figures.snapshot(NOW);
        assertEquals(0, s.recommendations());
        assertEquals(-1, s.latencyP50Millis());
        assertTrue(Double.isNaN(s.recallAt10()));
        assertTrue(figures.latestSample().isEmpty());
    }

    /** A recommendation of {@code padding} filler items and then {@code items}, for (user, event time). */
    static Recommendation recommendation(String user, long eventTime, long recordTime, int padding,
                                         String... items) {
        List<ScoredItem> scored = IntStream.range(0, padding + items.length)
                .mapToObj(i -> new ScoredItem(i < padding ? "f" + i : items[i - padding], 1f / (i + 1)))
                .toList();
        return Recommendation.newBuilder()
                .setUserId(user)
                .setItems(scored)
                .setModelVersion("test")
                .setFallback(false)
                .setTriggerEventTime(Instant.ofEpochMilli(eventTime))
                .setTriggerRecordTime(Instant.ofEpochMilli(recordTime))
                .setProducedTime(Instant.ofEpochMilli(recordTime))
                .build();
    }

    static DeadLetter deadLetter(String reason) {
        return DeadLetter.newBuilder().setReason(reason).setSourceTopic("interactions").setSourcePartition(0)
                .setSourceOffset(0).setFailedTime(Instant.ofEpochMilli(NOW)).build();
    }
}
