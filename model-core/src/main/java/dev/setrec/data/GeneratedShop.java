package dev.setrec.data;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * A made-up toy shop, for running the product where no real data is at hand. It has the shape of the real data
 * sets and the patterns a sequential, text-aware recommender is built to find, so that a model trained on it
 * clearly beats a popularity ranking:
 * <ul>
 *   <li>items belong to themes (dinosaurs, space, ...) that their title, category path, brand and description
 *       name in words, so items of one theme have similar text;</li>
 *   <li>each theme's items form a series that users mostly walk in order (the next part after the last one), with
 *       jumps to other items of the theme and, now and then, to their second favourite theme;</li>
 *   <li>each theme has a few new items, released late: they occur only in valid and test (cold items), and a model
 *       can place them only by their text.</li>
 * </ul>
 * Per user the walk ends with one valid item and one or two test items, as in a global-time split. The same shape
 * always gives the same data set.
 */
public final class GeneratedShop {
    /** How large a shop, and the seed of everything random in it. */
    public record Shape(int users, int seriesLength, int newItemsPerTheme, long seed) {
        public static final Shape DEFAULT = new Shape(1500, 24, 4, 42);

        public Shape {
            if (users < 1 || seriesLength < 2 || newItemsPerTheme < 0) {
                throw new IllegalArgumentException("need users >= 1, series length >= 2, new items >= 0");
            }
        }
    }

    private record Theme(String category, String noun, List<String> brands, String words) {
    }

    private static final List<Theme> THEMES = List.of(
            new Theme("Dinosaurs", "Dinosaur", List.of("Jurassic Junior", "Fossil Friends"),
                    "dinosaur t-rex fossil prehistoric jurassic"),
            new Theme("Space & Astronauts", "Rocket", List.of("Orbit Kids", "Star Cadet"),
                    "space rocket astronaut planet galaxy"),
            new Theme("Farm Animals", "Tractor", List.of("Barnyard Friends", "Green Acres"),
                    "farm tractor barn cow harvest"),
            new Theme("Sea Life", "Mermaid", List.of("Deep Blue Toys", "Coral Cove"),
                    "ocean sea mermaid whale coral"),
            new Theme("Musical Instruments", "Drum", List.of("Little Maestro", "Tiny Tunes"),
                    "music drum xylophone rhythm melody"),
            new Theme("Trains & Railways", "Train", List.of("Track Masters", "Steam & Co"),
                    "train railway track locomotive station"),
            new Theme("Science Kits", "Microscope", List.of("Young Einstein", "Lab Explorer"),
                    "science experiment chemistry microscope lab"),
            new Theme("Dolls & Castles", "Princess", List.of("Royal Dreams", "Castle Court"),
                    "princess castle doll royal crown"));
    private static final List<String> PRODUCTS = List.of("puzzle", "figure set", "picture book", "plush toy",
            "board game", "playset", "sticker pack", "costume", "building kit", "card game", "night light",
            "colouring book");
    private static final String TOP_CATEGORY = "Toys & Games";
    private static final double NEXT_IN_SERIES = 0.65;
    private static final double WITHIN_THEME = 0.2;
    private static final double NEW_ITEM_WHEN_HELD_BACK = 0.3;
    private static final int MIN_TRAIN = 4;
    private static final int MAX_EXTRA_TRAIN = 10;

    private final Shape shape;
    private final Random random;

    private GeneratedShop(Shape shape) {
        this.shape = shape;
        this.random = new Random(shape.seed());
    }

    public static Dataset generate() {
        return generate(Shape.DEFAULT);
    }

    public static Dataset generate(Shape shape) {
        return new GeneratedShop(shape).dataset();
    }

    /** Items are numbered theme by theme: the series in order, then the theme's new items. */
    private int itemsPerTheme() {
        return shape.seriesLength() + shape.newItemsPerTheme();
    }

    private Dataset dataset() {
        int users = shape.users();
        int[][] train = new int[users][];
        int[][] valid = new int[users][];
        int[][] test = new int[users][];
        for (int user = 0; user < users; user++) {
            int favourite = random.nextInt(THEMES.size());
            int second = (favourite + 1 + random.nextInt(THEMES.size() - 1)) % THEMES.size();
            Walk walk = new Walk(favourite, second);
            train[user] = walk.steps(MIN_TRAIN + random.nextInt(MAX_EXTRA_TRAIN + 1), false);
            valid[user] = walk.steps(1, true);
            test[user] = walk.steps(1 + random.nextInt(2), true);
        }
        int numItems = THEMES.size() * itemsPerTheme();
        ItemText[] texts = texts();
        String name = String.format(Locale.ROOT, "generated-%08x",
                Arrays.deepHashCode(new Object[] {train, valid, test, texts}));
        return new Dataset(name, numItems, train, valid, test, Dataset.deriveCold(numItems, train), texts, null,
                null, List.of());
    }

    /** One user's way through the shop: a position in a theme's series that moves on with every step. */
    private final class Walk {
        private final int favourite;
        private final int second;
        private int theme;
        private int position;

        Walk(int favourite, int second) {
            this.favourite = favourite;
            this.second = second;
            this.theme = favourite;
            this.position = popularPosition();
        }

        /** The next {@code count} items; {@code late}: new items are out, so some steps pick one of them. */
        int[] steps(int count, boolean late) {
            int[] items = new int[count];
            for (int i = 0; i < count; i++) {
                items[i] = late && shape.newItemsPerTheme() > 0 && random.nextDouble() < NEW_ITEM_WHEN_HELD_BACK
                        ? newItem() : step();
            }
            return items;
        }

        private int step() {
            double draw = random.nextDouble();
            if (draw < NEXT_IN_SERIES) {
                position = (position + 1) % shape.seriesLength();
            } else if (draw < NEXT_IN_SERIES + WITHIN_THEME) {
                position = popularPosition();
            } else {
                theme = theme == favourite ? second : favourite;
                position = popularPosition();
            }
            return theme * itemsPerTheme() + position;
        }

        private int newItem() {
            return theme * itemsPerTheme() + shape.seriesLength() + random.nextInt(shape.newItemsPerTheme());
        }

        /** Early parts of a series are bought more often (the square skews the draw towards them). */
        private int popularPosition() {
            double u = random.nextDouble();
            return (int) (u * u * shape.seriesLength());
        }
    }

    private ItemText[] texts() {
        ItemText[] texts = new ItemText[THEMES.size() * itemsPerTheme()];
        for (int t = 0; t < THEMES.size(); t++) {
            Theme theme = THEMES.get(t);
            for (int i = 0; i < itemsPerTheme(); i++) {
                boolean isNew = i >= shape.seriesLength();
                String product = PRODUCTS.get(random.nextInt(PRODUCTS.size()));
                String title = isNew ? "New " + theme.noun() + " " + product
                        : theme.noun() + " " + product + ", part " + (i + 1);
                String brand = theme.brands().get(random.nextInt(theme.brands().size()));
                String asin = String.format(Locale.ROOT, "GEN%05d", t * itemsPerTheme() + i);
                texts[t * itemsPerTheme() + i] = new ItemText(asin, title,
                        TOP_CATEGORY + ItemText.CATEGORY_SEPARATOR + theme.category(), brand,
                        theme.words() + " " + product);
            }
        }
        return texts;
    }
}
