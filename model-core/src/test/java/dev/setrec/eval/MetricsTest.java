package dev.setrec.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.util.Arrays;


/** Hand-computed values; d(r) = 1/log2(r+1): d1 = 1, d2 = 0.6309297535714575, d3 = 0.5, d10 = 0.2890648263178879. */
class MetricsTest {
    private static final double EPS = 1e-12;
    private static final double D1 = 1.0;
    private static final double D2 = 0.6309297535714575;
    private static final double D3 = 0.5;
    private static final double D4 = 0.43067655807339306;
    private static final double D5 = 0.38685280723454163;
    private static final double D10 = 0.2890648263178879;
    private static final int[] RANKED = {10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21};

    private static Metrics one(int[] groundTruth) {
        Metrics m = new Metrics();
        m.add(RANKED, RANKED.length, groundTruth);
        return m;
    }

    @Test
    void singleItemHitAtRank1() {
        // GT {10}: hit at rank 1 -> recall 1, DCG = 1 = IDCG -> ndcg 1
        Metrics m = one(new int[] {10});
        assertEquals(1.0, m.recallAt5(), EPS);
        assertEquals(1.0, m.recallAt10(), EPS);
        assertEquals(1.0, m.ndcgAt5(), EPS);
        assertEquals(1.0, m.ndcgAt10(), EPS);
        assertEquals(1, m.users());
    }

    @Test
    void singleItemHitAtRank10() {
        // GT {19}: rank 10 -> @5 nothing; recall@10 = 1, ndcg@10 = d10 / d1
        Metrics m = one(new int[] {19});
        assertEquals(0.0, m.recallAt5(), EPS);
        assertEquals(0.0, m.ndcgAt5(), EPS);
        assertEquals(1.0, m.recallAt10(), EPS);
        assertEquals(D10, m.ndcgAt10(), EPS);
    }

    @Test
    void multiItemGroundTruthUsesMinOfSizeAndK() {
        // GT {11, 13, 99}: hits at ranks 2 and 4, 99 never ranked.
        // recall@5 = recall@10 = 2/3; DCG = d2 + d4; IDCG over min(3, K) = 3 positions = d1 + d2 + d3
        Metrics m = one(new int[] {11, 13, 99});
        double ndcg = (D2 + D4) / (D1 + D2 + D3);
        assertEquals(2.0 / 3, m.recallAt5(), EPS);
        assertEquals(2.0 / 3, m.recallAt10(), EPS);
        assertEquals(ndcg, m.ndcgAt5(), EPS);
        assertEquals(ndcg, m.ndcgAt10(), EPS);
    }

    @Test
    void groundTruthLargerThanK() {
        // GT = 12 items, the whole ranking plus 100: ranks 1..10 all hit.
        // recall@5 = 5/13, recall@10 = 10/13 (divides by |GT| even when |GT| > K);
        // IDCG@K sums K positions, so ndcg@5 = ndcg@10 = 1
        int[] gt = {10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 100};
        Metrics m = one(gt);
        assertEquals(5.0 / 13, m.recallAt5(), EPS);
        assertEquals(10.0 / 13, m.recallAt10(), EPS);
        assertEquals(1.0, m.ndcgAt5(), EPS);
        assertEquals(1.0, m.ndcgAt10(), EPS);
    }

    @Test
    void noHits() {
        Metrics m = one(new int[] {1, 2});
        assertEquals(0.0, m.recallAt10(), EPS);
        assertEquals(0.0, m.ndcgAt10(), EPS);
    }

    @Test
    void averagesOverUsersAndHonoursRankedLength() {
        // user A: GT {10}, rank 1 -> recall 1, ndcg 1.
        // user B: GT {14, 15}, only the first 5 entries are ranked -> hit 14 at rank 5, 15 is cut off:
        //   recall@5 = recall@10 = 1/2, ndcg = d5 / (d1 + d2).
        Metrics m = new Metrics();
        m.add(RANKED, RANKED.length, new int[] {10});
        m.add(RANKED, 5, new int[] {14, 15});
        double ndcgB = D5 / (D1 + D2);
        assertEquals(2, m.users());
        assertEquals((1 + 0.5) / 2, m.recallAt5(), EPS);
        assertEquals((1 + 0.5) / 2, m.recallAt10(), EPS);
        assertEquals((1 + ndcgB) / 2, m.ndcgAt5(), EPS);
        assertEquals((1 + ndcgB) / 2, m.ndcgAt10(), EPS);
    }

    @Test
    void emptyAccumulatorAndEmptyGroundTruth() {
        Metrics m = new Metrics();
        assertEquals(0, m.users());
        assertEquals(0.0, m.recallAt10(), EPS);
        assertThrows(IllegalArgumentException.class, () -> m.add(RANKED, RANKED.length, new int[0]));
    }

    @Test
    void eachUsersTargetRankIsKeptInTheOrderAdded() {
        Metrics m = new Metrics();
        for (int u = 0; u < 20; u++) { // past the first capacity
            m.add(RANKED, RANKED.length, new int[] {11}, u);
        }
        m.add(RANKED, RANKED.length, new int[] {11});
        double[] ranks = m.userTargetRanks();
        assertEquals(21, ranks.length);
        assertEquals(0.0, ranks[0], EPS);
        assertEquals(19.0, ranks[19], EPS);
        assertTrue(Double.isNaN(ranks[20]), "a user added without ranks");
    }

    @Test
    void eachUsersRecallAt10IsKeptInTheOrderAdded() {
        Metrics m = new Metrics();
        for (int u = 0; u < 20; u++) { // past the first capacity
            m.add(RANKED, RANKED.length, u % 2 == 0 ? new int[] {11, 99} : new int[] {21});
        }
        double[] recalls = m.userRecallsAt10();
        assertEquals(20, recalls.length);
        assertEquals(0.5, recalls[0], EPS);
        assertEquals(0.0, recalls[1], EPS, "rank 12 is outside the top 10");
        assertEquals(0.5, recalls[18], EPS);
        assertEquals(m.recallAt10(), Arrays.stream(recalls).average().orElseThrow(), EPS);
    }
}
