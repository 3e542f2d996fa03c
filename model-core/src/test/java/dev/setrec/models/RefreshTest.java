package dev.setrec.models;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.setrec.model.ModelIO;
import dev.setrec.model.MostPop;
import dev.setrec.model.setrec.ItemInputs;
import dev.setrec.model.setrec.SetRec;
import dev.setrec.testing.ChainShop;
import dev.setrec.testing.TinyModels;
import dev.setrec.text.ItemTexts;
import dev.setrec.text.TextEncoder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Refreshes of a small SETRec trained on chain walks ({@link ChainShop}), from windows of later events: real
 * training and evaluation, no figure assumed.
 */
class RefreshTest {
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-07T22:00:00Z"), ZoneOffset.UTC);
    private static final TextEncoder ENCODER = new TinyModels.HashEncoder();
    private static final Refresh.Settings SETTINGS = new Refresh.Settings(0.1, 5, 2, 3e-4f, 42, 500);
    private static final String NEWEST_ITEM = "new-2";
    private static final List<Refresh.NewItem> NEW_ITEMS = List.of(
            new Refresh.NewItem(ChainShop.NEW_ITEM, ChainShop.textOf(ChainShop.NEW_ITEM)));

    @TempDir
    static Path trained;
    static Path servingVersion;

    @TempDir
    Path models;

    @BeforeAll
    static void trainTheServingModel() throws IOException {
        servingVersion = ChainShop.servingFolder(trained.resolve("models"), ENCODER, 5);
    }

    /** A models folder whose only version is the trained serving model. */
    private Path folder() throws IOException {
        Files.copy(servingVersion, models.resolve(servingVersion.getFileName()));
        try (Stream<Path> files = Files.list(servingVersion)) {
            for (Path file : files.toList()) {
                Files.copy(file, models.resolve(servingVersion.getFileName()).resolve(file.getFileName()));
            }
        }
        return models;
    }

    @Test
    void aNewItemWithInteractionsBecomesWarmAndRanksHigherInThePromotedVersion() throws IOException {
        List<Refresh.Event> window = new ArrayList<>(ChainShop.withNewItem(1000, 1));
        window.add(new Refresh.Event("u0", "not-in-any-catalogue", ChainShop.START.toEpochMilli()));
        // a newer item whose only interaction is the window's newest, in the held-back slice: no candidate learned it
        long newest = window.stream().mapToLong(Refresh.Event::timeMillis).max().orElseThrow();
        window.add(new Refresh.Event("u1", NEWEST_ITEM, newest + 1));
        List<Refresh.NewItem> items = List.of(NEW_ITEMS.get(0),
                new Refresh.NewItem(NEWEST_ITEM, ChainShop.textOf(NEWEST_ITEM)));
        Refresh.Outcome outcome = Refresh.run(folder(), window, items, ENCODER, SETTINGS, CLOCK, QUIET);
        assertTrue(outcome.promoted(), outcome.reason() + ": " + outcome.record());
        assertTrue(outcome.candidate().allRecallAt10() > outcome.serving().allRecallAt10());
        assertEquals(List.of(outcome.version(), servingVersion.getFileName().toString()), entries());

        Path promoted = models.resolve(outcome.version());
        JsonObject record = ModelIO.readManifest(promoted).training();
        assertEquals("refresh", record.get("fit").getAsString());
        assertEquals(servingVersion.getFileName().toString(), record.get("from_version").getAsString());
        assertEquals(1, record.get("events_dropped_unknown_item").getAsInt());
        assertEquals(List.of(ChainShop.NEW_ITEM), record.getAsJsonArray("newly_warm_items").asList().stream()
                .map(JsonElement::getAsString).toList(), "the items the promoted candidate learned, no other");
        float[] text = ItemTexts.embed(ENCODER, ChainShop.textOf(ChainShop.NEW_ITEM));
        try (SetRec refreshed = (SetRec) ModelDirs.load(promoted);
             SetRec serving = (SetRec) ModelDirs.load(servingVersion)) {
            int row = rowOf(refreshed.items(), ChainShop.NEW_ITEM);
            assertFalse(refreshed.items().cold()[row], "the new item's CF input is learned: it is warm");
            assertTrue(refreshed.items().cold()[rowOf(refreshed.items(), NEWEST_ITEM)],
                    "an item first seen in the held-back slice waits for the next refresh to be learned");
            float[] predicted = serving.predictCf(new float[][] {text})[0];
            assertFalse(Arrays.equals(predicted, refreshed.items().cf()[row]), "not its prediction from text");

            serving.updateItems(new int[0], null, new ItemInputs(new String[] {ChainShop.NEW_ITEM},
                    new float[][] {predicted}, new float[][] {text}, new boolean[] {true}));
            int before = predecessor(ChainShop.BEFORE_NEW);
            List<String> history = List.of(Integer.toString(predecessor(before)), Integer.toString(before),
                    Integer.toString(ChainShop.BEFORE_NEW));
            int rankAfter = rank(refreshed, history, ChainShop.NEW_ITEM);
            int rankBefore = rank(serving, history, ChainShop.NEW_ITEM);
            assertTrue(rankAfter < rankBefore && rankAfter < 10, "after " + history + " the new item ranks "
                    + rankAfter + " in the refreshed version, " + rankBefore + " in the serving one");
        }
    }

    @Test
    void aWindowOfNoiseIsRefusedAndTheFolderStaysAsItWas() throws IOException {
        List<String> before = entries(folder());
        Refresh.Outcome outcome = Refresh.run(models, ChainShop.noise(400, 2), NEW_ITEMS, ENCODER, SETTINGS, CLOCK,
                QUIET);
        assertFalse(outcome.promoted(), outcome.reason() + ": " + outcome.record());
        assertNull(outcome.version());
        assertNotNull(outcome.candidate());
        // a mean that is not higher, or a lead a coin would match: noise decides which
        assertTrue(outcome.reason().contains("is not higher") || outcome.reason().contains("could be chance"),
                outcome.reason());
        assertEquals(before, entries());
    }

    @Test
    void tooFewEventsAreRefusedBeforeAnyTraining() throws IOException {
        List<String> before = entries(folder());
        Refresh.Outcome outcome = Refresh.run(models, ChainShop.withNewItem(400, 1).subList(0, 499), NEW_ITEMS,
                ENCODER, SETTINGS, CLOCK, QUIET);
        assertFalse(outcome.promoted());
        assertTrue(outcome.reason().contains("499 events") && outcome.reason().contains("fewer than the 500"),
                outcome.reason());
        assertNull(outcome.candidate());
        assertEquals(before, entries());
    }

    @Test
    void aFolderWithoutALoadableSetRecVersionIsBadInput() throws IOException {
        assertTrue(refreshOf(models.resolve("absent")).contains("does not exist"));
        assertTrue(refreshOf(models).contains("no complete version"));
        ModelFolder.addVersion(models, "20261201-000000-mostpop",
                dir -> ModelIO.save(MostPop.fit(ChainShop.ITEMS, List.of(new int[] {1, 2})), dir, new JsonObject()));
        assertTrue(refreshOf(models).contains("only SETRec models are refreshed"));
    }

    @Test
    void theChanceOfALeadIsTheBinomialTail() {
        assertEquals(1, Refresh.binomialTail(0, 0), "no user told the models apart");
        assertEquals(1.0 / 1024, Refresh.binomialTail(10, 10), 1e-12);
        assertEquals(11.0 / 1024, Refresh.binomialTail(9, 10), 1e-12);
        assertEquals(0.5, Refresh.binomialTail(1001, 2001), 1e-9, "the tail from the middle, where 2^-n underflows");
    }

    private String refreshOf(Path folder) {
        return assertThrows(IllegalArgumentException.class, () -> Refresh.run(folder,
                ChainShop.withNewItem(100, 1), NEW_ITEMS, ENCODER, SETTINGS, CLOCK, QUIET)).getMessage();
    }

    private static int predecessor(int item) {
        return IntStream.range(0, ChainShop.ITEMS).filter(i -> ChainShop.successor(i) == item).findFirst()
                .orElseThrow();
    }

    private static int rowOf(ItemInputs items, String id) {
        return Arrays.asList(items.ids()).indexOf(id);
    }

    /** How many items score above {@code item} for {@code history} (external ids). */
    private static int rank(SetRec model, List<String> history, String item) {
        float[] scores = new float[model.numItems()];
        model.score(List.of(history.stream().mapToInt(id -> rowOf(model.items(), id)).toArray()), scores);
        float score = scores[rowOf(model.items(), item)];
        return (int) IntStream.range(0, scores.length).filter(i -> scores[i] > score).count();
    }

    private List<String> entries() throws IOException {
        return entries(models);
    }

    private static List<String> entries(Path folder) throws IOException {
        try (Stream<Path> list = Files.list(folder)) {
            return list.map(p -> p.getFileName().toString()).sorted((a, b) -> b.compareTo(a)).toList();
        }
    }
}
