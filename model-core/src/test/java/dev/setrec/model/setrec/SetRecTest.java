package dev.setrec.model.setrec;

import dev.setrec.data.ItemText;
import dev.setrec.data.Split;
import dev.setrec.eval.EvalOptions;
import dev.setrec.eval.EvalReport;
import dev.setrec.eval.Evaluator;
import dev.setrec.eval.Setting;
import dev.setrec.model.ModelIO;
import dev.setrec.model.MostPop;
import dev.setrec.model.Recommender;
import dev.setrec.models.Training;
import dev.setrec.testing.TwinItems;
import dev.setrec.text.TextEncoder;
import dev.setrec.models.ModelDirs;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SetRecTest {
    static final SetRecArchitecture SMALL = SetRecArchitecture.builder().dim(32).blocks(1).ffnDim(64).maxLen(10)
            .semTokens(2).build();
    static final SetRecTraining TRAINING = SetRecTraining.builder().dropout(0.1f).learningRate(5e-3f).weightDecay(0f)
            .warmupSteps(10).batchTokens(256).reconSample(256).maxEpochs(30).patience(5).weightAverage(0f).seed(11)
            .build();
    static TwinItems twins;
    static SetRec model;
    static JsonObject record;
    static float reconBefore;

    @BeforeAll
    static void train() {
        twins = TwinItems.generate(400, 60, 10, 24, 16, 5);
        model = new SetRec(SMALL, ItemInputs.numbered(twins.cf, twins.text, coldFlags(twins)), TRAINING);
        reconBefore = model.reconstructionLossOfAllItems();
        record = new SetRecTrainer(TRAINING, new PrintStream(OutputStream.nullOutputStream()))
                .train(model, Training.sequences(twins.data, Training.Fit.TRAIN), twins.data);
    }

    static boolean[] coldFlags(TwinItems t) {
        boolean[] cold = new boolean[t.data.numItems()];
        for (int i = 0; i < cold.length; i++) {
            cold[i] = t.data.isCold(i);
        }
        return cold;
    }

    @AfterAll
    static void close() {
        model.close();
    }

    static EvalReport test(Recommender r) throws IOException {
        return new Evaluator().evaluate(r, twins.data, EvalOptions.defaults(Split.TEST));
    }

    @Test
    void ranksColdItemsByTheirTextFarAboveChance() throws IOException {
        // Every test target is a cold twin; 10 of 60 cold items in a top 10 is chance (0.167).
        double cold = test(model).metrics(Setting.COLD).recallAt10();
        assertTrue(cold > 0.6, "SETRec cold Recall@10 " + cold);
        double pop = test(MostPop.fit(twins.data.numItems(), Training.sequences(twins.data, Training.Fit.TRAIN)))
                .metrics(Setting.COLD).recallAt10();
        assertTrue(cold > 2 * pop, "SETRec " + cold + " vs MostPop " + pop);
        assertTrue(model.mix().betaCold() > 0, "the semantic score must carry weight, " + model.mix());
    }

    @Test
    void groundingScoresAreTheInnerProductsMixedByEachItemsKind() {
        List<int[]> histories = List.of(new int[] {1, 2, 3}, new int[] {7});
        int n = twins.data.numItems();
        int d = SMALL.dim();
        float[][][] queries = model.scorer().queryOutputs(histories);
        float[] table = model.catalogue().servingTable();
        int row = (1 + SMALL.semTokens()) * d;
        ScoreMix chosen = model.mix();
        ScoreMix mix = new ScoreMix(0.2f, 0.9f, 1.5f);
        model.catalogue().setMix(mix);
        try {
            float[] scores = new float[2 * n];
            model.score(histories, scores);
            for (int b = 0; b < 2; b++) {
                for (int item = 0; item < n; item++) {
                    double cf = 0;
                    double sem = 0;
                    for (int j = 0; j < d; j++) {
                        cf += queries[b][0][j] * table[item * row + j];
                        for (int k = 1; k <= SMALL.semTokens(); k++) {
                            sem += queries[b][k][j] * table[item * row + k * d + j];
                        }
                    }
                    boolean cold = model.items().cold()[item];
                    float beta = cold ? mix.betaCold() : mix.beta();
                    assertEquals((1 - beta) * cf + beta * sem + (cold ? mix.coldShift() : 0), scores[b * n + item],
                            1e-4, "user " + b + " item " + item);
                }
            }
        } finally {
            model.catalogue().setMix(chosen);
        }
    }

    @Test
    void theChosenMixLiftsColdItemsWhereValidWantsThemAndIsTheModelsOwnRanking() throws IOException {
        // the same users with valid targets that are cold twins: items the model never saw as targets
        int users = twins.data.numUsers();
        int[][] train = new int[users][];
        int[][] valid = new int[users][];
        int[][] test = new int[users][];
        for (int u = 0; u < users; u++) {
            train[u] = twins.data.sequence(u, Split.TRAIN);
            valid[u] = new int[] {twins.warm + twins.data.sequence(u, Split.VALID)[0]};
            test[u] = twins.data.sequence(u, Split.TEST);
        }
        dev.setrec.data.Dataset coldValid = dev.setrec.data.Dataset.of("twins-cold-valid", twins.data.numItems(),
                train, valid, test);
        ScoreMix chosen = model.mix();
        try {
            ScoreMixSweep.Choice choice = ScoreMixSweep.choose(model, coldValid, ScoreMix.Fixed.NONE);
            ScoreMix mix = choice.mix();
            ScoreMixSweep.Choice unshifted = ScoreMixSweep.choose(model, coldValid,
                    new ScoreMix.Fixed(mix.beta(), mix.betaCold(), 0f));
            assertTrue(mix.coldShift() > 0 && choice.allRecall() > unshifted.allRecall(),
                    choice + " against no shift: " + unshifted);
            model.catalogue().setMix(mix);
            double evaluated = new Evaluator().evaluate(model, coldValid, EvalOptions.defaults(Split.VALID))
                    .metrics(Setting.ALL).recallAt10();
            assertEquals(evaluated, choice.allRecall(), 1e-9, "the sweep's merged lists are the model's All ranking");

            ScoreMix.Fixed fixed = new ScoreMix.Fixed(0.3f, 0.7f, 1.25f);
            assertEquals(new ScoreMix(0.3f, 0.7f, 1.25f), ScoreMixSweep.choose(model, coldValid, fixed).mix());
        } finally {
            model.catalogue().setMix(chosen);
        }
    }

    @Test
    void aSmallerCatalogueRanksTheRemainingItemsExactlyAsBefore() {
        List<int[]> histories = List.of(new int[] {1, 2, 3});
        int n = twins.data.numItems();
        float[] full = new float[n];
        model.score(histories, full);
        try (SetRec smaller = model.withCatalogue(model.items().without(java.util.Set.of("0", "5")))) {
            assertEquals(n - 2, smaller.numItems());
            float[] scores = new float[n - 2];
            // rows shift once "0" is gone: items 1, 2, 3 are rows 0, 1, 2 of the smaller catalogue
            smaller.score(List.of(new int[] {0, 1, 2}), scores);
            for (int row = 0; row < n - 2; row++) {
                int original = Integer.parseInt(smaller.items().ids()[row]);
                assertEquals(full[original], scores[row], 1e-5, "item " + original);
            }
        }
    }

    @Test
    void scoringLeavesNoArraysBehindInTheModel() {
        List<int[]> histories = List.of(new int[] {1, 2, 3}, new int[] {7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17});
        int n = model.numItems();
        float[] cf = new float[2 * n];
        float[] sem = new float[2 * n];
        // masks are cached per padded width (at most one per history length): the first calls fill that cache
        model.score(histories, cf);
        model.scorer().topK(histories, 10, Setting.COLD);
        int before = model.managedArrays();
        for (int i = 0; i < 5; i++) {
            model.score(histories, cf);
            model.scorer().scoreParts(histories, cf, sem);
            model.scorer().queryOutputs(histories);
            model.scorer().topK(histories, 10, Setting.COLD);
        }
        assertEquals(before, model.managedArrays(), "native arrays leaked per forward pass");
    }

    @Test
    void servingTopKIsTheBestOfTheFullScoresWithinTheSetting() {
        // a long history between two short ones, scored in one pass and in a pass per length
        List<int[]> histories = List.of(new int[] {1, 2, 3}, new int[] {9, 8, 7, 6, 5, 4, 3, 2, 1, 0}, new int[] {7});
        int n = model.numItems();
        float[] scores = new float[histories.size() * n];
        model.score(histories, scores);
        for (Setting setting : Setting.values()) {
            for (int passCost : new int[] {LengthGroups.PASS_COST_IN_ITEMS, 0}) { // one pass; a pass per length
                List<List<SetRecService.Scored>> top = model.scorer().topK(histories, 10, setting, passCost);
                for (int b = 0; b < histories.size(); b++) {
                    int user = b;
                    List<Integer> expected = java.util.stream.IntStream.range(0, n).boxed()
                            .filter(i -> setting.includes(twins.data.isCold(i)))
                            .sorted((x, y) -> Float.compare(scores[user * n + y], scores[user * n + x]))
                            .limit(10).toList();
                    List<SetRecService.Scored> got = top.get(b);
                    assertEquals(expected.size(), got.size());
                    for (int r = 0; r < got.size(); r++) {
                        // equal scores may come in either order: compare scores rank by rank, and ids as a set
                        assertEquals(scores[b * n + expected.get(r)], got.get(r).score(), 1e-5, setting + " rank " + r);
                        assertTrue(setting.includes(twins.data.isCold(Integer.parseInt(got.get(r).itemId()))));
                    }
                }
            }
        }
    }

    @Test
    void historiesAreScoredInOnePassUnlessSplittingOffLongOnesCostsLess() {
        List<int[]> small = List.of(new int[3], new int[40], new int[9]);
        assertEquals(List.of("[0, 2, 1]"), groups(small, 50), "three histories: one pass");
        // 60 short ones and 4 at the history limit: padding the short ones to 50 costs far more than a second pass
        List<int[]> large = new java.util.ArrayList<>();
        for (int b = 0; b < 64; b++) {
            large.add(new int[b % 16 == 0 ? 80 : 1 + b % 5]);
        }
        List<int[]> split = LengthGroups.of(large, 50, LengthGroups.PASS_COST_IN_ITEMS);
        assertEquals(2, split.size(), groups(large, 50).toString());
        assertEquals(List.of(0, 16, 32, 48), java.util.Arrays.stream(split.get(1)).boxed().toList());
        assertEquals(64, split.get(0).length + split.get(1).length);
        assertEquals(1, LengthGroups.of(large, 5, LengthGroups.PASS_COST_IN_ITEMS).size(),
                "all cut to 5 items: nothing to split off");
    }

    static List<String> groups(List<int[]> histories, int maxLen) {
        return LengthGroups.of(histories, maxLen, LengthGroups.PASS_COST_IN_ITEMS).stream()
                .map(java.util.Arrays::toString).toList();
    }

    @Test
    void reconstructionLossFalls() {
        float after = model.reconstructionLossOfAllItems();
        assertTrue(after < 0.5f * reconBefore, "reconstruction MSE " + reconBefore + " -> " + after);
    }

    @Test
    void theScoreMixIsChosenOnValidAndStored() {
        assertTrue(record.has("best_beta"), record.toString());
        assertEquals(model.mix(), SetRecTrainer.chosenMix(record, "best_"));
        for (String key : new String[] {"best_beta", "best_beta_cold", "best_cold_shift"}) {
            assertTrue(record.has(key), key + " in " + record);
        }
    }

    @Test
    void saveAndLoadGiveIdenticalScores(@TempDir Path dir) throws IOException {
        ModelIO.save(model, dir, record);
        List<int[]> histories = List.of(new int[] {4, 5}, new int[] {9, 1, 30, 2});
        float[] before = new float[2 * model.numItems()];
        float[] after = new float[before.length];
        model.score(histories, before);
        try (Recommender loaded = ModelDirs.load(dir)) {
            assertEquals(SetRec.TYPE, loaded.type());
            assertEquals(model.mix(), ((SetRec) loaded).mix());
            loaded.score(histories, after);
        }
        assertArrayEquals(before, after);
    }

    @Test
    void aModelSavedWithOneBetaMixesEveryItemWithItAndNoShift(@TempDir Path dir) throws IOException {
        ModelIO.save(model, dir, record);
        Path manifest = dir.resolve("model.json");
        JsonObject json = JsonParser.parseString(Files.readString(manifest)).getAsJsonObject();
        json.getAsJsonObject("config").remove("beta_cold");
        json.getAsJsonObject("config").remove("cold_shift");
        Files.writeString(manifest, json.toString());
        try (SetRec loaded = (SetRec) ModelDirs.load(dir)) {
            assertEquals(ScoreMix.uniform(model.mix().beta()), loaded.mix());
        }
    }

    @Test
    void theBestColdItemsBesideAListAreTheColdSettingsRanking() {
        List<int[]> histories = List.of(new int[] {1, 2, 3}, new int[] {7, 40});
        ScoreMix chosen = model.mix();
        model.catalogue().setMix(new ScoreMix(0.1f, 0.9f, -2f));
        try {
            List<CatalogueScorer.Ranked> ranked = model.scorer().rank(histories, 5, Setting.ALL, 4);
            List<List<SetRecService.Scored>> cold = model.scorer().topK(histories, 4, Setting.COLD);
            for (int b = 0; b < histories.size(); b++) {
                assertEquals(cold.get(b), ranked.get(b).bestCold(), "history " + b);
            }
        } finally {
            model.catalogue().setMix(chosen);
        }
    }

    /** Maps known texts to given vectors: the service test is about onboarding, not about the text model. */
    record TableEncoder(Map<String, float[]> vectors, int dim) implements TextEncoder {
        @Override
        public String id() {
            return "table";
        }

        @Override
        public float[][] encode(List<String> texts) {
            return texts.stream().map(vectors::get).toArray(float[][]::new);
        }

        @Override
        public void close() {
        }
    }

    @Test
    void anItemAddedAtRunTimeIsRankedByItsTextAtOnce(@TempDir Path dir) throws Exception {
        ModelIO.save(model, dir, record);
        // A new item whose text is that of item 3's cold twin: a user whose chain leads to item 3 should get it.
        int predicted = 3;
        int previous = -1;
        for (int i = 0; i < twins.warm; i++) {
            if ((i * 7 + 3) % twins.warm == predicted) {
                previous = i;
            }
        }
        float[] text = twins.text[twins.warm + predicted].clone();
        TableEncoder encoder = new TableEncoder(Map.of("Brand new.", text), text.length);
        try (SetRecService service = SetRecService.load(dir, encoder)) {
            List<List<String>> history = List.of(List.of(Integer.toString(previous)));
            int row = service.addItem("new-1", new ItemText("", "Brand new", "", "", ""), null);
            assertEquals(twins.data.numItems(), row);
            assertEquals(row, service.addItem("new-1", new ItemText("", "Brand new", "", "", ""), null));
            List<SetRecService.Scored> cold = service.recommend(history, 5, Setting.COLD).get(0);
            List<String> coldIds = cold.stream().map(SetRecService.Scored::itemId).toList();
            assertTrue(coldIds.contains("new-1"), "cold top 5 " + coldIds);
            List<String> warm = service.recommend(history, 20, Setting.WARM).get(0).stream()
                    .map(SetRecService.Scored::itemId).toList();
            assertTrue(!warm.contains("new-1") && warm.size() == 20, "warm top 20 " + warm);
            assertEquals(List.of(), service.recommend(List.of(List.of("unknown")), 5, Setting.ALL).get(0));
        }
    }

    /** The warm item whose successor in the twins' chain is {@code item}: a user who saw it should get item next. */
    static int predecessorOf(int item) {
        for (int i = 0; i < twins.warm; i++) {
            if ((i * 7 + 3) % twins.warm == item) {
                return i;
            }
        }
        throw new IllegalArgumentException("no predecessor of " + item);
    }

    static int placeOf(SetRecService service, List<String> history, String itemId) {
        List<String> ranked = service.recommend(List.of(history), service.numItems(), Setting.COLD).get(0).stream()
                .map(SetRecService.Scored::itemId).toList();
        return ranked.indexOf(itemId);
    }

    @Test
    void anItemRepublishedWithNewTextIsRankedByItsNewText(@TempDir Path dir) throws Exception {
        ModelIO.save(model, dir, record);
        int predicted = 3;
        List<String> history = List.of(Integer.toString(predecessorOf(predicted)));
        float[] fitting = twins.text[twins.warm + predicted].clone();
        float[] unrelated = twins.text[twins.warm + (predicted + twins.warm / 2) % twins.warm].clone();
        TableEncoder encoder = new TableEncoder(Map.of("Fits.", fitting, "Unrelated.", unrelated), fitting.length);
        ItemText fits = new ItemText("", "Fits", "", "", "");
        ItemText other = new ItemText("", "Unrelated", "", "", "");
        try (SetRecService service = SetRecService.load(dir, encoder)) {
            int row = service.addItems(List.of(new SetRecService.NewItem("new-1", other, null))).get(0);
            int before = placeOf(service, history, "new-1");
            assertEquals(List.of(row), service.addItems(List.of(new SetRecService.NewItem("new-1", fits, null))),
                    "the same row");
            int after = placeOf(service, history, "new-1");
            assertTrue(after < before && after < 5, "cold place " + before + " -> " + after);
            assertEquals(twins.data.numItems() + 1, service.numItems());
            int fresh = service.addItem("fresh", fits, null);
            for (int t = 0; t < SMALL.tokensPerItem(); t++) {
                assertArrayEquals(service.tokens(fresh)[t], service.tokens(row)[t], 1e-5f,
                        "token " + t + ": re-published, the item is what an item added with its new text is");
            }
        }
    }

    @Test
    void aBatchGetsRowsInOrderAndOnlyChangedTextRetokenizesAKnownItem(@TempDir Path dir) throws Exception {
        ModelIO.save(model, dir, record);
        int warm = 5;
        Map<String, float[]> texts = Map.of("Five.", twins.text[warm].clone(), "Renamed.", twins.text[20].clone(),
                "A.", twins.text[30].clone(), "B.", twins.text[31].clone());
        try (SetRecService service = SetRecService.load(dir, new TableEncoder(texts, twins.text[0].length))) {
            int n = twins.data.numItems();
            String id = Integer.toString(warm);
            float[][] tokens = service.tokens(warm);
            ItemText a = new ItemText("", "A", "", "", "");
            ItemText b = new ItemText("", "B", "", "", "");
            List<SetRecService.ItemUpdate> updates = service.putItems(List.of(
                    new SetRecService.NewItem("a", a, null), new SetRecService.NewItem("b", b, null),
                    new SetRecService.NewItem("a", a, null), new SetRecService.NewItem(id,
                            new ItemText("", "Five", "", "", ""), null)));
            assertEquals(List.of(new SetRecService.ItemUpdate(n, SetRecService.Change.ADDED),
                    new SetRecService.ItemUpdate(n + 1, SetRecService.Change.ADDED),
                    new SetRecService.ItemUpdate(n, SetRecService.Change.UNCHANGED),
                    new SetRecService.ItemUpdate(warm, SetRecService.Change.UNCHANGED)), updates,
                    "a trained item sent with the text it was trained on changes nothing");
            assertArrayEquals(tokens[1], service.tokens(warm)[1]);

            assertEquals(List.of(warm), service.addItems(List.of(new SetRecService.NewItem(id,
                    new ItemText("", "Renamed", "", "", ""), null))));
            float[][] renamed = service.tokens(warm);
            assertArrayEquals(tokens[0], renamed[0], "a trained item keeps its CF token");
            assertTrue(!java.util.Arrays.equals(tokens[1], renamed[1]),
                    "and takes the semantic tokens of its new text");
            assertTrue(!service.isCold(warm));
            assertEquals(n + 2, service.numItems());
        }
    }

    @Test
    void newItemSlotsHoldTheBestColdItemsInOnePassAndLeaveTheWarmOrder(@TempDir Path dir) throws Exception {
        ModelIO.save(model, dir, record);
        try (SetRecService service = SetRecService.load(dir, new TableEncoder(Map.of(), twins.text[0].length))) {
            List<List<String>> histories = List.of(List.of("1", "2"), List.of("5"), List.of("40", "41", "42"));
            int slots = 3;
            List<List<SetRecService.Scored>> plain = service.recommend(histories, 10, Setting.ALL, histories);
            List<List<SetRecService.Scored>> slotted = service.recommend(histories, 10, Setting.ALL, histories,
                    new int[] {slots, slots, slots});
            List<List<SetRecService.Scored>> bestCold = service.recommend(histories, 10, Setting.COLD, histories);
            for (int b = 0; b < histories.size(); b++) {
                List<String> got = slotted.get(b).stream().map(SetRecService.Scored::itemId).toList();
                List<String> cold = got.stream().filter(id -> twins.data.isCold(Integer.parseInt(id))).toList();
                assertEquals(10, got.size(), "user " + b);
                assertTrue(cold.size() >= slots, "user " + b + ": " + got);
                assertTrue(cold.contains(bestCold.get(b).get(0).itemId()), "the best cold item is in " + got);
                assertTrue(histories.get(b).stream().noneMatch(got::contains), "seen items stay out");
                List<String> plainWarm = plain.get(b).stream().map(SetRecService.Scored::itemId)
                        .filter(id -> !twins.data.isCold(Integer.parseInt(id))).toList();
                List<String> warm = got.stream().filter(id -> !twins.data.isCold(Integer.parseInt(id))).toList();
                assertEquals(plainWarm.subList(0, warm.size()), warm, "the warm items keep the model's order");
            }
            assertEquals(plain, service.recommend(histories, 10, Setting.ALL, histories, new int[3]),
                    "no slots: the model's ranking");
        }
    }

    @Test
    void evaluatedWithNewItemSlotsTheTopTenIsTheServedMergeAndOtherScoresStay() {
        List<int[]> histories = List.of(new int[] {1, 2, 3}, new int[] {7}, new int[] {40, 41});
        int n = model.numItems();
        float[] plain = new float[histories.size() * n];
        model.score(histories, plain);
        float[] slotted = new float[plain.length];
        new NewItemSlots(model, 2).score(histories, slotted); // not closed: that would close the shared model
        java.util.function.Predicate<String> cold = id -> twins.data.isCold(Integer.parseInt(id));
        for (int b = 0; b < histories.size(); b++) {
            List<SetRecService.Scored> merged = SetRecService.withNewItems(ranked(plain, b, n, i -> true, 10),
                    ranked(plain, b, n, i -> twins.data.isCold(i), 2), 2, 10, cold);
            List<SetRecService.Scored> top = ranked(slotted, b, n, i -> true, 10);
            assertEquals(merged.stream().map(SetRecService.Scored::itemId).toList(),
                    top.stream().map(SetRecService.Scored::itemId).toList(), "user " + b);
            assertTrue(top.stream().filter(s -> cold.test(s.itemId())).count() >= 2);
            java.util.Set<String> inTop = new java.util.HashSet<>(top.stream().map(SetRecService.Scored::itemId)
                    .toList());
            for (int item = 0; item < n; item++) {
                if (!inTop.contains(Integer.toString(item))) {
                    assertEquals(plain[b * n + item], slotted[b * n + item], "item " + item + " keeps its score");
                }
            }
        }
    }

    private static List<SetRecService.Scored> ranked(float[] scores, int b, int n,
                                                     java.util.function.IntPredicate included, int k) {
        return java.util.stream.IntStream.range(0, n).filter(included).boxed()
                .sorted((x, y) -> Float.compare(scores[b * n + y], scores[b * n + x])).limit(k)
                .map(i -> new SetRecService.Scored(Integer.toString(i), scores[b * n + i])).toList();
    }

    @Test
    void recommendingGoesOnWhileItemsAreAdded(@TempDir Path dir) throws Exception {
        ModelIO.save(model, dir, record);
        Map<String, float[]> texts = new HashMap<>();
        for (int i = 0; i < 30; i++) {
            texts.put("Item " + i + ".", twins.text[i % twins.text.length]);
        }
        try (SetRecService service = SetRecService.load(dir, new TableEncoder(texts, twins.text[0].length))) {
            ExecutorService pool = Executors.newFixedThreadPool(2);
            // The reader scores before the first add and until the last one, so the two really overlap.
            CountDownLatch readerRunning = new CountDownLatch(1);
            Future<Integer> readers = pool.submit(() -> {
                int calls = 0;
                do {
                    List<List<SetRecService.Scored>> r = service.recommend(
                            List.of(List.of("1", "2"), List.of("5")), 10, Setting.ALL);
                    assertEquals(10, r.get(0).size());
                    calls++;
                    readerRunning.countDown();
                } while (service.numItems() < twins.data.numItems() + 30);
                return calls;
            });
            assertTrue(readerRunning.await(60, TimeUnit.SECONDS), "reader started");
            service.addItem("added-0", new ItemText("", "Item 0", "", "", ""), null);
            for (int i = 1; i < 30; i++) { // a new item and an earlier one re-published with new text, in one batch
                service.addItems(List.of(new SetRecService.NewItem("added-" + i, new ItemText("", "Item " + i, "", "",
                        ""), null), new SetRecService.NewItem("added-" + (i - 1), new ItemText("", "Item " + (29 - i),
                        "", "", ""), null)));
            }
            assertTrue(readers.get(60, TimeUnit.SECONDS) > 0);
            pool.shutdown();
            List<String> cold = service.recommend(List.of(List.of("1")), twins.warm + 30, Setting.COLD).get(0)
                    .stream().map(SetRecService.Scored::itemId).toList();
            assertEquals(twins.warm + 30, cold.size());
            assertTrue(cold.contains("added-29"), "every added item is in the cold catalogue");
        }
    }
}
