package dev.setrec.text;

import ai.djl.ndarray.NDManager;
import dev.setrec.nn.Engines;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static dev.setrec.text.SharedMiniLm.cosine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The real all-MiniLM-L6-v2 on ONNX Runtime: meaning, unit rows, padding- and batch-independence, truncation. */
class MiniLmEncoderTest {
    private final MiniLmEncoder enc = SharedMiniLm.get();

    @Test
    void similarSentencesAreCloserThanUnrelatedOnes() {
        float[][] v = enc.encode(List.of("A cat sits on the mat", "A kitten lies on the rug",
                "Quarterly revenue grew"));
        double related = cosine(v[0], v[1]);
        double unrelated = cosine(v[0], v[2]);
        System.out.printf(Locale.ROOT, "cos(cat, kitten) = %.3f, cos(cat, revenue) = %.3f%n", related, unrelated);
        assertTrue(related > unrelated + 0.3, related + " vs " + unrelated);
    }

    @Test
    void rowsAreUnitNormWithTheDeclaredDim() {
        float[][] v = enc.encode(List.of("Lego bricks", "", "A much longer product title with several words in it"));
        for (float[] row : v) {
            assertEquals(MiniLmEncoder.DIM, row.length);
            assertEquals(1.0, Math.sqrt(normSquared(row)), 1e-5);
        }
        assertEquals(384, enc.dim());
        assertTrue(enc.id().startsWith("all-minilm-l6-v2-1."), enc.id());
    }

    @Test
    void aMixedBatchEqualsEachTextAlone() {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < MiniLmEncoder.BATCH + 9; i++) { // more than one padded batch
            texts.add("Toy number " + i + " with" + " extra words".repeat(i % 7 * 5));
        }
        float[][] together = enc.encode(texts);
        for (int i = 0; i < texts.size(); i++) {
            float[] alone = enc.encode(List.of(texts.get(i)))[0];
            assertTrue(cosine(together[i], alone) > 0.9999, "text " + i + ": " + cosine(together[i], alone));
        }
    }

    @Test
    void textsAreTruncatedTo256Tokens() {
        String longText = "board game ".repeat(300);
        float[][] v = enc.encode(List.of(longText, longText + "with an ending far past the limit"));
        assertTrue(cosine(v[0], v[1]) > 0.99999, "words after token 256 must not count");
    }

    @Test
    void pyTorchStillWorksInTheSameJvm() {
        enc.encode(List.of("first ONNX Runtime"));
        try (NDManager m = Engines.pytorch().newBaseManager()) {
            assertEquals(6f, m.create(new float[] {1, 2, 3}).sum().getFloat());
        }
        assertEquals(MiniLmEncoder.DIM, enc.encode(List.of("then ONNX Runtime again"))[0].length);
    }

    private static double normSquared(float[] row) {
        double s = 0;
        for (float x : row) {
            s += x * x;
        }
        return s;
    }
}
