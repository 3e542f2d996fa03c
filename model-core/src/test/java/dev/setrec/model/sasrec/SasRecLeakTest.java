package dev.setrec.model.sasrec;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SasRecLeakTest {
    @Test
    void scoringLeavesNoArraysBehindInTheModel() {
        SasRecConfig config = new SasRecConfig(16, 2, 1, 32, 0.1f, 10, 1e-3f, 0f, 64, 1, 1, 0, 0, 3);
        try (SasRec model = new SasRec(config, 50)) {
            List<int[]> histories = List.of(new int[] {1, 2, 3}, new int[] {4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14});
            float[] out = new float[2 * 50];
            model.score(histories, out);
            int before = model.manager().getManagedArrays().size();
            for (int i = 0; i < 5; i++) {
                model.score(histories, out);
                model.itemEmbeddings();
            }
            assertEquals(before, model.manager().getManagedArrays().size(), "native arrays leaked per forward pass");
        }
    }
}
