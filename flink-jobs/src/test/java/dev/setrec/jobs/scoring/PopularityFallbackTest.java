package dev.setrec.jobs.scoring;

import dev.setrec.jobs.records.Ranking;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PopularityFallbackTest {
    @Test
    void ranksTheMostCountedFirstMarkedAsAFallback() {
        PopularityFallback fallback = new PopularityFallback(2);
        for (String item : List.of("a", "b", "b", "c", "c", "c")) {
            fallback.count(item);
        }
        Ranking ranking = fallback.ranking();
        assertArrayEquals(new String[] {"c", "b"}, ranking.itemIds());
        assertArrayEquals(new float[] {3, 2}, ranking.scores());
        assertTrue(ranking.fallback());
    }

    @Test
    void restoredCountsRankAtOnceAndAddToWhatIsCountedSince() {
        PopularityFallback fallback = new PopularityFallback(3);
        fallback.ranking(); // built empty: a restore must not wait for the next rebuild
        fallback.restore(Map.of("x", 5.0, "y", 1.0));
        assertArrayEquals(new String[] {"x", "y"}, fallback.ranking().itemIds());

        PopularityFallback restarted = new PopularityFallback(3);
        restarted.restore(Map.of("x", 5.0, "y", 1.0));
        for (int i = 0; i < 5; i++) {
            restarted.count("y");
        }
        assertEquals(List.of(Map.entry("y", 6.0), Map.entry("x", 5.0)), restarted.saved());
    }

    @Test
    void countsStayBoundedWhateverTheNumberOfItems() {
        PopularityFallback fallback = new PopularityFallback(10);
        fallback.count("popular");
        fallback.count("popular");
        for (int i = 0; i < 5 * PopularityFallback.KEPT; i++) {
            fallback.count("once-" + i);
        }
        List<Map.Entry<String, Double>> saved = fallback.saved();
        assertEquals(PopularityFallback.SAVED, saved.size(), "a checkpoint keeps the most counted only");
        assertEquals(Map.entry("popular", 2.0), saved.get(0), "the most counted survive the pruning");
    }
}
