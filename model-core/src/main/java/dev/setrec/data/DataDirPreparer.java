package dev.setrec.data;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Turns a raw event log (user, item, timestamp; CSV or TSV) and an optional catalogue of item text into a data dir
 * (docs/data.md, "Your own data") that {@link DatasetReader} reads: each user's repeats of an item dropped (the first
 * event kept), one global time cut for the valid and one for the test window, users with too short a train history
 * dropped, ids renumbered densely in order of first appearance, warm and cold item lists. This class reads the
 * files into an {@link EventLog} and writes the result; {@link GlobalTimeSplit} splits.
 *
 * <p>Bad rows are skipped and counted up to {@link Options#maxBadRows}; beyond that nothing is written and a
 * {@link BadRowsException} names the first of them. The data dir is written to a hidden folder beside the target and
 * renamed into place, so the target is either complete or absent.
 */
public final class DataDirPreparer {
    /** Bad rows named in full, in the error and in the summary. */
    static final int REPORTED_BAD_ROWS = 10;
    /** How often (in lines read) the progress callback hears of a long file. */
    static final int PROGRESS_LINES = 1 << 16;
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    /** The valid and test windows: the last shares of the events, or the last days of the log. */
    public sealed interface Windows {
        /** The test window holds the last {@code test} share of the events by time, valid the {@code valid} before. */
        record Shares(double valid, double test) implements Windows {
            public Shares {
                if (!(valid >= 0 && test >= 0 && valid + test < 1)) {
                    throw new IllegalArgumentException("valid and test shares must be >= 0 and sum to less than 1, not "
                            + valid + " and " + test);
                }
            }
        }

        /** The test window is the last {@code test} days up to the last event, valid the {@code valid} days before. */
        record Days(double valid, double test) implements Windows {
            public Days {
                if (!(valid >= 0 && test >= 0 && Double.isFinite(valid + test))) {
                    throw new IllegalArgumentException("valid and test days must be >= 0, not " + valid + " and "
                            + test);
                }
            }
        }
    }

    /**
     * What to prepare.
     *
     * @param items the catalogue file, or null for none (items.tsv then holds the ids alone)
     * @param format csv or tsv for both files, or null to go by each file's extension
     * @param timeKind how the events write their timestamps (seconds, millis, iso), or auto or null to decide by the
     *                 first one
     * @param minTrain users with fewer train events (after dedup) are dropped
     * @param maxBadRows bad rows skipped and counted before the preparation fails
     * @param categorySeparator how the catalogue joins category levels; they are rejoined with " > "
     */
    public record Options(Path events, Path items, Path out, String format, String timeKind, Windows windows,
                          int minTrain, long maxBadRows, String categorySeparator) {
        public static final Windows.Shares DEFAULT_WINDOWS = new Windows.Shares(0.1, 0.1);
        public static final int DEFAULT_MIN_TRAIN = 1;

        public Options {
            if (minTrain < 0 || maxBadRows < 0) {
                throw new IllegalArgumentException("minimum train length and bad rows allowed must be >= 0");
            }
            if (categorySeparator.isEmpty()) {
                throw new IllegalArgumentException("the category separator must not be empty");
            }
        }
    }

    /** Hears how far a long file has been read, every {@link #PROGRESS_LINES} lines. */
    public interface Progress {
        Progress NONE = (file, lines) -> { };

        void linesRead(String file, long lines);
    }

    /** Too many bad rows: the message names the first {@link #REPORTED_BAD_ROWS} of them, one a line. */
    public static final class BadRowsException extends DataFormatException {
        BadRowsException(long count, boolean stoppedEarly, long allowed, List<String> reported) {
            super(count + " bad rows" + (stoppedEarly ? " (reading stopped there)" : "") + ", more than the "
                    + allowed + " allowed to be skipped" + (count > reported.size() ? "; the first " + reported.size()
                    : "") + ":\n  " + String.join("\n  ", reported));
        }
    }

    /**
     * What the preparation found and wrote.
     *
     * @param eventRows events file rows read (without the header), bad ones included
     * @param badRows bad rows of both files, skipped
     * @param badRowExamples the first of them as {@code file:line: reason}
     * @param repeats events dropped as a repeat of the user's earlier event on the same item
     * @param droppedUsers users dropped for a train history shorter than the minimum, and their events
     * @param validFrom,testFrom the first instant of each window (null: the window is empty)
     * @param catalogueOnlyItems catalogue rows of items without any kept event, left out
     * @param itemsWithText items with a title, categories, brand or description
     */
    public record Summary(long eventRows, long badRows, List<String> badRowExamples, long repeats, long droppedUsers,
                          long droppedUserEvents, int users, int items, int coldItems, long train, long valid,
                          long test, Instant firstEvent, Instant lastEvent, Instant validFrom, Instant testFrom,
                          String timeFormat, long catalogueOnlyItems, int itemsWithText) {
        /** The summary as lines of text. */
        public List<String> lines() {
            List<String> lines = new ArrayList<>();
            lines.add(String.format(Locale.ROOT, "%,d users, %,d items (%,d warm, %,d cold), %,d events: train %,d,"
                    + " valid %,d, test %,d", users, items, items - coldItems, coldItems, train + valid + test, train,
                    valid, test));
            lines.add("events from " + firstEvent + " to " + lastEvent + " (timestamps read as " + timeFormat
                    + "); valid from " + orNone(validFrom) + ", test from " + orNone(testFrom));
            lines.add(String.format(Locale.ROOT, "read %,d event rows: %,d bad rows skipped, %,d repeats of a user's"
                    + " item dropped, %,d users (%,d events) dropped for a short train history", eventRows, badRows,
                    repeats, droppedUsers, droppedUserEvents));
            lines.add(String.format(Locale.ROOT, "%,d items with text; %,d catalogue items without events left out",
                    itemsWithText, catalogueOnlyItems));
            badRowExamples.forEach(example -> lines.add("skipped " + example));
            return lines;
        }

        private static String orNone(Instant from) {
            return from == null ? "- (empty)" : from.toString();
        }
    }

    private final Options options;
    private final Progress progress;
    private long badRows;
    private final List<String> badRowExamples = new ArrayList<>();

    private final EventLog log = new EventLog();
    private long eventRows;
    private String timeFormat;
    private long catalogueOnlyItems;

    private DataDirPreparer(Options options, Progress progress) {
        this.options = options;
        this.progress = progress;
    }

    /** Reads the files, splits the events and writes the data dir; fails before writing anything on bad input. */
    public static Summary prepare(Options options, Progress progress) throws IOException {
        return new DataDirPreparer(options, progress).run();
    }

    /**
     * The events of {@code options.events()} and the texts {@code options.items()} gives their items, read and
     * checked as {@link #prepare} reads them (the same columns, timestamps and bad-row rules); nothing is split or
     * written, so the windows, the minimum train length and the output dir of the options are not used.
     */
    public static Contents read(Options options) throws IOException {
        DataDirPreparer reader = new DataDirPreparer(options, Progress.NONE);
        reader.readEvents();
        ItemText[] texts = options.items() == null ? new ItemText[0] : reader.readItems();
        return new Contents(reader.log, texts);
    }

    /** What {@link #read} found: the good events in file order and their items' texts from the catalogue. */
    public static final class Contents {
        private final EventLog log;
        private final ItemText[] texts;

        private Contents(EventLog log, ItemText[] texts) {
            this.log = log;
            this.texts = texts;
        }

        public int events() {
            return log.size();
        }

        public String user(int event) {
            return log.userName(log.user(event));
        }

        public String item(int event) {
            return log.itemName(log.item(event));
        }

        public long millis(int event) {
            return log.time(event);
        }

        /** The texts of the events' items that the catalogue lists (the item id in {@code asin}). */
        public List<ItemText> itemTexts() {
            return Arrays.stream(texts).filter(Objects::nonNull).toList();
        }
    }

    private Summary run() throws IOException {
        checkTarget();
        readEvents();
        ItemText[] texts = options.items() == null ? null : readItems();
        if (log.size() == 0) {
            throw new DataFormatException(options.events().getFileName() + ": no events to prepare");
        }
        return write(new GlobalTimeSplit(log, options.windows(), options.minTrain()), texts);
    }

    private void checkTarget() throws IOException {
        Path out = options.out();
        if (Files.exists(out) && !(Files.isDirectory(out) && isEmpty(out))) {
            throw new IllegalArgumentException(out + " already exists and is not an empty directory (the data dir is"
                    + " written only to a new or empty one)");
        }
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }

    // ---- reading

    private DelimitedRecords open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + (Files.exists(file) ? " is not a file" : " does not exist"));
        }
        String name = file.getFileName().toString();
        DelimitedRecords.Format format = options.format() != null ? DelimitedRecords.Format.parse(options.format())
                : DelimitedRecords.Format.ofFileName(name).orElseThrow(() -> new IllegalArgumentException(
                        "cannot tell the format of " + name + " from its name (.csv, .tsv or .tab, optionally .gz):"
                                + " give it as csv or tsv"));
        DelimitedRecords records = DelimitedRecords.open(file, format);
        if (!records.next()) {
            records.close();
            throw new DataFormatException(name + ": file is empty (expected a header row)");
        }
        return records;
    }

    /** The header's column for one of the accepted names (case and surrounding blanks ignored), or -1. */
    private static int column(DelimitedRecords in, boolean required, String... names) {
        int found = -1;
        List<String> header = in.fields();
        for (int c = 0; c < header.size(); c++) {
            String name = header.get(c).strip().toLowerCase(Locale.ROOT);
            if (Arrays.asList(names).contains(name)) {
                if (found >= 0) {
                    throw in.error("the header names the " + names[0] + " column twice");
                }
                found = c;
            }
        }
        if (found < 0 && required) {
            throw in.error("the header has no " + names[0] + " column (accepted names: " + String.join(", ", names)
                    + "; found: " + String.join(", ", header) + ")");
        }
        return found;
    }

    /** Counts a bad row; fails once more than allowed have been seen and enough are known to be worth listing. */
    private void badRow(DelimitedRecords in, String reason) {
        badRows++;
        if (badRowExamples.size() < REPORTED_BAD_ROWS) {
            badRowExamples.add(in.file() + ":" + in.line() + ": " + reason);
        }
        if (badRows > options.maxBadRows() && badRows >= REPORTED_BAD_ROWS) {
            throw new BadRowsException(badRows, true, options.maxBadRows(), badRowExamples);
        }
    }

    private void failOnTooManyBadRows() {
        if (badRows > options.maxBadRows()) {
            throw new BadRowsException(badRows, false, options.maxBadRows(), badRowExamples);
        }
    }

    /** The reason a row is not usable before its values are looked at, or null. */
    private static String shapeProblem(DelimitedRecords in, int headerFields) {
        if (in.problem() != null) {
            return in.problem();
        }
        int fields = in.fields().size();
        return fields == headerFields ? null
                : "expected " + headerFields + " fields as in the header but found " + fields;
    }

    /** An id field: blanks around it ignored; the reason it is refused, or null. */
    private static String idProblem(String id, String column) {
        if (id.isEmpty()) {
            return column + " is empty";
        }
        return id.chars().anyMatch(c -> c == '\t' || c == '\n' || c == '\r') ? column + " '"
                + id.replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r") + "' holds a tab or line break"
                : null;
    }

    private void readEvents() throws IOException {
        Timestamps timestamps = new Timestamps(options.timeKind() == null ? null
                : Timestamps.Kind.parse(options.timeKind()));
        try (DelimitedRecords in = open(options.events())) {
            int headerFields = in.fields().size();
            int userColumn = column(in, true, "user", "user_id");
            int itemColumn = column(in, true, "item", "item_id");
            int timeColumn = column(in, true, "timestamp", "time");
            while (in.next()) {
                eventRows++;
                report(in);
                String problem = shapeProblem(in, headerFields);
                if (problem != null) {
                    badRow(in, problem);
                    continue;
                }
                String user = in.fields().get(userColumn).strip();
                String item = in.fields().get(itemColumn).strip();
                String time = in.fields().get(timeColumn).strip();
                problem = idProblem(user, "user");
                problem = problem != null ? problem : idProblem(item, "item");
                problem = problem != null ? problem : time.isEmpty() ? "timestamp is empty" : null;
                if (problem != null) {
                    badRow(in, problem);
                    continue;
                }
                long millis;
                try {
                    millis = timestamps.millis(time, in.line());
                } catch (IllegalArgumentException | ArithmeticException e) {
                    badRow(in, e instanceof ArithmeticException ? "timestamp " + time + " is out of range"
                            : e.getMessage());
                    continue;
                }
                log.add(user, item, millis);
            }
        }
        timeFormat = timestamps.kind() == null ? "-" : timestamps.kind().words;
        failOnTooManyBadRows();
    }

    private void report(DelimitedRecords in) {
        if (in.linesRead() % PROGRESS_LINES == 0) {
            progress.linesRead(in.file(), in.linesRead());
        }
    }

    /** Item text by item index; only items of the event log are kept, the rest are counted. */
    private ItemText[] readItems() throws IOException {
        ItemText[] texts = new ItemText[log.items()];
        Map<String, Long> lineOf = new HashMap<>();
        try (DelimitedRecords in = open(options.items())) {
            int headerFields = in.fields().size();
            int idColumn = column(in, true, "item", "item_id");
            int titleColumn = column(in, false, "title");
            int categoriesColumn = column(in, false, "categories", "category");
            int brandColumn = column(in, false, "brand");
            int descriptionColumn = column(in, false, "description");
            while (in.next()) {
                report(in);
                String problem = shapeProblem(in, headerFields);
                String item = problem == null ? in.fields().get(idColumn).strip() : null;
                problem = problem != null ? problem : idProblem(item, "item");
                Long first = problem == null ? lineOf.putIfAbsent(item, in.line()) : null;
                problem = problem != null ? problem
                        : first != null ? "item '" + item + "' is listed again (first on line " + first + ")" : null;
                if (problem != null) {
                    badRow(in, problem);
                    continue;
                }
                int index = log.itemIndex(item);
                if (index >= 0) {
                    texts[index] = new ItemText(item, text(in, titleColumn), categories(in, categoriesColumn),
                            text(in, brandColumn), text(in, descriptionColumn));
                }
            }
        }
        failOnTooManyBadRows();
        catalogueOnlyItems = lineOf.keySet().stream().filter(item -> log.itemIndex(item) < 0).count();
        return texts;
    }

    /** A text field on one line with single spaces (the data dir's fields hold no tabs or line breaks). */
    private static String text(DelimitedRecords in, int column) {
        return column < 0 ? "" : WHITESPACE.matcher(in.fields().get(column)).replaceAll(" ").strip();
    }

    private String categories(DelimitedRecords in, int column) {
        String path = text(in, column);
        List<String> levels = new ArrayList<>();
        for (String level : path.split(Pattern.quote(options.categorySeparator().strip()))) {
            if (!level.isBlank()) {
                levels.add(level.strip());
            }
        }
        return String.join(ItemText.CATEGORY_SEPARATOR, levels);
    }

    // ---- writing

    /** Writes the data dir beside its target, then renames it into place; removes it again on any failure. */
    private Summary write(GlobalTimeSplit split, ItemText[] texts) throws IOException {
        Summary summary = new Summary(eventRows, badRows, List.copyOf(badRowExamples), split.repeats(),
                split.droppedUsers(), split.droppedUserEvents(), split.users(), split.items(), split.coldItems(),
                split.events(Split.TRAIN), split.events(Split.VALID), split.events(Split.TEST), firstEvent(),
                lastEvent(), split.validFrom(), split.testFrom(), timeFormat, catalogueOnlyItems,
                split.itemsWithText(texts));
        Path out = options.out().toAbsolutePath().normalize();
        Path parent = out.getParent();
        Files.createDirectories(parent);
        // not createTempDirectory: its owner-only permissions would stay with the data dir
        Path tmp = Files.createDirectory(parent.resolve("." + out.getFileName() + ".prepare-"
                + ProcessHandle.current().pid() + "-" + System.nanoTime()));
        try {
            split.writeFiles(tmp, texts);
            writeStats(tmp.resolve("stats.json"), summary);
            checkTarget(); // it may have appeared while the log was read
            if (Files.isDirectory(out)) {
                Files.delete(out); // empty, as checked
            }
            try {
                Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, out);
            }
        } catch (IOException | RuntimeException e) {
            deleteTree(tmp);
            throw e;
        }
        return summary;
    }

    private Instant firstEvent() {
        long first = Long.MAX_VALUE;
        for (int e = 0; e < log.size(); e++) {
            first = Math.min(first, log.time(e));
        }
        return Instant.ofEpochMilli(first);
    }

    private Instant lastEvent() {
        long last = Long.MIN_VALUE;
        for (int e = 0; e < log.size(); e++) {
            last = Math.max(last, log.time(e));
        }
        return Instant.ofEpochMilli(last);
    }

    /** The counts and the cuts, for whoever reads the data dir later (DatasetReader ignores the file). */
    private void writeStats(Path file, Summary s) throws IOException {
        JsonObject json = new JsonObject();
        json.addProperty("n_users", s.users());
        json.addProperty("n_items", s.items());
        JsonObject interactions = new JsonObject();
        interactions.addProperty("train", s.train());
        interactions.addProperty("valid", s.valid());
        interactions.addProperty("test", s.test());
        interactions.addProperty("total", s.train() + s.valid() + s.test());
        json.add("interactions", interactions);
        json.addProperty("n_warm_items", s.items() - s.coldItems());
        json.addProperty("n_cold_items", s.coldItems());
        json.addProperty("items_with_text", s.itemsWithText());
        JsonObject prepared = new JsonObject();
        prepared.addProperty("events", options.events().getFileName().toString());
        prepared.addProperty("items", options.items() == null ? null
                : options.items().getFileName().toString());
        prepared.addProperty("timestamps", s.timeFormat());
        prepared.addProperty("first_event", s.firstEvent().toString());
        prepared.addProperty("last_event", s.lastEvent().toString());
        prepared.addProperty("valid_from", s.validFrom() == null ? null : s.validFrom().toString());
        prepared.addProperty("test_from", s.testFrom() == null ? null : s.testFrom().toString());
        if (options.windows() instanceof Windows.Shares shares) {
            prepared.addProperty("valid_share", shares.valid());
            prepared.addProperty("test_share", shares.test());
        } else if (options.windows() instanceof Windows.Days days) {
            prepared.addProperty("valid_days", days.valid());
            prepared.addProperty("test_days", days.test());
        }
        prepared.addProperty("min_train", options.minTrain());
        prepared.addProperty("event_rows", s.eventRows());
        prepared.addProperty("bad_rows", s.badRows());
        prepared.addProperty("repeats_dropped", s.repeats());
        prepared.addProperty("users_dropped", s.droppedUsers());
        prepared.addProperty("events_of_dropped_users", s.droppedUserEvents());
        json.add("prepared", prepared);
        String text = new GsonBuilder().setPrettyPrinting().serializeNulls().disableHtmlEscaping().create()
                .toJson(json);
        Files.writeString(file, text + "\n", StandardCharsets.UTF_8);
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // the preparation's own error matters more; what is left is a hidden folder named after the target
        }
    }
}
