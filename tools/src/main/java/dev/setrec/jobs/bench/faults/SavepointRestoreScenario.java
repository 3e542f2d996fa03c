package dev.setrec.jobs.bench.faults;

import dev.setrec.jobs.bench.faults.TopicLog.Received;
import dev.setrec.jobs.scoring.SharedOperators;
import dev.setrec.schemas.InteractionEvent;
import dev.setrec.schemas.ItemEvent;
import dev.setrec.schemas.Recommendation;
import org.apache.flink.connector.base.DeliveryGuarantee;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static dev.setrec.jobs.bench.faults.Interactions.itemIds;
import static dev.setrec.jobs.bench.faults.Interactions.trigger;

/**
 * Stop-with-savepoint and restore at another parallelism, against an undisturbed run fed the same events: items
 * onboarded from the items topic, then interactions (some on those items), [stop with a savepoint, restore],
 * more interactions. k covers the catalogue and exclude-seen is on, so the item ids of each recommendation are
 * the items the model knows minus the user's history: equal ids in both runs mean equal histories and equal
 * onboarded items. Guarantees: every interaction answered once, by the model; every recommendation's item ids equal
 * the undisturbed run's; the first recommendation after the restore already lists the onboarded items (a restored
 * job's model, loaded fresh from its directory, gets them back from the job's state when its tasks open).
 */
public final class SavepointRestoreScenario {
    public static final int PARALLELISM_BEFORE = 2;
    private static final int USERS = 4;
    private static final int CLICKS_BEFORE = 3;
    private static final int CLICKS_AFTER = 2;
    private static final List<ItemEvent> NEW_ITEMS = List.of(
            newItem("dino-lunch-box", "Dinosaur lunch box", "Dinosaurs", "Jurassic Junior"),
            newItem("space-night-lamp", "Space rocket night lamp", "Space & Astronauts", "Orbit Kids"));
    private static final List<String> NEW_ITEM_IDS = NEW_ITEMS.stream().map(ItemEvent::getItemId).toList();

    /** What the undisturbed run recommended (item ids by trigger event time), and what went wrong in it. */
    public record Baseline(Map<Long, Set<String>> itemIds, List<String> problems) {
    }

    /** The scripted interactions' recommendations: item ids by trigger (the last one read) and those read twice. */
    private record Recommended(Map<Long, Set<String>> itemIds, Set<Long> answeredTwice) {
    }

    private final ServedModel model;
    /** Before the savepoint: three items per user, and the first two users each click one new item. */
    private final List<InteractionEvent> before = new ArrayList<>();
    /**
     * After it: the last user first (no new item in its history, so it must be shown both), two more items per
     * user, and a click on a new item by a user who had not clicked it.
     */
    private final List<InteractionEvent> after = new ArrayList<>();

    public SavepointRestoreScenario(ServedModel model) {
        this.model = model;
        for (int click = 0; click < CLICKS_BEFORE; click++) {
            for (int user = 0; user < USERS; user++) {
                before.add(click(user, catalogueItem(user, click)));
            }
        }
        before.add(click(0, NEW_ITEM_IDS.get(0)));
        before.add(click(1, NEW_ITEM_IDS.get(1)));
        for (int click = CLICKS_BEFORE; click < CLICKS_BEFORE + CLICKS_AFTER; click++) {
            for (int user = USERS - 1; user >= 0; user--) {
                after.add(click(user, catalogueItem(user, click)));
            }
        }
        after.add(click(2, NEW_ITEM_IDS.get(0)));
    }

    /** One fault per restore. */
    public static List<String> faults(int parallelismAfter) {
        return List.of("stop-with-savepoint, restored at parallelism " + parallelismAfter + " (from "
                + PARALLELISM_BEFORE + ")");
    }

    /** The same events without a fault, on a cluster of its own: what every restored run is compared with. */
    public Baseline runUndisturbed(Path checkpoints) throws Exception {
        List<String> problems = new ArrayList<>();
        try (ControlledCluster cluster = ControlledCluster.start(1, PARALLELISM_BEFORE);
             RunningJob job = cluster.submit(spec("savepoint-undisturbed", checkpoints));
             TopicReader<Recommendation> recommendations = job.recommendations()) {
            try {
                onboardNewItems(job, recommendations);
                sendAndAwait(job, recommendations, before, new HashSet<>());
                sendAndAwait(job, recommendations, after, new HashSet<>());
            } catch (WaitFailedException e) {
                problems.add("the undisturbed run: " + e.getMessage());
            }
            Recommended recommended = recommended(recommendations, problems);
            if (!recommended.answeredTwice().isEmpty()) {
                problems.add(Findings.summary("the undisturbed run answered interactions twice without a fault",
                        recommended.answeredTwice()));
            }
            return new Baseline(recommended.itemIds(), problems);
        }
    }

    /**
     * Runs the job at {@link #PARALLELISM_BEFORE} until the first interactions are answered, stops it with a
     * savepoint, restores it at {@code parallelismAfter} and sends the rest, on a cluster of its own.
     */
    public ScenarioResult restoreAt(int parallelismAfter, Baseline baseline, Path checkpoints, Path savepoints)
            throws Exception {
        PipelineJob spec = spec("savepoint-restore-at-" + parallelismAfter, checkpoints);
        List<String> problems = new ArrayList<>(baseline.problems());
        Set<Long> sent = new HashSet<>();
        Recommended recommended = new Recommended(Map.of(), Set.of());
        int restarts = 0;
        try (ControlledCluster cluster = ControlledCluster.start(1, Math.max(PARALLELISM_BEFORE, parallelismAfter))) {
            String savepoint;
            try (RunningJob job = cluster.submit(spec);
                 TopicReader<Recommendation> recommendations = job.recommendations()) {
                onboardNewItems(job, recommendations);
                sendAndAwait(job, recommendations, before, sent);
                savepoint = job.stopWithSavepoint(savepoints);
            }
            if (SharedOperators.openCount() != 0) {
                problems.add("the stopped job's model is still open, so the restored job would not start from a "
                        + "fresh one");
            }
            // the same topics: its reader reads the answers from before the savepoint too
            try (RunningJob restored = cluster.submit(spec.parallelism(parallelismAfter), savepoint);
                 TopicReader<Recommendation> recommendations = restored.recommendations()) {
                try {
                    sendAndAwait(restored, recommendations, after, sent);
                } catch (WaitFailedException e) {
                    problems.add(e.getMessage());
                }
                recommended = recommended(recommendations, problems);
                restarts = restored.restarts();
                restored.ended().ifPresent(problems::add);
            }
        } catch (WaitFailedException e) {
            problems.add("before the savepoint: " + e.getMessage());
        }
        check(recommended, baseline, problems);
        Set<Long> lost = new TreeSet<>(sent);
        lost.removeAll(recommended.itemIds().keySet());
        if (!lost.isEmpty()) {
            problems.add(Findings.summary("interactions without a recommendation (event times)", lost));
        }
        return new ScenarioResult("stop-with-savepoint, restore at parallelism " + parallelismAfter,
                DeliveryGuarantee.AT_LEAST_ONCE, faults(parallelismAfter), sent.size(), lost.size(),
                recommended.answeredTwice().size(), restarts, OptionalDouble.empty(), problems);
    }

    private PipelineJob spec(String name, Path checkpoints) {
        return PipelineJob.named(name, checkpoints, model).parallelism(PARALLELISM_BEFORE);
    }

    /** Compares the restored run with the undisturbed one, interaction by interaction. */
    private void check(Recommended recommended, Baseline baseline, List<String> problems) {
        Set<String> firstAfterRestore = recommended.itemIds().get(after.get(0).getEventTime().toEpochMilli());
        if (firstAfterRestore != null && !firstAfterRestore.containsAll(NEW_ITEM_IDS)) {
            problems.add("the first recommendation after the restore lacks onboarded items: "
                    + difference(NEW_ITEM_IDS, firstAfterRestore));
        }
        List<String> differences = new ArrayList<>();
        for (Map.Entry<Long, Set<String>> entry : recommended.itemIds().entrySet()) {
            Set<String> want = baseline.itemIds().get(entry.getKey());
            if (want != null && !want.equals(entry.getValue())) {
                differences.add("trigger " + entry.getKey() + " lacks " + difference(want, entry.getValue())
                        + ", has on top " + difference(entry.getValue(), want));
            }
        }
        if (!differences.isEmpty()) {
            problems.add(Findings.summary("recommended item ids that differ from the undisturbed run's", differences));
        }
        if (!recommended.answeredTwice().isEmpty()) {
            problems.add(Findings.summary("interactions answered twice", recommended.answeredTwice()));
        }
    }

    private InteractionEvent click(int user, String item) {
        return Interactions.click("savepoint-user-" + user, item);
    }

    /** Distinct catalogue items per user. */
    private String catalogueItem(int user, int click) {
        List<String> catalogue = model.catalogue();
        return catalogue.get((user * (CLICKS_BEFORE + CLICKS_AFTER) + click) % catalogue.size());
    }

    private static ItemEvent newItem(String id, String title, String category, String brand) {
        return ItemEvent.newBuilder().setItemId(id).setTitle(title).setCategories(List.of("Toys & Games", category))
                .setBrand(brand).setEventTime(Instant.now()).build();
    }

    /**
     * Publishes the new items and waits until the model ranks them: items and interactions come on different
     * topics, so only then do the interactions that follow see the same catalogue in every run. A probe user,
     * left out of the comparison, clicks until a recommendation lists them all.
     */
    private void onboardNewItems(RunningJob job, TopicReader<Recommendation> recommendations) throws Exception {
        for (ItemEvent item : NEW_ITEMS) {
            job.publish(item);
        }
        String probeItem = model.catalogue().get(model.catalogue().size() - 1);
        long deadline = System.nanoTime() + TopicReader.WAIT.toNanos();
        for (boolean onboarded = false; !onboarded; ) {
            if (System.nanoTime() > deadline) {
                throw new WaitFailedException(NEW_ITEM_IDS + " not ranked within " + TopicReader.WAIT);
            }
            long probe = job.interact("savepoint-probe", probeItem);
            Recommendation rec = recommendations.awaitFirst(r -> trigger(r) == probe, "the probe's recommendation");
            onboarded = itemIds(rec).containsAll(NEW_ITEM_IDS);
        }
    }

    /** Sends the interactions (adding their event times to {@code sent}), then waits until each is answered. */
    private static void sendAndAwait(RunningJob job, TopicReader<Recommendation> recommendations,
                                     List<InteractionEvent> interactions, Set<Long> sent) throws Exception {
        Set<Long> triggers = new HashSet<>();
        for (InteractionEvent interaction : interactions) {
            triggers.add(job.send(interaction));
            sent.add(interaction.getEventTime().toEpochMilli());
        }
        recommendations.awaitUntil(read -> read.stream().map(r -> trigger(r.value())).toList().containsAll(triggers),
                "recommendations for " + interactions.size() + " interactions");
    }

    /** What was recommended for the scripted interactions, after reading on for a while; each must be the model's. */
    private Recommended recommended(TopicReader<Recommendation> recommendations, List<String> problems) {
        Set<Long> scripted = new HashSet<>();
        before.forEach(event -> scripted.add(event.getEventTime().toEpochMilli()));
        after.forEach(event -> scripted.add(event.getEventTime().toEpochMilli()));
        Recommended recommended = new Recommended(new TreeMap<>(), new TreeSet<>());
        List<String> fallbacks = new ArrayList<>();
        for (Received<Recommendation> received : recommendations.readFor(TopicReader.QUIET)) {
            Recommendation rec = received.value();
            if (scripted.contains(trigger(rec))) {
                if (rec.getFallback()) {
                    fallbacks.add(rec.getUserId() + "@" + trigger(rec));
                }
                if (recommended.itemIds().put(trigger(rec), new TreeSet<>(itemIds(rec))) != null) {
                    recommended.answeredTwice().add(trigger(rec));
                }
            }
        }
        if (!fallbacks.isEmpty()) {
            problems.add(Findings.summary("ranked by the popularity fallback, not the model", fallbacks));
        }
        return recommended;
    }

    private static Set<String> difference(Iterable<String> wanted, Set<String> present) {
        Set<String> missing = new TreeSet<>();
        wanted.forEach(missing::add);
        missing.removeAll(present);
        return missing;
    }
}
