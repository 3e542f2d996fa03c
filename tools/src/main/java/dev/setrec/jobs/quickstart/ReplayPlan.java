package dev.setrec.jobs.quickstart;

import dev.setrec.data.Dataset;
import dev.setrec.data.ItemText;
import dev.setrec.data.Split;
import dev.setrec.schemas.ItemEvent;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * What the quickstart replays, decided up front and without Kafka: the held-back interactions of a data set (every
 * valid one, then every test one) as a stream of live events, each with the user's next item as the ground truth
 * for online Recall@10, and a few cold items the served model must learn about from their ItemEvent.
 *
 * <p>Within a split the events are a seeded uniform shuffle of (user, position) slots: the k-th slot of a user gets
 * that user's k-th item, so each user's own order is kept while users interleave. A round-robin over a shuffled
 * user order would also keep the order, but it emits one event of every user in the first round and leaves the end
 * of the split to the few heaviest users; the slot shuffle spreads each user's events over the whole split, as in
 * real traffic. The data split is by global time, so replaying all valid events before all test events keeps time.
 */
public final class ReplayPlan {
    public static final int DEFAULT_HELD_BACK_COLD_ITEMS = 20;
    /** Between a user id and its round number, in the rounds after the first. */
    public static final String ROUND_SEPARATOR = "~";
    private static final List<Split> REPLAYED = List.of(Split.VALID, Split.TEST);

    /** One interaction to replay; {@code nextItemId} is the same user's next item in the plan, null for the last. */
    public record Event(String userId, String itemId, String nextItemId) {
    }

    /**
     * A cold item the served model does not know until its ItemEvent arrives. Categories are the levels of the data
     * set's category path: the list is the structured form a catalogue feed sends, and joining it with
     * {@link ItemText#CATEGORY_SEPARATOR} gives back exactly the text the model's other items were embedded from.
     */
    public record HeldBackItem(String itemId, String title, List<String> categories, String brand,
                               String description) {
        public HeldBackItem {
            categories = List.copyOf(categories);
        }

        public ItemEvent toItemEvent(Instant eventTime) {
            return ItemEvent.newBuilder()
                    .setItemId(itemId)
                    .setTitle(title)
                    .setCategories(new ArrayList<>(categories))
                    .setBrand(brand)
                    .setDescription(description)
                    .setEventTime(eventTime)
                    .build();
        }
    }

    private final List<Event> events;
    private final List<HeldBackItem> heldBackItems;
    private final Set<String> heldBackItemIds;
    private final List<Event> seedEvents;

    private ReplayPlan(List<Event> events, List<HeldBackItem> heldBackItems) {
        this(events, heldBackItems, List.of());
    }

    private ReplayPlan(List<Event> events, List<HeldBackItem> heldBackItems, List<Event> seedEvents) {
        this.events = events;
        this.heldBackItems = heldBackItems;
        this.seedEvents = seedEvents;
        Set<String> ids = new LinkedHashSet<>();
        heldBackItems.forEach(item -> ids.add(item.itemId()));
        this.heldBackItemIds = Collections.unmodifiableSet(ids);
    }

    public static ReplayPlan of(Dataset dataset, long seed) {
        return of(dataset, seed, DEFAULT_HELD_BACK_COLD_ITEMS);
    }

    /** The same data set, seed and count always give the same plan. */
    public static ReplayPlan of(Dataset dataset, long seed, int heldBackColdItems) {
        if (heldBackColdItems < 0) {
            throw new IllegalArgumentException("heldBackColdItems must be >= 0, got " + heldBackColdItems);
        }
        Random random = new Random(seed);
        List<int[]> userItems = new ArrayList<>(); // {user, item} in replay order
        for (Split split : REPLAYED) {
            userItems.addAll(interleave(dataset, split, random));
        }
        return new ReplayPlan(withNextItems(dataset, userItems),
                chooseHeldBack(dataset, userItems, random, heldBackColdItems));
    }

    /**
     * Events {@code from} (inclusive) to {@code to} (exclusive) of this plan and no held-back items, to replay a plan
     * in parts. Past the last event the plan starts over (users just interact again), so a part may be longer than
     * the plan; next items stay those of the first pass.
     */
    public ReplayPlan part(int from, int to) {
        if (from < 0 || to < from) {
            throw new IllegalArgumentException("need 0 <= from <= to, got " + from + ", " + to);
        }
        if (events.isEmpty() && to > from) {
            throw new IllegalArgumentException("the plan has no events");
        }
        List<Event> part = new ArrayList<>(to - from);
        for (int n = from; n < to; n++) {
            part.add(events.get(n % events.size()));
        }
        return new ReplayPlan(List.copyOf(part), List.of());
    }

    /**
     * Round {@code number} of this plan, to replay the live window again: the same events and seed events with each
     * user id suffixed {@code ~number}, so that every round's users start from empty histories and their online
     * Recall@10 is comparable across rounds; no held-back items (their item events were sent in round 1). Round 1 is
     * this plan.
     */
    public ReplayPlan round(int number) {
        if (number < 1) {
            throw new IllegalArgumentException("rounds count from 1, got " + number);
        }
        if (number == 1) {
            return this;
        }
        String suffix = ROUND_SEPARATOR + number;
        return new ReplayPlan(renamed(events, suffix), List.of(), renamed(seedEvents, suffix));
    }

    private static List<Event> renamed(List<Event> events, String userSuffix) {
        return events.stream().map(e -> new Event(e.userId() + userSuffix, e.itemId(), e.nextItemId())).toList();
    }

    public List<Event> events() {
        return events;
    }

    /**
     * This plan with seed events in front: for each replayed user, in the order of their first replayed event, the
     * last {@code maxPerUser} of their train interactions, oldest first. Replayed before the live events, they give
     * the job's histories what a deployed job would have seen by then, so that the first live recommendations come
     * from real histories instead of a single item. Seeds carry no next item: they are not scored for Recall.
     */
    public ReplayPlan withSeedHistories(Dataset dataset, int maxPerUser) {
        if (maxPerUser < 1) {
            throw new IllegalArgumentException("maxPerUser must be positive, got " + maxPerUser);
        }
        Map<String, Integer> rows = new HashMap<>();
        for (int user = 0; user < dataset.numUsers(); user++) {
            rows.put(dataset.userExternalId(user), user);
        }
        Set<String> seeded = new LinkedHashSet<>();
        List<Event> seeds = new ArrayList<>();
        for (Event event : events) {
            if (seeded.add(event.userId())) {
                int[] train = dataset.sequence(rows.get(event.userId()), Split.TRAIN);
                for (int i = Math.max(0, train.length - maxPerUser); i < train.length; i++) {
                    seeds.add(new Event(event.userId(), itemId(train[i]), null));
                }
            }
        }
        return new ReplayPlan(events, heldBackItems, List.copyOf(seeds));
    }

    /** Train interactions replayed before the live events (none unless {@link #withSeedHistories}). */
    public List<Event> seedEvents() {
        return seedEvents;
    }

    public List<HeldBackItem> heldBackItems() {
        return heldBackItems;
    }

    public Set<String> heldBackItemIds() {
        return heldBackItemIds;
    }

    /** External item ids are the data set's row numbers, as the model's item ids. */
    private static String itemId(int itemRow) {
        return Integer.toString(itemRow);
    }

    private static List<int[]> interleave(Dataset dataset, Split split, Random random) {
        List<Integer> slots = new ArrayList<>();
        for (int user = 0; user < dataset.numUsers(); user++) {
            slots.addAll(Collections.nCopies(dataset.sequence(user, split).length, user));
        }
        Collections.shuffle(slots, random);
        int[] position = new int[dataset.numUsers()];
        List<int[]> userItems = new ArrayList<>(slots.size());
        for (int user : slots) {
            userItems.add(new int[] {user, dataset.sequence(user, split)[position[user]++]});
        }
        return userItems;
    }

    private static List<Event> withNextItems(Dataset dataset, List<int[]> userItems) {
        Event[] events = new Event[userItems.size()];
        String[] nextOfUser = new String[dataset.numUsers()];
        for (int i = events.length - 1; i >= 0; i--) {
            int user = userItems.get(i)[0];
            String item = itemId(userItems.get(i)[1]);
            events[i] = new Event(dataset.userExternalId(user), item, nextOfUser[user]);
            nextOfUser[user] = item;
        }
        return List.of(events);
    }

    /** A seeded choice among the cold items that are replayed and have text to onboard them from, by id. */
    private static List<HeldBackItem> chooseHeldBack(Dataset dataset, List<int[]> userItems, Random random,
                                                     int count) {
        ItemText[] texts = dataset.itemTexts().orElse(new ItemText[0]);
        boolean[] replayed = new boolean[dataset.numItems()];
        userItems.forEach(userItem -> replayed[userItem[1]] = true);
        List<Integer> candidates = new ArrayList<>();
        for (int item = 0; item < texts.length; item++) {
            if (replayed[item] && dataset.isCold(item) && !texts[item].isEmpty()) {
                candidates.add(item);
            }
        }
        Collections.shuffle(candidates, random);
        List<Integer> chosen = new ArrayList<>(candidates.subList(0, Math.min(count, candidates.size())));
        Collections.sort(chosen);
        return chosen.stream().map(item -> heldBackItem(item, texts[item])).toList();
    }

    private static HeldBackItem heldBackItem(int item, ItemText text) {
        return new HeldBackItem(itemId(item), text.title(), text.categoryLevels(), text.brand(), text.keywords());
    }
}
