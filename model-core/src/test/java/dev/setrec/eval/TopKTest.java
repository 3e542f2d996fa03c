package dev.setrec.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TopKTest {
    @Test
    void keepsBestFirstAndBreaksTiesByLowerItemId() {
        TopK top = new TopK(3);
        // scores: item 0:1, 1:5, 2:3, 3:5, 4:3 -> best first 1 (5), 3 (5), 2 (3); 4 ties with 2 but has a higher id
        float[] scores = {1, 5, 3, 5, 3};
        for (int i = scores.length - 1; i >= 0; i--) {
            top.offer(i, scores[i]);
        }
        int[] out = new int[3];
        assertEquals(3, top.drainBestFirst(out));
        assertArrayEquals(new int[] {1, 3, 2}, out);
        assertEquals(0, top.size());
    }

    @Test
    void shorterStreamThanCapacity() {
        TopK top = new TopK(5);
        top.offer(7, -1f);
        top.offer(2, 0f);
        int[] out = new int[5];
        assertEquals(2, top.drainBestFirst(out));
        assertArrayEquals(new int[] {2, 7}, Arrays.copyOf(out, 2));
    }

    @Test
    void matchesFullSortOnRandomScoresWithManyTies() {
        Random random = new Random(42);
        TopK top = new TopK(20);
        int[] out = new int[20];
        for (int round = 0; round < 50; round++) {
            float[] scores = new float[500];
            for (int i = 0; i < scores.length; i++) {
                scores[i] = random.nextInt(30); // few distinct values: many ties
            }
            top.clear();
            for (int i = 0; i < scores.length; i++) {
                top.offer(i, scores[i]);
            }
            int[] expected = IntStream.range(0, scores.length).boxed()
                    .sorted(Comparator.<Integer>comparingDouble(i -> -scores[i]).thenComparing(i -> i))
                    .limit(20).mapToInt(Integer::intValue).toArray();
            assertEquals(20, top.drainBestFirst(out));
            assertArrayEquals(expected, out);
        }
    }

    @Test
    void rejectsNaN() {
        assertThrows(IllegalArgumentException.class, () -> new TopK(2).offer(0, Float.NaN));
    }
}
