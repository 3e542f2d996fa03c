package dev.setrec.models;

import dev.setrec.data.Dataset;
import dev.setrec.data.Split;
import dev.setrec.model.setrec.ItemInputs;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * A refresh's window of events as a data set over a catalogue, split as ./setrec prepare splits (a global time
 * split, so that nothing chosen on the slice sees its future): the cut is the time below which (1 - held-back
 * share) of the window's events fall; per user, the events before it (in time order) are train and those from it
 * are valid, the held-back slice, scored from the train history as the paper's protocol scores valid. Events of
 * items the catalogue does not hold are dropped and counted. The cold flags are the catalogue's.
 * <p>
 * The users the slice scores are dealt, alternately, into two halves: one chooses (the epochs, the score mix), the
 * other decides. Why: a candidate whose choices were fitted to the very users that judge it would win on noise.
 *
 * @param data every user's train and valid events (what a refit trains on)
 * @param choice the same with valid events only for the users who choose
 * @param decision the same with valid events only for the users who decide
 * @param used events kept, {@code dropped} events of unknown items
 * @param heldBackUsers users with events both before and from the cut: the ones the slice scores
 */
record RefreshWindow(Dataset data, Dataset choice, Dataset decision, int used, int dropped, long cutMillis,
                     int heldBackUsers) {
    static RefreshWindow of(List<Refresh.Event> events, ItemInputs catalogue, double heldBackShare) {
        Map<String, Integer> rowOf = new HashMap<>();
        for (int row = 0; row < catalogue.numItems(); row++) {
            rowOf.putIfAbsent(catalogue.ids()[row], row);
        }
        List<Refresh.Event> kept = events.stream().filter(e -> rowOf.containsKey(e.item())).toList();
        long cut = cutTime(kept, heldBackShare);
        Map<String, List<Refresh.Event>> byUser = new LinkedHashMap<>();
        for (Refresh.Event e : kept) {
            byUser.computeIfAbsent(e.user(), user -> new ArrayList<>()).add(e);
        }
        int users = byUser.size();
        int[][] train = new int[users][];
        int[][] valid = new int[users][];
        int[][] choiceValid = new int[users][0];
        int[][] decisionValid = new int[users][0];
        int heldBack = 0;
        int u = 0;
        for (List<Refresh.Event> userEvents : byUser.values()) {
            userEvents.sort(Comparator.comparingLong(Refresh.Event::timeMillis)); // stable: equal times keep order
            train[u] = userEvents.stream().filter(e -> e.timeMillis() < cut).mapToInt(e -> rowOf.get(e.item()))
                    .toArray();
            valid[u] = userEvents.stream().filter(e -> e.timeMillis() >= cut).mapToInt(e -> rowOf.get(e.item()))
                    .toArray();
            if (train[u].length > 0 && valid[u].length > 0) {
                (heldBack++ % 2 == 0 ? choiceValid : decisionValid)[u] = valid[u];
            }
            u++;
        }
        String[] userIds = byUser.keySet().toArray(String[]::new);
        return new RefreshWindow(dataset("refresh window", catalogue, train, valid, userIds),
                dataset("refresh window, choosing half", catalogue, train, choiceValid, userIds),
                dataset("refresh window, deciding half", catalogue, train, decisionValid, userIds),
                kept.size(), events.size() - kept.size(), cut, heldBack);
    }

    private static Dataset dataset(String name, ItemInputs catalogue, int[][] train, int[][] valid, String[] users) {
        return new Dataset(name, catalogue.numItems(), train, valid, new int[train.length][0],
                catalogue.cold().clone(), null, null, users, List.of());
    }

    /** The time below which (1 - share) of the events fall (the newest event's time at the latest). */
    private static long cutTime(List<Refresh.Event> events, double heldBackShare) {
        if (events.isEmpty()) {
            return Long.MAX_VALUE;
        }
        long[] times = events.stream().mapToLong(Refresh.Event::timeMillis).sorted().toArray();
        int below = (int) Math.floor((1 - heldBackShare) * times.length);
        return times[Math.min(below, times.length - 1)];
    }

    /** Whether some user has two train events: something to learn a next item from. */
    boolean hasTrainingTargets() {
        return IntStream.range(0, data.numUsers()).anyMatch(u -> data.sequence(u, Split.TRAIN).length >= 2);
    }

    /** The catalogue's cold rows with an event in what {@code fit} trains on: those whose CF input is learned. */
    int[] coldRowsWithEvents(Training.Fit fit) {
        boolean[] seen = new boolean[data.numItems()];
        for (int[] sequence : Training.sequences(data, fit)) {
            for (int row : sequence) {
                seen[row] = true;
            }
        }
        return IntStream.range(0, seen.length).filter(row -> seen[row] && data.isCold(row)).toArray();
    }
}
