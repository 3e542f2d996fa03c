package dev.setrec.model.setrec;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import dev.setrec.model.Recommender;
import dev.setrec.models.ModelDirs;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Model dirs saved before the configuration was split into architecture and training settings still load: their
 * model.json holds every setting of the old 25-component config (retired ones included) in "config".
 */
class OlderModelDirsTest {
    /** Saved by the code of before the split, with the scores it gave; training settings not at their defaults. */
    private static final String FIXTURE = "old-format-setrec";

    @Test
    void aModelDirOfTheOldFormatLoadsWithItsArchitectureAndMixAndScoresAsItDidWhenSaved() throws Exception {
        JsonObject expected;
        try (Reader r = new InputStreamReader(getClass().getResourceAsStream(FIXTURE + "-scores.json"),
                StandardCharsets.UTF_8)) {
            expected = new Gson().fromJson(r, JsonObject.class);
        }
        List<int[]> histories = new ArrayList<>();
        expected.getAsJsonArray("histories").forEach(h -> histories.add(new Gson().fromJson(h, int[].class)));
        float[] scores = new Gson().fromJson(expected.get("scores"), float[].class);

        try (SetRec model = (SetRec) ModelDirs.load(resource(FIXTURE))) {
            assertEquals(SetRecArchitecture.builder().dim(16).heads(2).blocks(1).ffnDim(32).maxLen(6).semTokens(2)
                    .sparseMask(true).build(), model.architecture());
            assertEquals(new ScoreMix(0.6f, 0.8f, -0.25f), model.mix());
            float[] out = new float[scores.length];
            model.score(histories, out);
            assertArrayEquals(scores, out, 1e-5f);
        }
    }

    @Test
    void theQuickToysModelOfThisCheckoutLoadsAndScores() throws IOException {
        Path dir = Path.of("..", "models", "toys-setrec-quick");
        assumeTrue(Files.isDirectory(dir), dir.toAbsolutePath().normalize() + " is absent (./setrec quickstart "
                + "trains it): not checked");
        try (Recommender model = ModelDirs.load(dir)) {
            float[] out = new float[model.numItems()];
            model.score(List.<int[]>of(new int[] {0, 1, 2}), out);
            for (float score : out) {
                assertTrue(Float.isFinite(score));
            }
        }
    }

    private Path resource(String name) throws URISyntaxException {
        return Path.of(getClass().getResource(name).toURI());
    }
}
