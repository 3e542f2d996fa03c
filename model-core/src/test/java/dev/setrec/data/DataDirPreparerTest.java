package dev.setrec.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.setrec.data.DataDirPreparer.BadRowsException;
import dev.setrec.data.DataDirPreparer.Options;
import dev.setrec.data.DataDirPreparer.Summary;
import dev.setrec.data.DataDirPreparer.Windows;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirPreparerTest {
    private static final long DAY = 86_400L;
    private static final long T0 = 1_400_000_000L; // 2014-05-13, epoch seconds

    @TempDir
    Path dir;

    private Path out() {
        return dir.resolve("out");
    }

    private Path write(String name, String... lines) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        return file;
    }

    private Options options(Path events, Path items, Windows windows, int minTrain, long maxBadRows) {
        return new Options(events, items, out(), null, null, windows, minTrain, maxBadRows, " > ");
    }

    private Summary prepare(Options options) throws IOException {
        return DataDirPreparer.prepare(options, DataDirPreparer.Progress.NONE);
    }

    /** Events "user,item,seconds" with a header; times in whole days after T0 unless given in full. */
    private static String[] csv(String... rows) {
        String[] lines = new String[rows.length + 1];
        lines[0] = "user,item,timestamp";
        System.arraycopy(rows, 0, lines, 1, rows.length);
        return lines;
    }

    private static String at(String user, String item, long day) {
        return user + "," + item + "," + (T0 + day * DAY);
    }

    /** The items of one user and split, by their external ids. */
    private static List<String> seq(Dataset d, List<String> userIds, List<String> itemIds, String user, Split split) {
        List<String> items = new ArrayList<>();
        for (int item : d.sequence(userIds.indexOf(user), split)) {
            items.add(itemIds.get(item));
        }
        return items;
    }

    private static List<String> column(Path file, int column) throws IOException {
        try (Stream<String> lines = Files.lines(file)) {
            return lines.skip(1).map(l -> l.split("\t", -1)[column]).toList();
        }
    }

    private List<String> userIds() throws IOException {
        return column(out().resolve("users.tsv"), 1);
    }

    private List<String> itemIds() throws IOException {
        return column(out().resolve("items.tsv"), 1);
    }

    private void assertNothingWritten() throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            List<String> names = entries.map(p -> p.getFileName().toString()).toList();
            assertFalse(names.contains("out"), "no data dir: " + names);
            assertTrue(names.stream().noneMatch(n -> n.contains("prepare")), "no temp dir left: " + names);
        }
    }

    // ---- the split

    @Test
    void sharesCutTheLogByGlobalTime() throws IOException {
        // 20 events on days 1..20 over four users: the last 10% (days 19, 20) are test, the 10% before valid
        List<String> rows = new ArrayList<>();
        for (int day = 1; day <= 20; day++) {
            rows.add(at("u" + day % 4, "i" + day, day));
        }
        Summary s = prepare(options(write("events.csv", csv(rows.toArray(String[]::new))), null,
                Options.DEFAULT_WINDOWS, 1, 0));

        assertEquals(Instant.ofEpochSecond(T0 + 17 * DAY), s.validFrom());
        assertEquals(Instant.ofEpochSecond(T0 + 19 * DAY), s.testFrom());
        assertEquals(16, s.train());
        assertEquals(2, s.valid());
        assertEquals(2, s.test());
        Dataset d = DatasetReader.read(out());
        List<String> users = userIds();
        List<String> items = itemIds();
        assertEquals(List.of("i3", "i7", "i11", "i15"), seq(d, users, items, "u3", Split.TRAIN));
        assertEquals(List.of(), seq(d, users, items, "u3", Split.VALID));
        assertEquals(List.of("i19"), seq(d, users, items, "u3", Split.TEST));
        assertEquals(List.of("i17"), seq(d, users, items, "u1", Split.VALID));
        assertEquals(List.of("i18"), seq(d, users, items, "u2", Split.VALID));
        assertEquals(List.of("i20"), seq(d, users, items, "u0", Split.TEST));
        assertEquals(4, d.numColdItems(), "the items first seen in valid and test");
    }

    @Test
    void eventsAtTheCutAllGoToTheLaterWindow() throws IOException {
        // ten events, the last three at one instant: a 10% test share takes all three
        Summary s = prepare(options(write("events.csv", csv(at("a", "1", 1), at("a", "2", 2), at("b", "3", 3),
                at("b", "4", 4), at("c", "5", 5), at("c", "6", 6), at("a", "7", 7), at("a", "8", 8),
                at("b", "9", 8), at("c", "10", 8))), null, Options.DEFAULT_WINDOWS, 1, 0));
        assertEquals(3, s.test());
        assertEquals(1, s.valid(), "day 7");
        assertEquals(Instant.ofEpochSecond(T0 + 8 * DAY), s.testFrom());
    }

    @Test
    void daysCountBackFromTheLastEvent() throws IOException {
        Path events = write("events.csv", csv(at("a", "1", 0), at("a", "2", 5), at("b", "3", 6), at("b", "4", 7),
                at("a", "5", 8), at("b", "6", 9), at("a", "7", 10)));
        // test: days 8..10 (the last event minus 2 days, inclusive); valid: days 5..7
        Summary s = prepare(options(events, null, new Windows.Days(3, 2), 1, 0));
        assertEquals(Instant.ofEpochSecond(T0 + 8 * DAY), s.testFrom());
        assertEquals(Instant.ofEpochSecond(T0 + 5 * DAY), s.validFrom());
        assertEquals(1, s.droppedUsers(), "b has no train event");
        assertEquals(3, s.droppedUserEvents());
        assertEquals(1, s.train());
        assertEquals(1, s.valid(), "a's day 5");
        assertEquals(2, s.test(), "a's days 8 and 10");
    }

    @Test
    void emptyWindowsAreAllowedButNotAnEmptyTrainSplit() throws IOException {
        Path events = write("events.csv", csv(at("a", "1", 0), at("a", "2", 5), at("a", "3", 6)));
        Summary s = prepare(options(events, null, new Windows.Days(0, 0), 1, 0));
        assertEquals(3, s.train());
        assertNull(s.validFrom());
        assertNull(s.testFrom());
        assertEquals(3, DatasetReader.read(out()).numInteractions(Split.TRAIN));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> prepare(
                new Options(events, null, dir.resolve("out2"), null, null, new Windows.Days(7, 7), 1, 0, " > ")));
        assertTrue(e.getMessage().contains("nothing is left to train on"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("out2")));
    }

    // ---- dedup, dropped users, cold items

    @Test
    void aUsersRepeatsOfAnItemAreDroppedKeepingTheFirst() throws IOException {
        // a buys 1 on day 1 and again on day 19 (test): the repeat is dropped, so 1 is not a test item of a
        Summary s = prepare(options(write("events.csv", csv(at("a", "1", 1), at("a", "2", 2), at("b", "1", 3),
                at("a", "1", 19), at("b", "1", 4), at("b", "3", 18), at("a", "4", 20))), null,
                new Windows.Days(1, 1.5), 1, 0));
        assertEquals(2, s.repeats());
        Dataset d = DatasetReader.read(out());
        List<String> users = userIds();
        List<String> items = itemIds();
        assertEquals(List.of("1", "2"), seq(d, users, items, "a", Split.TRAIN));
        assertEquals(List.of("4"), seq(d, users, items, "a", Split.TEST));
        assertEquals(List.of("1"), seq(d, users, items, "b", Split.TRAIN));
        assertEquals(List.of("3"), seq(d, users, items, "b", Split.VALID));
    }

    @Test
    void shortTrainHistoriesAreDroppedAndTheirItemsMayTurnCold() throws IOException {
        // c has one train event, on item x that nobody else has in train: with c dropped, x is cold
        Summary s = prepare(options(write("events.csv", csv(at("a", "1", 1), at("a", "2", 2), at("c", "x", 3),
                at("b", "1", 4), at("b", "2", 5), at("a", "x", 9), at("c", "3", 9), at("d", "1", 10))), null,
                new Windows.Days(0, 1.5), 2, 0));
        assertEquals(2, s.droppedUsers(), "c (one train event) and d (none)");
        assertEquals(3, s.droppedUserEvents());
        assertEquals(2, s.users());
        assertEquals(3, s.items(), "items 1, 2 and x; 3 only had events of c");
        assertEquals(1, s.coldItems());
        Dataset d = DatasetReader.read(out());
        List<String> items = itemIds();
        assertEquals(List.of("1", "2", "x"), items, "numbered in order of first kept event");
        assertTrue(d.isCold(items.indexOf("x")));
        assertFalse(d.isCold(items.indexOf("1")));
        assertEquals(List.of("2"), Files.readAllLines(out().resolve("cold_items.txt")));
        assertEquals(List.of("0", "1"), Files.readAllLines(out().resolve("warm_items.txt")));
        assertEquals(List.of("a", "b"), userIds());
    }

    // ---- the round trip

    @Test
    void roundTripOnAGeneratedLogGivesTheExpectedSequences() throws IOException {
        Random random = new Random(7);
        List<long[]> events = new ArrayList<>(); // user, item, seconds
        StringBuilder tsv = new StringBuilder("timestamp\tignored\titem\tuser\n");
        for (int i = 0; i < 3000; i++) {
            long[] e = {random.nextInt(400), random.nextInt(300), T0 + random.nextInt(2000) * 600L};
            events.add(e);
            tsv.append(e[2]).append("\tx\tI").append(e[1]).append("\tU").append(e[0]).append('\n');
        }
        Path file = dir.resolve("log.tsv");
        Files.writeString(file, tsv);
        Summary s = prepare(options(file, null, new Windows.Shares(0.15, 0.1), 3, 0));

        // expected, computed plainly: time order (file order on ties), first event per (user, item), cuts by rank
        List<long[]> byTime = new ArrayList<>(events);
        byTime.sort(Comparator.comparingLong(e -> e[2]));
        Set<String> seen = new LinkedHashSet<>();
        List<long[]> firsts = byTime.stream().filter(e -> seen.add(e[0] + "/" + e[1])).toList();
        long testFrom = firsts.get((int) Math.floor(firsts.size() * 0.9))[2];
        long validFrom = firsts.get((int) Math.floor(firsts.size() * 0.75))[2];
        Map<String, Map<Split, List<String>>> expected = new LinkedHashMap<>();
        Map<String, Integer> trainLength = new HashMap<>();
        for (long[] e : firsts) {
            Split split = e[2] >= testFrom ? Split.TEST : e[2] >= validFrom ? Split.VALID : Split.TRAIN;
            expected.computeIfAbsent("U" + e[0], u -> new HashMap<>())
                    .computeIfAbsent(split, x -> new ArrayList<>()).add("I" + e[1]);
            trainLength.merge("U" + e[0], split == Split.TRAIN ? 1 : 0, Integer::sum);
        }
        expected.keySet().removeIf(u -> trainLength.get(u) < 3);

        Dataset d = DatasetReader.read(out());
        List<String> users = userIds();
        List<String> items = itemIds();
        assertEquals(List.copyOf(expected.keySet()), users, "users numbered by first event");
        for (String user : users) {
            for (Split split : Split.values()) {
                assertEquals(expected.get(user).getOrDefault(split, List.of()), seq(d, users, items, user, split),
                        user + " " + split);
            }
        }
        assertEquals(events.size() - firsts.size(), s.repeats());
        assertEquals(d.numInteractions(Split.TRAIN), s.train());
        assertEquals(d.numInteractions(Split.TEST), s.test());
        assertEquals(d.numColdItems(), s.coldItems());
        assertTrue(s.coldItems() > 0 && s.droppedUsers() > 0, s.lines().toString());
        assertEquals(List.of(), d.warnings());
    }

    @Test
    void secondsMillisAndIsoTimestampsGiveTheSameDataDir() throws IOException {
        String[] seconds = {"user,item,timestamp", "a,1,1400000000", "a,2,1400086400", "b,2,1400172800",
            "b,3,1400259200.5", "a,3,1400345600"};
        String[] millis = {"user,item,timestamp", "a,1,1400000000000", "a,2,1400086400000", "b,2,1400172800000",
            "b,3,1400259200500", "a,3,1400345600000"};
        String[] iso = {"user,item,timestamp", "a,1,2014-05-13T16:53:20Z", "a,2,2014-05-14T18:53:20+02:00",
            "b,2,2014-05-15 16:53:20", "b,3,2014-05-16T16:53:20.5", "a,3,2014-05-17T16:53:20.000Z"};
        List<String> interactions = null;
        for (String[] log : List.of(seconds, millis, iso)) {
            Path target = dir.resolve("out-" + log[1].length());
            Summary s = DataDirPreparer.prepare(new Options(write("events.csv", log), null, target, null, null,
                    new Windows.Shares(0.2, 0.2), 1, 0, " > "), DataDirPreparer.Progress.NONE);
            assertEquals(Instant.parse("2014-05-16T16:53:20.500Z"), s.validFrom(), s.timeFormat());
            List<String> written = Files.readAllLines(target.resolve("interactions.tsv"));
            assertEquals(interactions == null ? written : interactions, written, s.timeFormat());
            interactions = written;
        }
        Path dateOnly = write("dates.csv", "user,item,timestamp", "a,1,2014-05-13", "a,2,2014-05-14");
        assertEquals(Instant.parse("2014-05-13T00:00:00Z"), prepare(options(dateOnly, null, new Windows.Days(0, 0),
                1, 0)).firstEvent());
    }

    // ---- the catalogue

    @Test
    void catalogueTextWithCommasQuotesAndLineBreaksIsKeptOnOneLine() throws IOException {
        Path events = write("events.csv", csv(at("a", "B1", 1), at("a", "B2", 2), at("b", "B2", 3),
                at("b", "B3", 9)));
        Path items = write("items.csv",
                "item,brand,title,categories,description,price",
                "B1,Acme,\"Ball, red\",Toys|Balls,\"The \"\"best\"\" ball,\nbouncy\tand round\",9.99",
                "B2,,Kite,,,",
                "B9,Zed,Never sold,Toys,,1",
                "B3 , Mattel ,\" Doll \", Toys | Dolls ,\"\",2");
        Summary s = prepare(new Options(events, items, out(), null, null, new Windows.Days(0, 1), 1, 0, "|"));
        assertEquals(1, s.catalogueOnlyItems());
        assertEquals(3, s.itemsWithText());
        Dataset d = DatasetReader.read(out());
        List<String> ids = itemIds();
        ItemText[] texts = d.itemTexts().orElseThrow();
        assertEquals(new ItemText("B1", "Ball, red", "Toys > Balls", "Acme", "The \"best\" ball, bouncy and round"),
                texts[ids.indexOf("B1")]);
        assertEquals(new ItemText("B2", "Kite", "", "", ""), texts[ids.indexOf("B2")]);
        assertEquals(new ItemText("B3", "Doll", "Toys > Dolls", "Mattel", ""), texts[ids.indexOf("B3")]);
        assertTrue(d.isCold(ids.indexOf("B3")));
    }

    @Test
    void withoutACatalogueItemsTsvStillMapsIdsBack() throws IOException {
        prepare(options(write("events.csv", csv(at("a", "x", 1), at("a", "y", 2))), null, new Windows.Days(0, 0),
                1, 0));
        Dataset d = DatasetReader.read(out());
        assertEquals(new ItemText("y", "", "", "", ""), d.itemTexts().orElseThrow()[1]);
    }

    // ---- bad rows

    private static final String[] BAD_EVENTS = {
        "user,item,timestamp",
        "a,1,1400000000",
        "a,2",                                  // 3: wrong column count
        ",2,1400000100",                        // 4: empty user
        "a,,1400000100",                        // 5: empty item
        "a,3,",                                 // 6: missing timestamp
        "a,3,yesterday",                        // 7: unparseable timestamp
        "a,3,1400000100000",                    // 8: millis in a file of seconds
        "a,\"3\"x,1400000100",                  // 9: text after a closing quote
        "\"a\nb\",3,1400000100",                // 10: a line break in an id (the record spans lines 10-11)
        "a,4,1400000200",
        "b,4,1400000300",
    };

    @Test
    void everyKindOfBadRowIsNamedWithFileLineAndReason() throws IOException {
        Path events = write("events.csv", BAD_EVENTS);
        BadRowsException e = assertThrows(BadRowsException.class,
                () -> prepare(options(events, null, new Windows.Days(0, 0), 1, 7)));
        List<String> lines = e.getMessage().lines().toList();
        assertEquals(List.of(
                "8 bad rows, more than the 7 allowed to be skipped:",
                "  events.csv:3: expected 3 fields as in the header but found 2",
                "  events.csv:4: user is empty",
                "  events.csv:5: item is empty",
                "  events.csv:6: timestamp is empty",
                "  events.csv:7: timestamp 'yesterday' is not a number (this file's timestamps are epoch seconds, as"
                        + " its first timestamp on line 2 is)",
                "  events.csv:8: timestamp 1400000100000 looks like epoch milliseconds, but this file's timestamps"
                        + " are epoch seconds, as its first timestamp on line 2 is",
                "  events.csv:9: text after the closing quote of field 2 (a quote inside a quoted field is written"
                        + " as two)",
                "  events.csv:10: user 'a\\nb' holds a tab or line break"), e.getMessage().lines().toList());
        assertNothingWritten();

        Summary s = prepare(options(events, null, new Windows.Days(0, 0), 1, 8));
        assertEquals(8, s.badRows());
        assertEquals(11, s.eventRows());
        assertEquals(3, s.train());
        assertEquals(8, s.badRowExamples().size());
        assertTrue(s.lines().contains("skipped events.csv:4: user is empty"), s.lines().toString());
    }

    @Test
    void pastTenBadRowsTheErrorStopsReadingAndSaysHowMany() throws IOException {
        List<String> rows = new ArrayList<>(List.of("user,item,timestamp"));
        for (int i = 0; i < 30; i++) {
            rows.add("u,i" + i + ",not-a-time");
        }
        BadRowsException e = assertThrows(BadRowsException.class,
                () -> prepare(options(write("events.csv", rows.toArray(String[]::new)), null,
                        Options.DEFAULT_WINDOWS, 1, 0)));
        assertTrue(e.getMessage().startsWith("10 bad rows (reading stopped there), more than the 0 allowed to be"
                + " skipped:\n  events.csv:2: timestamp 'not-a-time' is neither epoch seconds, epoch milliseconds nor"
                + " ISO-8601\n"), e.getMessage());
        assertEquals(11, e.getMessage().lines().count());
    }

    @Test
    void aFixedTimeFormatTakesEveryNumberInItsUnit() throws IOException {
        Path events = write("events.csv", "user,item,timestamp", "a,1,1000", "a,2,99999999999999");
        Summary s = prepare(new Options(events, null, out(), null, "millis", new Windows.Days(0, 0), 1, 0, " > "));
        assertEquals(Instant.ofEpochMilli(1000), s.firstEvent());
        assertEquals(Instant.ofEpochMilli(99_999_999_999_999L), s.lastEvent());
        assertEquals("epoch milliseconds", s.timeFormat());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> prepare(new Options(events,
                null, dir.resolve("x"), null, "minutes", new Windows.Days(0, 0), 1, 0, " > ")));
        assertEquals("unknown time format 'minutes' (expected auto, seconds, millis or iso)", e.getMessage());
    }

    @Test
    void aFirstTimestampThatIsNoTimestampDecidesNothing() throws IOException {
        Summary s = prepare(options(write("events.csv", "user,item,timestamp", "a,1,soon", "a,2,2014-05-13",
                "a,3,2014-05-14"), null, new Windows.Days(0, 0), 1, 1));
        assertEquals("ISO-8601", s.timeFormat());
        assertEquals(List.of("events.csv:2: timestamp 'soon' is neither epoch seconds, epoch milliseconds nor"
                + " ISO-8601"), s.badRowExamples());
    }

    @Test
    void catalogueBadRowsCountToo() throws IOException {
        Path events = write("events.csv", csv(at("a", "1", 1), at("a", "2", 2)));
        Path items = write("items.tsv", "item\ttitle", "1\tOne", "1\tAgain", "\tNo id", "2\tTwo\textra");
        BadRowsException e = assertThrows(BadRowsException.class,
                () -> prepare(options(events, items, new Windows.Days(0, 0), 1, 0)));
        assertEquals(List.of("3 bad rows, more than the 0 allowed to be skipped:",
                "  items.tsv:3: item '1' is listed again (first on line 2)",
                "  items.tsv:4: item is empty",
                "  items.tsv:5: expected 2 fields as in the header but found 3"), e.getMessage().lines().toList());
        assertNothingWritten();
    }

    // ---- whole-file problems

    @Test
    void aQuoteThatNeverClosesStopsAtOnce() throws IOException {
        Path events = write("events.csv", "user,item,timestamp", "a,1,1400000000", "a,\"2,1400000001",
                "a,3,1400000002");
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> prepare(options(events, null, Options.DEFAULT_WINDOWS, 1, 100)));
        assertEquals("events.csv:3: the quoted field 2 opened on this line never closes", e.getMessage());
        assertNothingWritten();

        // a stray quote early in a long log is stopped long before the end, not read on into memory
        StringBuilder log = new StringBuilder("user,item,timestamp\n\"a,1,1400000000\n");
        while (log.length() <= 2 * DelimitedRecords.MAX_QUOTED_CHARS) {
            log.append("a,2,1400000001\n");
        }
        Files.writeString(events, log);
        e = assertThrows(DataFormatException.class,
                () -> prepare(options(events, null, Options.DEFAULT_WINDOWS, 1, 100)));
        assertEquals("events.csv:2: the quoted field 1 opened on this line runs over 1048576 characters (a quote that"
                + " never closes?)", e.getMessage());
    }

    @Test
    void crlfEndingsAndAByteOrderMarkAreReadButNotInvalidUtf8() throws IOException {
        Path events = dir.resolve("events.csv");
        Files.writeString(events, "\uFEFFUser,Item,Timestamp\r\na,\"multi\r\nline\",1\r\na,2,2\r\n\r\n",
                StandardCharsets.UTF_8);
        Summary s = prepare(options(events, null, new Windows.Days(0, 0), 1, 1));
        assertEquals(List.of("events.csv:2: item 'multi\\nline' holds a tab or line break"), s.badRowExamples());
        assertEquals(1, s.train());

        byte[] bytes = "user,item,timestamp\na,\u00e9,1\nb,?,2\n".getBytes(StandardCharsets.UTF_8);
        bytes[bytes.length - 5] = (byte) 0xFF;
        Files.write(events, bytes);
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> prepare(new Options(events, null, dir.resolve("x"), null, null, new Windows.Days(0, 0), 1, 0,
                        " > ")));
        assertTrue(e.getMessage().startsWith("events.csv: not valid UTF-8"), e.getMessage());
    }

    @Test
    void headerProblems() throws IOException {
        DataFormatException e = assertThrows(DataFormatException.class, () -> prepare(options(
                write("events.csv", "User,Item,when", "a,1,1"), null, Options.DEFAULT_WINDOWS, 1, 0)));
        assertEquals("events.csv:1: the header has no timestamp column (accepted names: timestamp, time; found:"
                + " User, Item, when)", e.getMessage());
        e = assertThrows(DataFormatException.class, () -> prepare(options(
                write("events.csv", "user,item,timestamp,user_id", "a,1,1,a"), null, Options.DEFAULT_WINDOWS, 1, 0)));
        assertEquals("events.csv:1: the header names the user column twice", e.getMessage());
        Files.writeString(dir.resolve("empty.csv"), "");
        e = assertThrows(DataFormatException.class, () -> prepare(options(dir.resolve("empty.csv"), null,
                Options.DEFAULT_WINDOWS, 1, 0)));
        assertEquals("empty.csv: file is empty (expected a header row)", e.getMessage());
        e = assertThrows(DataFormatException.class, () -> prepare(options(write("events.csv", "user,item,timestamp"),
                null, Options.DEFAULT_WINDOWS, 1, 0)));
        assertEquals("events.csv: no events to prepare", e.getMessage());
        assertNothingWritten();
    }

    @Test
    void theFormatComesFromTheNameOrTheOptionsAndGzipIsRead() throws IOException {
        Path log = write("events.log", "user;item;timestamp", "a;1;1400000000");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> prepare(options(log, null, Options.DEFAULT_WINDOWS, 1, 0)));
        assertTrue(e.getMessage().startsWith("cannot tell the format of events.log"), e.getMessage());

        Path tsv = write("events.txt", "user\titem\ttimestamp", "a\t1\t1400000000", "a\t2\t1400000001");
        prepare(new Options(tsv, null, out(), "tsv", null, new Windows.Days(0, 0), 1, 0, " > "));
        assertEquals(2, DatasetReader.read(out()).numItems());

        Path gz = dir.resolve("events.csv.gz");
        try (OutputStream os = new GZIPOutputStream(Files.newOutputStream(gz))) {
            os.write("user,item,timestamp\na,1,1400000000\nb,1,1400000001\n".getBytes(StandardCharsets.UTF_8));
        }
        Summary s = prepare(new Options(gz, null, dir.resolve("gz"), null, null, new Windows.Days(0, 0), 1, 0, " > "));
        assertEquals(2, s.users());

        Path notGzip = write("plain.csv.gz", "user,item,timestamp");
        DataFormatException notGz = assertThrows(DataFormatException.class,
                () -> prepare(new Options(notGzip, null, dir.resolve("x"), null, null, Options.DEFAULT_WINDOWS, 1, 0,
                        " > ")));
        assertTrue(notGz.getMessage().startsWith("plain.csv.gz: not gzip data"), notGz.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> prepare(new Options(dir.resolve("nope.csv"), null, dir.resolve("x"), null, null,
                        Options.DEFAULT_WINDOWS, 1, 0, " > ")));
        assertEquals(dir.resolve("nope.csv") + " does not exist", missing.getMessage());
    }

    @Test
    void anExistingDataDirIsNeverOverwrittenButAnEmptyFolderIsFilled() throws IOException {
        Path events = write("events.csv", csv(at("a", "1", 1), at("a", "2", 2)));
        Files.createDirectories(out());
        prepare(options(events, null, new Windows.Days(0, 0), 1, 0));
        Path plainFolder = Files.createDirectory(dir.resolve("plain"));
        assertEquals(Files.getPosixFilePermissions(plainFolder), Files.getPosixFilePermissions(out()),
                "the data dir has the permissions of any new folder, not a temp dir's");
        String before = Files.readString(out().resolve("interactions.tsv"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> prepare(options(events, null, new Windows.Days(0, 0), 1, 0)));
        assertTrue(e.getMessage().contains("already exists and is not an empty directory"), e.getMessage());
        assertEquals(before, Files.readString(out().resolve("interactions.tsv")));
    }

    @Test
    void progressIsReportedOnLongFiles() throws IOException {
        StringBuilder log = new StringBuilder("user,item,timestamp\n");
        for (int i = 0; i < 150_000; i++) {
            log.append('u').append(i % 1000).append(",i").append(i % 777).append(',').append(T0 + i).append('\n');
        }
        Path events = dir.resolve("events.csv");
        Files.writeString(events, log);
        List<Long> reports = new ArrayList<>();
        DataDirPreparer.prepare(options(events, null, Options.DEFAULT_WINDOWS, 1, 0),
                (file, lines) -> reports.add(lines));
        assertEquals(List.of(65_536L, 131_072L), reports);
    }
}
