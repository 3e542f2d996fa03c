package dev.setrec.e2e.support;

import dev.setrec.data.DatasetReader;
import dev.setrec.data.ItemText;
import dev.setrec.jobs.bench.faults.ServedModel;
import dev.setrec.model.ModelIO;
import dev.setrec.models.Training;
import dev.setrec.model.sasrec.SasRecConfig;
import dev.setrec.model.setrec.ScoreMix;
import dev.setrec.model.setrec.SetRec;
import dev.setrec.model.setrec.SetRecArchitecture;
import dev.setrec.model.setrec.SetRecTraining;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * A small real SETRec model (real MiniLM text embeddings, CF tokens from a SASRec trained first) on generated data,
 * trained once per test JVM. The catalogue has five themes of toys; each theme has {@value #WARM_PER_THEME} items
 * that users interact with and one cold item that is in the catalogue but never interacted with. Every user stays
 * within one theme, so a trained model ranks the rest of a user's theme first. Item texts are readable
 * ("Dinosaur puzzle. Toys & Games > Dinosaurs. Brand: Jurassic Junior.") so that MiniLM places the items of a theme,
 * and a new item of that theme, close together: that is what lets SETRec rank cold items by their text.
 */
public final class SmallModel {
    /** A theme's words: the title prefix, the category under "Toys & Games" and the brand of all its items. */
    public enum Theme {
        DINOSAURS("Dinosaur", "Dinosaurs", "Jurassic Junior"),
        SPACE("Space rocket", "Space & Astronauts", "Orbit Kids"),
        FARM("Farm tractor", "Farm Animals & Tractors", "Barnyard Friends"),
        OCEAN("Ocean mermaid", "Sea Life & Mermaids", "Deep Blue Toys"),
        MUSIC("Musical instrument", "Music & Instruments", "Little Maestro");

        private final String titlePrefix;
        private final String category;
        private final String brand;

        Theme(String titlePrefix, String category, String brand) {
            this.titlePrefix = titlePrefix;
            this.category = category;
            this.brand = brand;
        }

        public String title(String product) {
            return titlePrefix + " " + product;
        }

        /** The category path, top level first. */
        public List<String> categories() {
            return List.of("Toys & Games", category);
        }

        public String brand() {
            return brand;
        }
    }

    /** What each theme sells; the first {@value #WARM_PER_THEME} have interactions, the last one none. */
    private static final List<String> PRODUCTS = List.of("puzzle", "figure set", "picture book", "plush toy",
            "wall poster", "board game", "sticker pack", "costume", "night light");
    public static final int WARM_PER_THEME = 8;
    /** Items in the trained model: every theme's warm items and its cold item. */
    public static final int CATALOGUE_SIZE = Theme.values().length * PRODUCTS.size();
    private static final int USERS_PER_THEME = 40;
    /** Each user's walk through their theme: at least 2 train items (a target for training), then valid, test. */
    private static final int MIN_WALK = 4;
    private static final long SEED = 7;
    /** Tiny but real: one block of width 32, fixed epochs (no early stopping), fixed beta (no sweep on valid). */
    private static final SasRecConfig SASREC = new SasRecConfig(32, 2, 1, 64, 0.1f, 10, 5e-3f, 0f, 256, 10, 0, 10,
            0, SEED);
    /**
     * Beta 0.5: half the score is semantic, so cold items (whose CF input is the shared fallback) are told apart by
     * their text; CF dropout 0.2 trains that case.
     */
    private static final SetRecArchitecture SETREC = SetRecArchitecture.builder().dim(32).ffnDim(64).blocks(1)
            .maxLen(10).semTokens(2).build();
    private static final SetRecTraining SETREC_TRAINING = SetRecTraining.builder().dropout(0.1f).learningRate(5e-3f)
            .weightDecay(0f).warmupSteps(10).batchTokens(256).reconSample(256).maxEpochs(10).patience(0).fixedEpochs(10)
            .fixedMix(ScoreMix.Fixed.all(ScoreMix.uniform(0.5f))).cfDropout(0.2f).weightAverage(0f).seed(SEED).build();

    private static SmallModel trained;

    private final Path dir;
    private final String version;

    private SmallModel(Path dir, String version) {
        this.dir = dir;
        this.version = version;
    }

    /** The model, trained and saved on first use; its files live in a temp dir removed when the JVM exits. */
    public static synchronized SmallModel get() {
        if (trained == null) {
            try {
                trained = train(Files.createTempDirectory("setrec-e2e-"));
            } catch (IOException e) {
                throw new UncheckedIOException("could not train the small model", e);
            }
        }
        return trained;
    }

    /** The saved model directory. */
    public Path dir() {
        return dir;
    }

    /** The model version the job reports (model.json's content hash). */
    public String version() {
        return version;
    }

    /** The model as the fault scenarios and the jobs of the tests serve it. */
    public ServedModel served() {
        return new ServedModel(dir, version, catalogue());
    }

    /** Catalogue ids are dense, theme by theme: the theme's warm items, then its cold item. */
    private static String itemId(Theme theme, int product) {
        return Integer.toString(theme.ordinal() * PRODUCTS.size() + product);
    }

    /** Every item of the trained model, in catalogue order. */
    public static List<String> catalogue() {
        return IntStream.range(0, CATALOGUE_SIZE).mapToObj(Integer::toString).toList();
    }

    /** The items of a theme that users interact with, in catalogue order. */
    public static List<String> warmItems(Theme theme) {
        return IntStream.range(0, WARM_PER_THEME).mapToObj(p -> itemId(theme, p)).toList();
    }

    /** The item of a theme that is in the catalogue but has no interaction. */
    public static String coldItem(Theme theme) {
        return itemId(theme, WARM_PER_THEME);
    }

    /** The theme of a catalogue item; empty for ids outside the catalogue (items onboarded later). */
    public static Optional<Theme> themeOf(String itemId) {
        try {
            int id = Integer.parseInt(itemId);
            return id >= 0 && id < CATALOGUE_SIZE ? Optional.of(Theme.values()[id / PRODUCTS.size()])
                    : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static SmallModel train(Path root) throws IOException {
        deleteAtExit(root);
        Path data = root.resolve("data");
        writeDataDir(data, new Random(SEED));
        Training.Options options = new Training.Options(SASREC, SETREC, SETREC_TRAINING,
                Training.CfSource.TRAIN_SASREC, null, root.resolve("text-cache"));
        Training.Trained fitted = Training.fit(SetRec.TYPE, DatasetReader.read(data), Training.Fit.TRAIN, options,
                new PrintStream(OutputStream.nullOutputStream()));
        Path model = root.resolve("model");
        try (var recommender = fitted.model()) {
            ModelIO.save(recommender, model, fitted.record());
        }
        return new SmallModel(model, ModelIO.readManifest(model).version());
    }

    /**
     * interactions.tsv: per user a random walk without repeats through the warm items of one theme; the last item
     * is the test item, the one before it the valid item, the rest train. items.tsv: every item's text.
     */
    private static void writeDataDir(Path dir, Random random) throws IOException {
        Files.createDirectories(dir);
        try (Writer items = Files.newBufferedWriter(dir.resolve("items.tsv"))) {
            items.write("item_id\tasin\ttitle\tcategories\tbrand\n");
            for (Theme theme : Theme.values()) {
                for (int p = 0; p < PRODUCTS.size(); p++) {
                    items.write(String.join("\t", itemId(theme, p), "", theme.title(PRODUCTS.get(p)),
                            String.join(ItemText.CATEGORY_SEPARATOR, theme.categories()), theme.brand()) + "\n");
                }
            }
        }
        try (Writer interactions = Files.newBufferedWriter(dir.resolve("interactions.tsv"))) {
            interactions.write("user_id\titem_id\tsplit\n");
            int user = 0;
            for (Theme theme : Theme.values()) {
                for (int u = 0; u < USERS_PER_THEME; u++, user++) {
                    List<String> walk = new ArrayList<>(warmItems(theme));
                    Collections.shuffle(walk, random);
                    int length = MIN_WALK + random.nextInt(WARM_PER_THEME - MIN_WALK + 1);
                    for (int t = 0; t < length; t++) {
                        String split = t == length - 1 ? "test" : t == length - 2 ? "valid" : "train";
                        interactions.write(user + "\t" + walk.get(t) + "\t" + split + "\n");
                    }
                }
            }
        }
    }

    private static void deleteAtExit(Path root) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try (var paths = Files.walk(root)) {
                paths.sorted(Collections.reverseOrder()).forEach(path -> path.toFile().delete());
            } catch (IOException e) {
                System.err.println("could not remove " + root + ": " + e);
            }
        }));
    }
}
