package dev.setrec.e2e;

import dev.setrec.e2e.support.Interactions;
import dev.setrec.e2e.support.PipelineJob;
import dev.setrec.e2e.support.RunningJob;
import dev.setrec.e2e.support.SmallModel;
import dev.setrec.e2e.support.SmallModel.Theme;
import dev.setrec.e2e.support.TestCluster;
import dev.setrec.e2e.support.TopicReader;
import dev.setrec.e2e.support.TrainedSmallModel;
import dev.setrec.jobs.scoring.SharedOperators;
import dev.setrec.schemas.InteractionEvent;
import dev.setrec.schemas.ItemEvent;
import dev.setrec.schemas.Recommendation;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static dev.setrec.e2e.support.Interactions.itemIds;
import static dev.setrec.e2e.support.Interactions.trigger;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Stop-with-savepoint and restore at another parallelism, against an undisturbed run fed the same events: items
 * onboarded from the items topic, then interactions (some on those items), [stop with a savepoint, restore],
 * more interactions. k covers the catalogue and exclude-seen is on, so the item ids of each recommendation are
 * the items the model knows minus the user's history: equal ids in both runs mean equal histories and equal
 * onboarded items. The first recommendation after the restore must already list the onboarded items: a restored
 * job's model, loaded fresh from its directory, gets them back from the job's state when its tasks open.
 */
@ExtendWith(TrainedSmallModel.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class SavepointRestoreIT {
    private static final int PARALLELISM_BEFORE = 2;
    private static final List<ItemEvent> NEW_ITEMS = List.of(
            newItem("dino-lunch-box", Theme.DINOSAURS, "lunch box"),
            newItem("space-night-lamp", Theme.SPACE, "night lamp"));
    private static final List<String> NEW_ITEM_IDS = NEW_ITEMS.stream().map(ItemEvent::getItemId).toList();
    private static final List<Theme> USER_THEMES = List.of(Theme.DINOSAURS, Theme.SPACE, Theme.FARM, Theme.OCEAN);
    /** Before the savepoint: three warm items per user, and the first two users each click one new item. */
    private static final List<InteractionEvent> BEFORE = new ArrayList<>();
    /**
     * After it: the last user first (no new item in its history, so it must be shown both), two more warm items
     * per user, and a click on a new item by a user who had not clicked it.
     */
    private static final List<InteractionEvent> AFTER = new ArrayList<>();

    static {
        for (int click = 0; click < 3; click++) {
            for (Theme theme : USER_THEMES) {
                BEFORE.add(click(theme, SmallModel.warmItems(theme).get(click)));
            }
        }
        BEFORE.add(click(USER_THEMES.get(0), NEW_ITEM_IDS.get(0)));
        BEFORE.add(click(USER_THEMES.get(1), NEW_ITEM_IDS.get(1)));
        for (int click = 3; click < 5; click++) {
            for (int user = USER_THEMES.size() - 1; user >= 0; user--) {
                Theme theme = USER_THEMES.get(user);
                AFTER.add(click(theme, SmallModel.warmItems(theme).get(click)));
            }
        }
        AFTER.add(click(USER_THEMES.get(2), NEW_ITEM_IDS.get(0)));
    }

    /** What the undisturbed run recommended: item ids by trigger event time. */
    private static Map<Long, Set<String>> undisturbed;

    @BeforeAll
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    static void runUndisturbed(@TempDir Path state) throws Exception {
        try (TestCluster cluster = TestCluster.start(1, PARALLELISM_BEFORE);
             RunningJob job = cluster.submit(PipelineJob.named("savepoint-undisturbed", state)
                     .parallelism(PARALLELISM_BEFORE));
             TopicReader<Recommendation> recommendations = job.recommendations("read_uncommitted")) {
            onboardNewItems(job, recommendations);
            sendAndAwait(job, recommendations, BEFORE);
            sendAndAwait(job, recommendations, AFTER);
            Recommended recommended = recommended(recommendations);
            assertEquals(Set.of(), recommended.answeredTwice(), "interactions answered twice without a fault");
            undisturbed = recommended.itemIds();
        }
    }

    @ParameterizedTest(name = "restored at parallelism {0}")
    @ValueSource(ints = {1, 3})
    void aJobRestoredFromASavepointKeepsHistoriesAndOnboardedItems(int parallelismAfter, @TempDir Path state,
                                                                   @TempDir Path savepoints) throws Exception {
        PipelineJob spec = PipelineJob.named("savepoint-restore-at-" + parallelismAfter, state)
                .parallelism(PARALLELISM_BEFORE);
        try (TestCluster cluster = TestCluster.start(1, Math.max(PARALLELISM_BEFORE, parallelismAfter))) {
            String savepoint;
            try (RunningJob job = cluster.submit(spec);
                 TopicReader<Recommendation> recommendations = job.recommendations("read_uncommitted")) {
                onboardNewItems(job, recommendations);
                sendAndAwait(job, recommendations, BEFORE);
                savepoint = job.stopWithSavepoint(savepoints);
            }
            assertEquals(0, SharedOperators.openCount(), "the stopped job's model is still open, so the restored "
                    + "job would not start from a fresh one");

            try (RunningJob restored = cluster.submit(spec.parallelism(parallelismAfter), savepoint);
                 TopicReader<Recommendation> recommendations = restored.recommendations("read_uncommitted")) {
                sendAndAwait(restored, recommendations, AFTER);
                Recommended disturbed = recommended(recommendations);

                Set<String> firstAfterRestore = disturbed.itemIds().get(AFTER.get(0).getEventTime().toEpochMilli());
                assertAll(() -> assertTrue(firstAfterRestore.containsAll(NEW_ITEM_IDS),
                                "the first recommendation after the restore lacks onboarded items: "
                                        + missing(NEW_ITEM_IDS, firstAfterRestore)),
                        () -> assertEquals("", differences(undisturbed, disturbed.itemIds()),
                                "recommended item ids, restored run against the undisturbed one"),
                        () -> assertEquals(Set.of(), disturbed.answeredTwice(), "interactions answered twice"));
            }
        }
    }

    private static InteractionEvent click(Theme theme, String item) {
        return Interactions.click("savepoint-" + theme.name().toLowerCase(), item);
    }

    private static ItemEvent newItem(String id, Theme theme, String product) {
        return ItemEvent.newBuilder().setItemId(id).setTitle(theme.title(product))
                .setCategories(theme.categories()).setBrand(theme.brand()).setEventTime(Instant.now()).build();
    }

    /**
     * Publishes the new items and waits until the model ranks them: items and interactions come on different
     * topics, so only then do the interactions that follow see the same catalogue in every run. A probe user,
     * left out of the comparison, clicks until a recommendation lists them all.
     */
    private static void onboardNewItems(RunningJob job, TopicReader<Recommendation> recommendations)
            throws Exception {
        for (ItemEvent item : NEW_ITEMS) {
            job.publish(item);
        }
        String probeItem = SmallModel.warmItems(Theme.MUSIC).get(0);
        long deadline = System.nanoTime() + TopicReader.WAIT.toNanos();
        for (boolean onboarded = false; !onboarded; ) {
            assertTrue(System.nanoTime() < deadline, NEW_ITEM_IDS + " not ranked within " + TopicReader.WAIT);
            long probe = job.interact("savepoint-probe", probeItem);
            Recommendation rec = recommendations.awaitFirst(r -> trigger(r) == probe, "the probe's recommendation");
            onboarded = itemIds(rec).containsAll(NEW_ITEM_IDS);
        }
    }

    /** Sends the interactions, then waits until each has its recommendation. */
    private static void sendAndAwait(RunningJob job, TopicReader<Recommendation> recommendations,
                                     List<InteractionEvent> interactions) throws Exception {
        Set<Long> triggers = new HashSet<>();
        for (InteractionEvent interaction : interactions) {
            triggers.add(job.send(interaction));
        }
        recommendations.awaitUntil(read -> read.stream().map(r -> trigger(r.value())).toList().containsAll(triggers),
                "recommendations for " + interactions.size() + " interactions");
    }

    /**
     * What a run recommended for the scripted interactions (the probe's left out): the item ids by trigger (the
     * last recommendation read, where there are several) and the triggers answered more than once.
     */
    private record Recommended(Map<Long, Set<String>> itemIds, Set<Long> answeredTwice) {
    }

    /** What was recommended, after reading on for a while; every recommendation must be the model's. */
    private static Recommended recommended(TopicReader<Recommendation> recommendations) throws Exception {
        Set<Long> scripted = new HashSet<>();
        BEFORE.forEach(event -> scripted.add(event.getEventTime().toEpochMilli()));
        AFTER.forEach(event -> scripted.add(event.getEventTime().toEpochMilli()));
        Recommended recommended = new Recommended(new TreeMap<>(), new TreeSet<>());
        for (TopicReader.Received<Recommendation> received : recommendations.readFor(TopicReader.QUIET)) {
            Recommendation rec = received.value();
            if (scripted.contains(trigger(rec))) {
                assertFalse(rec.getFallback(), "ranked by the popularity fallback, not the model: " + rec);
                if (recommended.itemIds().put(trigger(rec), new TreeSet<>(itemIds(rec))) != null) {
                    recommended.answeredTwice().add(trigger(rec));
                }
            }
        }
        return recommended;
    }

    /** One line per trigger whose item ids differ: what the restored run lacks and what it has on top. */
    private static String differences(Map<Long, Set<String>> expected, Map<Long, Set<String>> actual) {
        StringBuilder differences = new StringBuilder();
        Set<Long> triggers = new TreeSet<>(expected.keySet());
        triggers.addAll(actual.keySet());
        for (long trigger : triggers) {
            Set<String> want = expected.getOrDefault(trigger, Set.of());
            Set<String> got = actual.getOrDefault(trigger, Set.of());
            if (!want.equals(got)) {
                differences.append(String.format("%n  trigger %d: lacks %s, has on top %s", trigger,
                        missing(want, got), missing(got, want)));
            }
        }
        return differences.toString();
    }

    private static Set<String> missing(Iterable<String> wanted, Set<String> present) {
        Set<String> missing = new TreeSet<>();
        wanted.forEach(missing::add);
        missing.removeAll(present);
        return missing;
    }
}
