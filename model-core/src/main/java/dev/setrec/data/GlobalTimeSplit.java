package dev.setrec.data;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;

/**
 * The paper's split of an {@link EventLog}: events in time order (ties in file order), each user's repeats of an
 * item dropped, one global cut for the valid and one for the test window, users with too short a train history
 * dropped, users and items numbered from 0 by their first kept event; and the data dir's files written from it.
 */
final class GlobalTimeSplit {
    private static final long DAY_MILLIS = 86_400_000L;

    private final EventLog log;
    private final int[] byUser; // event indexes grouped by user, each user's in time order (ties: file order)
    private final int[] userStart; // byUser[userStart[u] .. userStart[u + 1]) are user u's events
    private final boolean[] kept;
    private final byte[] splitOf;
    private long repeats;
    private long validFrom = Long.MAX_VALUE;
    private long testFrom = Long.MAX_VALUE;
    private long droppedUsers;
    private long droppedUserEvents;
    private int[] newItem; // by item index: its id, or -1 when it has no kept event
    private int[] userWithId;
    private int[] itemWithId;
    private boolean[] trained; // by item id: has a train event, i.e. is warm
    private final long[] perSplit = new long[3];

    /**
     * @param windows where the valid and test windows begin
     * @param minTrain users with fewer train events are dropped
     */
    GlobalTimeSplit(EventLog log, DataDirPreparer.Windows windows, int minTrain) {
        this.log = log;
        int[] inTimeOrder = timeOrder(log);
        int users = log.users();
        userStart = new int[users + 1];
        for (int e = 0; e < log.size(); e++) {
            userStart[log.user(e) + 1]++;
        }
        Arrays.parallelPrefix(userStart, Integer::sum);
        byUser = new int[log.size()];
        int[] fill = Arrays.copyOf(userStart, users);
        for (int e : inTimeOrder) {
            byUser[fill[log.user(e)]++] = e;
        }
        kept = dedup();
        cut(inTimeOrder, windows);
        splitOf = new byte[log.size()];
        for (int e = 0; e < log.size(); e++) {
            long t = log.time(e);
            splitOf[e] = (byte) (t >= testFrom ? Split.TEST.ordinal()
                    : t >= validFrom ? Split.VALID.ordinal() : Split.TRAIN.ordinal());
        }
        renumber(inTimeOrder, minTrain);
    }

    /**
     * Event indexes sorted by time, ties in file order: each time is replaced by its rank among the distinct
     * times, so that rank and index fit one long and a primitive sort does it.
     */
    private static int[] timeOrder(EventLog log) {
        int count = log.size();
        long[] distinct = new long[count];
        for (int e = 0; e < count; e++) {
            distinct[e] = log.time(e);
        }
        Arrays.sort(distinct);
        int d = 0;
        for (int i = 0; i < count; i++) {
            if (d == 0 || distinct[d - 1] != distinct[i]) {
                distinct[d++] = distinct[i];
            }
        }
        long[] keys = new long[count];
        for (int e = 0; e < count; e++) {
            keys[e] = (long) Arrays.binarySearch(distinct, 0, d, log.time(e)) << 32 | e;
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
        boolean[] first = new boolean[log.size()];
        int[] seenBy = new int[log.items()];
        for (int u = 0; u + 1 < userStart.length; u++) {
            for (int i = userStart[u]; i < userStart[u + 1]; i++) {
                int e = byUser[i];
                first[e] = seenBy[log.item(e)] != u + 1;
                seenBy[log.item(e)] = u + 1;
                repeats += first[e] ? 0 : 1;
            }
        }
        return first;
    }

    /** The windows' first instants, from the kept events (before users are dropped). */
    private void cut(int[] inTimeOrder, DataDirPreparer.Windows windows) {
        long[] times = Arrays.stream(inTimeOrder).filter(e -> kept[e]).mapToLong(e -> log.time(e)).toArray();
        long last = times[times.length - 1];
        if (windows instanceof DataDirPreparer.Windows.Shares s) {
            // each window counts its share back from where the later one starts, ties at a cut included
            int testStart = times.length;
            if (s.test() > 0) {
                testFrom = times[(int) Math.floor(times.length * (1 - s.test()))];
                testStart = firstAtOrAfter(times, testFrom);
            }
            validFrom = s.valid() > 0 ? times[Math.max(0, (int) Math.floor(testStart - times.length * s.valid()))]
                    : testFrom;
        } else if (windows instanceof DataDirPreparer.Windows.Days days) {
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
    private void renumber(int[] inTimeOrder, int minTrain) {
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
            enough[u] = train >= minTrain;
            if (!enough[u]) {
                droppedUsers++;
                droppedUserEvents += events;
            }
        }
        int[] newUser = new int[users]; // by user index: its id in the data dir, or -1 when dropped
        newItem = new int[log.items()];
        Arrays.fill(newUser, -1);
        Arrays.fill(newItem, -1);
        int nextUser = 0;
        int nextItem = 0;
        userWithId = new int[users];
        itemWithId = new int[newItem.length];
        trained = new boolean[newItem.length];
        for (int e : inTimeOrder) {
            int u = log.user(e);
            if (!kept[e] || !enough[u]) {
                continue;
            }
            if (newUser[u] < 0) {
                userWithId[nextUser] = u;
                newUser[u] = nextUser++;
            }
            int item = log.item(e);
            if (newItem[item] < 0) {
                itemWithId[nextItem] = item;
                newItem[item] = nextItem++;
            }
            perSplit[splitOf[e]]++;
            trained[newItem[item]] |= splitOf[e] == Split.TRAIN.ordinal();
        }
        userWithId = Arrays.copyOf(userWithId, nextUser);
        itemWithId = Arrays.copyOf(itemWithId, nextItem);
        trained = Arrays.copyOf(trained, nextItem);
        if (perSplit[Split.TRAIN.ordinal()] == 0) {
            throw new IllegalArgumentException("no user has the " + minTrain + " train events"
                    + " needed to be kept: nothing is left to train on");
        }
    }

    /** Writes the data dir's files (not stats.json) into {@code dir}; texts by item index, null for none. */
    void writeFiles(Path dir, ItemText[] texts) throws IOException {
        writeInteractions(dir.resolve(DatasetReader.INTERACTIONS));
        writeUsers(dir.resolve(DatasetReader.USERS));
        writeItems(dir.resolve(DatasetReader.ITEMS), texts);
        writeItemList(dir.resolve(DatasetReader.WARM), true);
        writeItemList(dir.resolve(DatasetReader.COLD), false);
    }

    private void writeInteractions(Path file) throws IOException {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("user_id\titem_id\tsplit\n");
            for (int id = 0; id < userWithId.length; id++) {
                int u = userWithId[id];
                for (Split s : Split.values()) {
                    for (int i = userStart[u]; i < userStart[u + 1]; i++) {
                        int e = byUser[i];
                        if (kept[e] && splitOf[e] == s.ordinal()) {
                            int item = newItem[log.item(e)];
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
                w.write(id + "\t" + log.userName(userWithId[id]) + "\n");
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
                w.write(id + "\t" + log.itemName(item) + "\t" + t.title() + "\t" + t.categories() + "\t"
                        + t.brand() + "\t" + t.keywords() + "\n");
            }
        }
    }

    private void writeItemList(Path file, boolean warm) throws IOException {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (int id = 0; id < trained.length; id++) {
                if (trained[id] == warm) {
                    w.write(id + "\n");
                }
            }
        }
    }

    long repeats() {
        return repeats;
    }

    /** The first instant of the valid window; null when it is empty. */
    Instant validFrom() {
        return instant(validFrom);
    }

    /** The first instant of the test window; null when it is empty. */
    Instant testFrom() {
        return instant(testFrom);
    }

    private static Instant instant(long millis) {
        return millis == Long.MAX_VALUE ? null : Instant.ofEpochMilli(millis);
    }

    long droppedUsers() {
        return droppedUsers;
    }

    long droppedUserEvents() {
        return droppedUserEvents;
    }

    int users() {
        return userWithId.length;
    }

    int items() {
        return itemWithId.length;
    }

    int coldItems() {
        int cold = 0;
        for (boolean warm : trained) {
            cold += warm ? 0 : 1;
        }
        return cold;
    }

    /** Events in the split, of the users kept. */
    long events(Split split) {
        return perSplit[split.ordinal()];
    }

    /** Items of the data dir whose text (by item index) is not empty. */
    int itemsWithText(ItemText[] texts) {
        int count = 0;
        for (int item : itemWithId) {
            count += texts != null && texts[item] != null && !texts[item].isEmpty() ? 1 : 0;
        }
        return count;
    }
}
