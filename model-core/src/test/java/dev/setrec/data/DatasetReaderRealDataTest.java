package dev.setrec.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Reads the real data sets and checks them against their stats.json; skipped where absent. */
class DatasetReaderRealDataTest {

    /**
     * The data root SETREC_DATA names, else the setrec.shared.data property (set by surefire), else ../shared/data
     * next to the repository root (the development machines' layout).
     */
    private static Path sharedData() {
        String named = System.getenv(DataRoot.ENV);
        if (named != null && !named.isBlank()) {
            return Path.of(named);
        }
        String property = System.getProperty("setrec.shared.data");
        if (property != null) {
            return Path.of(property);
        }
        // tests may run in the module directory or the repository root: the root is where mvnw lies
        Path root = Path.of("").toAbsolutePath();
        while (root.getParent() != null && !Files.exists(root.resolve("mvnw"))) {
            root = root.getParent();
        }
        return root.resolve("../shared/data").normalize();
    }

    private static Dataset readChecked(String relativeDir) throws IOException {
        Path dir = sharedData().resolve(relativeDir);
        Assumptions.assumeTrue(Files.isDirectory(dir), "real data absent: " + dir.toAbsolutePath()
                + " (set " + DataRoot.ENV + " to the folder holding the data sets to run this test)");
        JsonObject stats = JsonParser.parseString(Files.readString(dir.resolve("stats.json"))).getAsJsonObject();
        Dataset d = DatasetReader.read(dir);

        assertEquals(stats.get("n_users").getAsInt(), d.numUsers());
        assertEquals(stats.get("n_items").getAsInt(), d.numItems());
        JsonObject interactions = stats.getAsJsonObject("interactions");
        for (Split split : Split.values()) {
            assertEquals(interactions.get(split.label()).getAsLong(), d.numInteractions(split), split.label());
        }
        assertEquals(stats.get("n_cold_items").getAsInt(), d.numColdItems());
        assertEquals(stats.get("test_users").getAsInt(), countUsersWith(d, Split.TEST));
        assertEquals(stats.get("valid_users").getAsInt(), countUsersWith(d, Split.VALID));
        return d;
    }

    private static int countUsersWith(Dataset d, Split split) {
        int n = 0;
        for (int u = 0; u < d.numUsers(); u++) {
            n += d.sequence(u, split).length > 0 ? 1 : 0;
        }
        return n;
    }

    @Test
    void toys() throws IOException {
        Dataset d = readChecked("setrec/toys");
        assertEquals("toys", d.name());
        ItemText[] texts = d.itemTexts().orElseThrow();
        assertTrue(texts[0].keywords().length() > 0, "toys has a keywords column");
        float[][] emb = d.referenceCfEmbeddings().orElseThrow();
        assertEquals(64, emb[0].length);
        assertEquals("A21KH420DK0ICA", d.userExternalId(0));
        assertEquals(0, d.warnings().size(), () -> "warnings: " + d.warnings());
    }

    @Test
    void atspeedGames() throws IOException {
        Dataset d = readChecked("atspeed_games");
        assertEquals("atspeed_games", d.name());
        assertEquals("", d.itemTexts().orElseThrow()[0].keywords());
        assertTrue(d.referenceCfEmbeddings().isEmpty());
    }
}
