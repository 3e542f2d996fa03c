package dev.setrec.testing;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import dev.setrec.data.Dataset;
import dev.setrec.data.ItemText;
import dev.setrec.model.ModelIO;
import dev.setrec.model.setrec.ItemInputs;
import dev.setrec.model.setrec.SetRec;
import dev.setrec.model.setrec.SetRecArchitecture;
import dev.setrec.model.setrec.SetRecTrainer;
import dev.setrec.model.setrec.SetRecTraining;
import dev.setrec.models.ModelFolder;
import dev.setrec.models.Refresh;
import dev.setrec.models.Training;
import dev.setrec.text.ItemTexts;
import dev.setrec.text.MiniLmEncoder;
import dev.setrec.text.TextEncoder;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A shop whose users walk a fixed successor chain over {@link #ITEMS} items ("0".."39"; now and then a jump to a
 * random item), a small SETRec trained on such walks and saved as the serving version of a models folder, and
 * windows of later events for refreshing it: ones where a new item, known only by its text, always follows one item,
 * and ones of noise. Every step of every walk is one minute apart, so the newest tenth of a
 * window's events is every user's last steps.
 */
public final class ChainShop {
    public static final int ITEMS = 40;
    /** The item the new item follows in {@link #withNewItem} windows. */
    public static final int BEFORE_NEW = 7;
    public static final String NEW_ITEM = "new-1";
    public static final Instant START = Instant.parse("2026-12-01T00:00:00Z");
    private static final int WALK = 10;
    private static final double FOLLOW = 0.9;
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    private ChainShop() {
    }

    /** The next item of the chain: a permutation of the items (7 and 40 share no factor). */
    public static int successor(int item) {
        return (item * 7 + 3) % ITEMS;
    }

    public static ItemText textOf(String id) {
        String shelf = "Shelf " + Math.floorMod(id.hashCode(), 5);
        return ItemText.of("toy " + id, List.of("Toys", shelf), "Brand " + id, "");
    }

    /**
     * Trains a small SETRec on chain walks (texts from {@code encoder}, random CF inputs as an untrained embedding
     * would give) and saves it as the only version of the new models folder {@code folder}; returns its dir.
     */
    public static Path servingFolder(Path folder, TextEncoder encoder, long seed) throws IOException {
        Random random = new Random(seed);
        int[][] train = new int[400][];
        int[][] valid = new int[train.length][];
        int[][] test = new int[train.length][];
        for (int u = 0; u < train.length; u++) {
            int[] walk = walk(random, WALK);
            train[u] = Arrays.copyOf(walk, WALK - 2);
            valid[u] = new int[] {walk[WALK - 2]};
            test[u] = new int[] {walk[WALK - 1]};
        }
        Dataset data = Dataset.of("chain shop", ITEMS, train, valid, test);
        float[][] cf = new float[ITEMS][16];
        float[][] text = new float[ITEMS][];
        for (int i = 0; i < ITEMS; i++) {
            for (int j = 0; j < cf[i].length; j++) {
                cf[i][j] = (float) random.nextGaussian();
            }
            text[i] = ItemTexts.embed(encoder, textOf(Integer.toString(i)));
        }
        SetRecArchitecture architecture = SetRecArchitecture.builder().dim(32).blocks(1).ffnDim(64).maxLen(10)
                .semTokens(2).build();
        SetRecTraining training = SetRecTraining.builder().dropout(0.1f).learningRate(5e-3f).weightDecay(0f)
                .warmupSteps(10).batchTokens(256).reconSample(256).maxEpochs(20).patience(3).weightAverage(0f)
                .timeBudgetMinutes(0).seed(seed).build();
        Files.createDirectories(folder);
        try (SetRec model = new SetRec(architecture, ItemInputs.numbered(cf, text, new boolean[ITEMS]), training)) {
            JsonObject record = new SetRecTrainer(training, QUIET).train(model,
                    Training.sequences(data, Training.Fit.TRAIN), data);
            record.addProperty("fit", "train");
            record.add("setrec_training", new Gson().toJsonTree(training));
            return ModelFolder.addVersion(folder, "20261201-000000-serving", dir -> ModelIO.save(model, dir, record));
        }
    }

    /** {@link #servingFolder} with texts by the real MiniLM, as the command line and the jobs embed them. */
    public static Path servingFolderWithMiniLm(Path folder, long seed) throws IOException {
        try (MiniLmEncoder encoder = new MiniLmEncoder()) {
            return servingFolder(folder, encoder, seed);
        }
    }

    /**
     * A window of {@code users} chain walks in which {@link #NEW_ITEM} always comes right after item
     * {@link #BEFORE_NEW} (the walk then goes on from that item's successor).
     */
    public static List<Refresh.Event> withNewItem(int users, long seed) {
        Random random = new Random(seed);
        List<Refresh.Event> events = new ArrayList<>();
        for (int u = 0; u < users; u++) {
            List<String> items = new ArrayList<>();
            for (int item : walk(random, WALK)) {
                items.add(Integer.toString(item));
                if (item == BEFORE_NEW) {
                    items.add(NEW_ITEM);
                }
            }
            addUser(events, "u" + u, items);
        }
        return events;
    }

    /** A window of noise: {@code users} walks of items drawn at random, the slice included. */
    public static List<Refresh.Event> noise(int users, long seed) {
        Random random = new Random(seed);
        List<Refresh.Event> events = new ArrayList<>();
        for (int u = 0; u < users; u++) {
            List<String> items = new ArrayList<>();
            for (int t = 0; t < WALK; t++) {
                items.add(Integer.toString(random.nextInt(ITEMS)));
            }
            addUser(events, "u" + u, items);
        }
        return events;
    }

    /** Writes events as ./setrec prepare reads them: a CSV of user, item, timestamp (ISO-8601). */
    public static void writeEvents(List<Refresh.Event> events, Path file) throws IOException {
        try (Writer w = Files.newBufferedWriter(file)) {
            w.write("user,item,timestamp\n");
            for (Refresh.Event e : events) {
                w.write(e.user() + "," + e.item() + "," + Instant.ofEpochMilli(e.timeMillis()) + "\n");
            }
        }
    }

    private static void addUser(List<Refresh.Event> events, String user, List<String> items) {
        for (int t = 0; t < items.size(); t++) {
            events.add(new Refresh.Event(user, items.get(t), START.toEpochMilli() + t * 60_000L));
        }
    }

    private static int[] walk(Random random, int length) {
        int[] walk = new int[length];
        walk[0] = random.nextInt(ITEMS);
        for (int t = 1; t < length; t++) {
            walk[t] = random.nextDouble() < FOLLOW ? successor(walk[t - 1]) : random.nextInt(ITEMS);
        }
        return walk;
    }
}
