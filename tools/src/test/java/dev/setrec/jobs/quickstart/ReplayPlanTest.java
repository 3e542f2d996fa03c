package dev.setrec.jobs.quickstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.setrec.data.Dataset;
import dev.setrec.data.ItemText;
import dev.setrec.schemas.AvroCodec;
import dev.setrec.schemas.ItemEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class ReplayPlanTest {
    private final Dataset data = ReplayTestData.threeUsers();

    @Test
    void replaysAllValidEventsThenAllTestEventsKeepingEachUsersOrder() {
        for (long seed = 0; seed < 20; seed++) {
            List<ReplayPlan.Event> events = ReplayPlan.of(data, seed).events();
            assertEquals(8, events.size());
            assertEquals(Set.of("R-ZERO:5", "1:6", "1:2"), userItems(events.subList(0, 3)), "the 3 valid events first");
            assertEquals(Map.of("R-ZERO", List.of("5", "7", "8"), "1", List.of("6", "2", "9"),
                    "R-TWO", List.of("5", "3")), itemsByUser(events), "seed " + seed);
        }
    }

    @Test
    void aLaterRoundReplaysTheSameEventsAndSeedsForFreshUsersWithoutTheColdItems() {
        ReplayPlan plan = ReplayPlan.of(data, 5).withSeedHistories(data, 2);
        assertEquals(plan, plan.round(1), "round 1 is the plan");
        ReplayPlan third = plan.round(3);
        assertEquals(plan.events().stream().map(e -> new ReplayPlan.Event(e.userId() + "~3", e.itemId(),
                e.nextItemId())).toList(), third.events());
        assertEquals(plan.seedEvents().stream().map(e -> new ReplayPlan.Event(e.userId() + "~3", e.itemId(), null))
                .toList(), third.seedEvents());
        assertTrue(!plan.heldBackItems().isEmpty() && third.heldBackItems().isEmpty(),
                "the cold items' events were sent in round 1");
    }

    @Test
    void interleavesUsersDifferentlyForDifferentSeeds() {
        Set<List<ReplayPlan.Event>> orders = new HashSet<>();
        LongStream.range(0, 20).forEach(seed -> orders.add(ReplayPlan.of(data, seed).events()));
        assertTrue(orders.size() > 1, "the seed changes the interleaving");
        assertEquals(ReplayPlan.of(data, 7).events(), ReplayPlan.of(data, 7).events(), "the same seed, the same plan");
    }

    @Test
    void eachEventNamesTheSameUsersNextItemInThePlan() {
        List<ReplayPlan.Event> events = ReplayPlan.of(data, 3).events();
        Map<String, String> expectedNext = Map.of("R-ZERO:5", "7", "R-ZERO:7", "8", "1:6", "2", "1:2", "9",
                "R-TWO:5", "3");
        for (ReplayPlan.Event e : events) {
            String key = e.userId() + ":" + e.itemId();
            if (expectedNext.containsKey(key)) {
                assertEquals(expectedNext.get(key), e.nextItemId(), key);
            } else {
                assertNull(e.nextItemId(), key + " is the user's last event");
            }
        }
    }

    @Test
    void holdsBackOnlyReplayedColdItemsWithTextDeterministically() {
        for (long seed = 0; seed < 20; seed++) {
            ReplayPlan plan = ReplayPlan.of(data, seed, 2);
            assertEquals(2, plan.heldBackItemIds().size());
            assertTrue(ReplayTestData.HOLDABLE_COLD_ITEMS.containsAll(plan.heldBackItemIds()), plan.heldBackItemIds()
                    + " for seed " + seed);
            assertEquals(plan.heldBackItems(), ReplayPlan.of(data, seed, 2).heldBackItems());
        }
        assertEquals(ReplayTestData.HOLDABLE_COLD_ITEMS, List.copyOf(ReplayPlan.of(data, 1, 20).heldBackItemIds()),
                "asking for more than there are gives all of them, by id");
        assertEquals(Set.of(), ReplayPlan.of(Dataset.of("no-text", 10, new int[][] {{0}}, new int[][] {{5}},
                new int[][] {{6}}), 1).heldBackItemIds(), "without item text no item can be onboarded");
    }

    @Test
    void heldBackItemsCarryTheirTextAsAnItemEvent() throws Exception {
        ReplayPlan.HeldBackItem item = ReplayPlan.of(data, 1, 20).heldBackItems().get(0);
        assertEquals(new ReplayPlan.HeldBackItem("5", "Toy number 5", List.of("Toys & Games", "Puzzles"), "",
                "toy puzzle 5"), item);
        AvroCodec<ItemEvent> codec = AvroCodec.of(ItemEvent.class);
        ItemEvent event = codec.decode(codec.encode(item.toItemEvent(Instant.ofEpochMilli(1234))));
        assertEquals("5", event.getItemId());
        assertEquals("Toys & Games > Puzzles", String.join(ItemText.CATEGORY_SEPARATOR, event.getCategories()));
        assertEquals("toy puzzle 5", event.getDescription());
        assertEquals(Instant.ofEpochMilli(1234), event.getEventTime());
    }

    @Test
    void aPartIsARangeOfEventsThatStartsOverPastTheEnd() {
        ReplayPlan plan = ReplayPlan.of(data, 4, 2);
        List<ReplayPlan.Event> events = plan.events();
        assertEquals(events.subList(2, 5), plan.part(2, 5).events());
        List<ReplayPlan.Event> pastTheEnd = plan.part(6, 11).events();
        assertEquals(List.of(events.get(6), events.get(7), events.get(0), events.get(1), events.get(2)), pastTheEnd);
        assertEquals(Set.of(), plan.part(0, 3).heldBackItemIds(), "held-back items are not part of a part");
        assertEquals(List.of(), plan.part(3, 3).events());
    }

    private static Set<String> userItems(List<ReplayPlan.Event> events) {
        Set<String> userItems = new HashSet<>();
        events.forEach(e -> userItems.add(e.userId() + ":" + e.itemId()));
        return userItems;
    }

    private static Map<String, List<String>> itemsByUser(List<ReplayPlan.Event> events) {
        Map<String, List<String>> byUser = new HashMap<>();
        events.forEach(e -> byUser.computeIfAbsent(e.userId(), u -> new ArrayList<>()).add(e.itemId()));
        return byUser;
    }

    @Test
    void seedHistoriesAreEachReplayedUsersLastTrainItemsInFrontOfTheLiveEvents() {
        Dataset data = ReplayTestData.threeUsers();
        ReplayPlan live = ReplayPlan.of(data, 3);
        assertEquals(List.of(), live.seedEvents(), "no seeds unless asked for");
        ReplayPlan seeded = live.withSeedHistories(data, 1);
        assertEquals(live.events(), seeded.events());
        assertEquals(live.heldBackItems(), seeded.heldBackItems());
        List<String> usersInOrder = live.events().stream().map(ReplayPlan.Event::userId).distinct().toList();
        java.util.Map<String, String> lastTrainItem = java.util.Map.of("R-ZERO", "1", data.userExternalId(1), "3",
                "R-TWO", "1");
        assertEquals(usersInOrder.stream().map(u -> new ReplayPlan.Event(u, lastTrainItem.get(u), null)).toList(),
                seeded.seedEvents(), "the last train item of each user, in the order users first appear");
        List<ReplayPlan.Event> all = live.withSeedHistories(data, 50).seedEvents();
        assertEquals(6, all.size(), "every train item when there are fewer than the limit");
        assertEquals(List.of("0", "1"), all.stream().filter(e -> e.userId().equals("R-ZERO"))
                .map(ReplayPlan.Event::itemId).toList(), "oldest first");
        assertEquals(List.of(), live.withSeedHistories(data, 5).part(0, 2).seedEvents(), "parts have no seeds");
    }
}
