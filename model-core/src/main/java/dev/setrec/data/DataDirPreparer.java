package dev.setrec.data;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
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
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Turns a raw event log (user, item, timestamp; CSV or TSV) and an optional catalogue of item text into a data dir
 * (docs/data.md, "Your own data") that {@link DatasetReader} reads: each user's repeats of an item dropped (the first
 * event kept), one global time cut for the valid and one for the test window, users with too short a train history
 * dropped, ids renumbered densely in order of first appearance, warm and cold item lists.
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
    private static final long DAY_MILLIS = 86_400_000L;
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

    // the events as read, one entry per good row; users and items as indexes into their names
    private int count;
    private int[] userOf = new int[1 << 16];
    private int[] itemOf = new int[1 << 16];
    private long[] timeOf = new long[1 << 16];
    private final Map<String, Integer> userIndex = new HashMap<>();
    private final List<String> userNames = new ArrayList<>();
    private final Map<String, Integer> itemIndex = new HashMap<>();
    private final List<String> itemNames = new ArrayList<>();
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

    private Summary run() throws IOException {
        checkTarget();
        readEvents();
        ItemText[] texts = options.items() == null ? null : readItems();
        if (count == 0) {
            throw new DataFormatException(options.events().getFileName() + ": no events to prepare");
        }
        return new SplitLog(this).write(texts);
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
                addEvent(intern(user, userIndex, userNames), intern(item, itemIndex, itemNames), millis);
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

    private static int intern(String name, Map<String, Integer> index, List<String> names) {
        Integer known = index.putIfAbsent(name, names.size());
        if (known != null) {
            return known;
        }
        names.add(name);
        return names.size() - 1;
    }

    private void addEvent(int user, int item, long millis) {
        if (count == userOf.length) {
            if (count == Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("more than " + count + " events: split the log");
            }
            int capacity = (int) Math.min(Integer.MAX_VALUE - 8L, count * 2L);
            userOf = Arrays.copyOf(userOf, capacity);
            itemOf = Arrays.copyOf(itemOf, capacity);
            timeOf = Arrays.copyOf(timeOf, capacity);
        }
        userOf[count] = user;
        itemOf[count] = item;
        timeOf[count] = millis;
        count++;
    }

    /** Item text by item index; only items of the event log are kept, the rest are counted. */
    private ItemText[] readItems() throws IOException {
        ItemText[] texts = new ItemText[itemNames.size()];
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
                Integer index = itemIndex.get(item);
                if (index != null) {
                    texts[index] = new ItemText(item, text(in, titleColumn), categories(in, categoriesColumn),
                            text(in, brandColumn), text(in, descriptionColumn));
                }
            }
        }
        failOnTooManyBadRows();
        catalogueOnlyItems = lineOf.keySet().stream().filter(item -> !itemIndex.containsKey(item)).count();
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

    // ---- splitting and writing

    /** The events in time order, deduplicated, split by the global cuts, with the short-history users dropped. */
    private static final class SplitLog {
        private final DataDirPreparer log;
        private final int[] byUser; // event indexes grouped by user, each user's in time order (ties: file order)
        private final int[] userStart; // byUser[userStart[u] .. userStart[u + 1]) are user u's events
        private final boolean[] kept;
        private final byte[] splitOf;
        private long repeats;
        private long validFrom = Long.MAX_VALUE;
        private long testFrom = Long.MAX_VALUE;
        private long droppedUsers;
        private long droppedUserEvents;
        private int[] newUser; // by user index: its id in the data dir, or -1 when dropped
        private int[] newItem; // by item index: its id, or -1 when it has no kept event
        private int[] userWithId;
        private int[] itemWithId;
        private final long[] perSplit = new long[3];

        SplitLog(DataDirPreparer log) {
            this.log = log;
            int[] inTimeOrder = timeOrder(log.timeOf, log.count);
            int users = log.userNames.size();
            userStart = new int[users + 1];
            for (int e = 0; e < log.count; e++) {
                userStart[log.userOf[e] + 1]++;
            }
            Arrays.parallelPrefix(userStart, Integer::sum);
            byUser = new int[log.count];
            int[] fill = Arrays.copyOf(userStart, users);
            for (int e : inTimeOrder) {
                byUser[fill[log.userOf[e]]++] = e;
            }
            kept = dedup();
            cut(inTimeOrder);
            splitOf = new byte[log.count];
            for (int e = 0; e < log.count; e++) {
                long t = log.timeOf[e];
                splitOf[e] = (byte) (t >= testFrom ? Split.TEST.ordinal()
                        : t >= validFrom ? Split.VALID.ordinal() : Split.TRAIN.ordinal());
            }
            renumber(inTimeOrder);
        }

        /**
         * Event indexes sorted by time, ties in file order: each time is replaced by its rank among the distinct
         * times, so that rank and index fit one long and a primitive sort does it.
         */
        private static int[] timeOrder(long[] times, int count) {
            long[] distinct = Arrays.copyOf(times, count);
            Arrays.sort(distinct);
            int d = 0;
            for (int i = 0; i < count; i++) {
                if (d == 0 || distinct[d - 1] != distinct[i]) {
                    distinct[d++] = distinct[i];
                }
            }
            long[] keys = new long[count];
            for (int e = 0; e < count; e++) {
                keys[e] = (long) Arrays.binarySearch(distinct, 0, d, times[e]) << 32 | e;
            }
            Arrays.sort(keys);
            int[] order = new int[count];
            for (int i = 0; i < count; i++) {
                order[i] = (int) keys[i];
            }
            return order;
        }

        /** Keeps each user's first event on an item: a stamp per item says which user saw it last. */
        private boolean[] dedup() {
            boolean[] first = new boolean[log.count];
            int[] seenBy = new int[log.itemNames.size()];
            for (int u = 0; u + 1 < userStart.length; u++) {
                for (int i = userStart[u]; i < userStart[u + 1]; i++) {
                    int e = byUser[i];
                    first[e] = seenBy[log.itemOf[e]] != u + 1;
                    seenBy[log.itemOf[e]] = u + 1;
                    repeats += first[e] ? 0 : 1;
                }
            }
            return first;
        }

        /** The windows' first instants, from the kept events (before users are dropped). */
        private void cut(int[] inTimeOrder) {
            long[] times = Arrays.stream(inTimeOrder).filter(e -> kept[e]).mapToLong(e -> log.timeOf[e]).toArray();
            long last = times[times.length - 1];
            if (log.options.windows() instanceof Windows.Shares s) {
                // each window counts its share back from where the later one starts, ties at a cut included
                int testStart = times.length;
                if (s.test() > 0) {
                    testFrom = times[(int) Math.floor(times.length * (1 - s.test()))];
                    testStart = firstAtOrAfter(times, testFrom);
                }
                validFrom = s.valid() > 0 ? times[Math.max(0, (int) Math.floor(testStart - times.length * s.valid()))]
                        : testFrom;
            } else if (log.options.windows() instanceof Windows.Days days) {
                long testMillis = Math.round(days.test() * DAY_MILLIS);
                long validMillis = Math.round(days.valid() * DAY_MILLIS);
                testFrom = testMillis > 0 ? last - testMillis : Long.MAX_VALUE;
                validFrom = validMillis > 0 ? Math.min(testFrom, last) - validMillis : testFrom;
            }
            if (validFrom <= times[0]) {
                throw new IllegalArgumentException("the valid and test windows cover the whole log (events from "
                        + Instant.ofEpochMilli(times[0]) + " to " + Instant.ofEpochMilli(last) + "): nothing is left"
                        + " to train on; choose smaller windows");
            }
        }

        private static int firstAtOrAfter(long[] sorted, long time) {
            int i = Arrays.binarySearch(sorted, time);
            while (i > 0 && sorted[i - 1] == time) {
                i--;
            }
            return i;
        }

        /** Drops the users with a short train history; numbers users and items by their first kept event. */
        private void renumber(int[] inTimeOrder) {
            int users = userStart.length - 1;
            boolean[] enough = new boolean[users];
            for (int u = 0; u < users; u++) {
                int train = 0;
                int events = 0;
                for (int i = userStart[u]; i < userStart[u + 1]; i++) {
                    int e = byUser[i];
                    events += kept[e] ? 1 : 0;
                    train += kept[e] && splitOf[e] == Split.TRAIN.ordinal() ? 1 : 0;
                }
                enough[u] = train >= log.options.minTrain();
                if (!enough[u]) {
                    droppedUsers++;
                    droppedUserEvents += events;
                }
            }
            newUser = new int[users];
            newItem = new int[log.itemNames.size()];
            Arrays.fill(newUser, -1);
            Arrays.fill(newItem, -1);
            int nextUser = 0;
            int nextItem = 0;
            userWithId = new int[users];
            itemWithId = new int[newItem.length];
            for (int e : inTimeOrder) {
                int u = log.userOf[e];
                if (!kept[e] || !enough[u]) {
                    continue;
                }
                if (newUser[u] < 0) {
                    userWithId[nextUser] = u;
                    newUser[u] = nextUser++;
                }
                int item = log.itemOf[e];
                if (newItem[item] < 0) {
                    itemWithId[nextItem] = item;
                    newItem[item] = nextItem++;
                }
                perSplit[splitOf[e]]++;
            }
            userWithId = Arrays.copyOf(userWithId, nextUser);
            itemWithId = Arrays.copyOf(itemWithId, nextItem);
            if (perSplit[Split.TRAIN.ordinal()] == 0) {
                throw new IllegalArgumentException("no user has the " + log.options.minTrain() + " train events"
                        + " needed to be kept: nothing is left to train on");
            }
        }

        Summary write(ItemText[] texts) throws IOException {
            Path out = log.options.out().toAbsolutePath().normalize();
            Path parent = out.getParent();
            Files.createDirectories(parent);
            // not createTempDirectory: its owner-only permissions would stay with the data dir
            Path tmp = Files.createDirectory(parent.resolve("." + out.getFileName() + ".prepare-"
                    + ProcessHandle.current().pid() + "-" + System.nanoTime()));
            boolean[] trained = new boolean[itemWithId.length];
            Summary summary;
            try {
                writeInteractions(tmp.resolve(DatasetReader.INTERACTIONS), trained);
                summary = summary(trained, texts);
                writeUsers(tmp.resolve(DatasetReader.USERS));
                writeItems(tmp.resolve(DatasetReader.ITEMS), texts);
                writeItemList(tmp.resolve(DatasetReader.WARM), trained, true);
                writeItemList(tmp.resolve(DatasetReader.COLD), trained, false);
                writeStats(tmp.resolve("stats.json"), summary);
                log.checkTarget(); // it may have appeared while the log was read
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

        private void writeInteractions(Path file, boolean[] trained) throws IOException {
            try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                w.write("user_id\titem_id\tsplit\n");
                for (int id = 0; id < userWithId.length; id++) {
                    int u = userWithId[id];
                    for (Split s : Split.values()) {
                        for (int i = userStart[u]; i < userStart[u + 1]; i++) {
                            int e = byUser[i];
                            if (kept[e] && splitOf[e] == s.ordinal()) {
                                int item = newItem[log.itemOf[e]];
                                trained[item] |= s == Split.TRAIN;
                                w.write(id + "\t" + item + "\t" + s.label() + "\n");
                            }
                        }
                    }
                }
            }
        }

        private void writeUsers(Path file) throws IOException {
            try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                w.write("user_id\treviewer_id\n");
                for (int id = 0; id < userWithId.length; id++) {
                    w.write(id + "\t" + log.userNames.get(userWithId[id]) + "\n");
                }
            }
        }

        /** Every item with its external id as asin; the catalogue's description takes the keywords column. */
        private void writeItems(Path file, ItemText[] texts) throws IOException {
            try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                w.write("item_id\tasin\ttitle\tcategories\tbrand\tkeywords\n");
                for (int id = 0; id < itemWithId.length; id++) {
                    int item = itemWithId[id];
                    ItemText t = texts == null || texts[item] == null ? ItemText.EMPTY : texts[item];
                    w.write(id + "\t" + log.itemNames.get(item) + "\t" + t.title() + "\t" + t.categories() + "\t"
                            + t.brand() + "\t" + t.keywords() + "\n");
                }
            }
        }

        private static void writeItemList(Path file, boolean[] trained, boolean warm) throws IOException {
            try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                for (int id = 0; id < trained.length; id++) {
                    if (trained[id] == warm) {
                        w.write(id + "\n");
                    }
                }
            }
        }

        private Summary summary(boolean[] trained, ItemText[] texts) {
            int cold = 0;
            int withText = 0;
            for (int id = 0; id < trained.length; id++) {
                cold += trained[id] ? 0 : 1;
                ItemText t = texts == null ? null : texts[itemWithId[id]];
                withText += t != null && !t.isEmpty() ? 1 : 0;
            }
            long[] times = {Long.MAX_VALUE, Long.MIN_VALUE};
            for (int e = 0; e < log.count; e++) {
                times[0] = Math.min(times[0], log.timeOf[e]);
                times[1] = Math.max(times[1], log.timeOf[e]);
            }
            return new Summary(log.eventRows, log.badRows, List.copyOf(log.badRowExamples), repeats, droppedUsers,
                    droppedUserEvents, userWithId.length, itemWithId.length, cold, perSplit[0], perSplit[1],
                    perSplit[2], Instant.ofEpochMilli(times[0]), Instant.ofEpochMilli(times[1]), instant(validFrom),
                    instant(testFrom), log.timeFormat, log.catalogueOnlyItems, withText);
        }

        private static Instant instant(long millis) {
            return millis == Long.MAX_VALUE ? null : Instant.ofEpochMilli(millis);
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
            prepared.addProperty("events", log.options.events().getFileName().toString());
            prepared.addProperty("items", log.options.items() == null ? null
                    : log.options.items().getFileName().toString());
            prepared.addProperty("timestamps", s.timeFormat());
            prepared.addProperty("first_event", s.firstEvent().toString());
            prepared.addProperty("last_event", s.lastEvent().toString());
            prepared.addProperty("valid_from", s.validFrom() == null ? null : s.validFrom().toString());
            prepared.addProperty("test_from", s.testFrom() == null ? null : s.testFrom().toString());
            if (log.options.windows() instanceof Windows.Shares shares) {
                prepared.addProperty("valid_share", shares.valid());
                prepared.addProperty("test_share", shares.test());
            } else if (log.options.windows() instanceof Windows.Days days) {
                prepared.addProperty("valid_days", days.valid());
                prepared.addProperty("test_days", days.test());
            }
            prepared.addProperty("min_train", log.options.minTrain());
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
}
