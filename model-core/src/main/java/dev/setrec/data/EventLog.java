package dev.setrec.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The good rows of a user's event log as read, in file order: per event a user and an item, each an index into the
 * names they have in the log, and the time in epoch milliseconds. Three primitive columns, no object per event.
 */
final class EventLog {
    private int size;
    private int[] userOf = new int[1 << 16];
    private int[] itemOf = new int[1 << 16];
    private long[] timeOf = new long[1 << 16];
    private final Map<String, Integer> userIndex = new HashMap<>();
    private final List<String> userNames = new ArrayList<>();
    private final Map<String, Integer> itemIndex = new HashMap<>();
    private final List<String> itemNames = new ArrayList<>();

    void add(String user, String item, long millis) {
        if (size == userOf.length) {
            if (size == Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("more than " + size + " events: split the log");
            }
            int capacity = (int) Math.min(Integer.MAX_VALUE - 8L, size * 2L);
            userOf = Arrays.copyOf(userOf, capacity);
            itemOf = Arrays.copyOf(itemOf, capacity);
            timeOf = Arrays.copyOf(timeOf, capacity);
        }
        userOf[size] = intern(user, userIndex, userNames);
        itemOf[size] = intern(item, itemIndex, itemNames);
        timeOf[size] = millis;
        size++;
    }

    private static int intern(String name, Map<String, Integer> index, List<String> names) {
        Integer known = index.putIfAbsent(name, names.size());
        if (known != null) {
            return known;
        }
        names.add(name);
        return names.size() - 1;
    }

    int size() {
        return size;
    }

    int user(int event) {
        return userOf[event];
    }

    int item(int event) {
        return itemOf[event];
    }

    long time(int event) {
        return timeOf[event];
    }

    int users() {
        return userNames.size();
    }

    int items() {
        return itemNames.size();
    }

    String userName(int user) {
        return userNames.get(user);
    }

    String itemName(int item) {
        return itemNames.get(item);
    }

    /** The item's index, or -1 when no event names it. */
    int itemIndex(String name) {
        return itemIndex.getOrDefault(name, -1);
    }
}
