package dev.setrec.e2e;

import dev.setrec.e2e.support.Interactions;
import dev.setrec.e2e.support.PipelineJob;
import dev.setrec.e2e.support.RunningJob;
import dev.setrec.e2e.support.SmallModel;
import dev.setrec.e2e.support.TestCluster;
import dev.setrec.e2e.support.TopicReader;
import dev.setrec.e2e.support.TrainedSmallModel;
import dev.setrec.e2e.support.Trickle;
import dev.setrec.schemas.InteractionEvent;
import dev.setrec.schemas.Recommendation;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static dev.setrec.e2e.support.Interactions.itemIds;
import static dev.setrec.e2e.support.Interactions.trigger;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A task manager lost while interactions keep arriving: the job (parallelism 2, one subtask of every operator in
 * each of two task managers) restarts on the surviving task manager and a spare one from its last checkpoint.
 * Exactly-once: a read_committed consumer sees one recommendation per interaction, none lost, none twice.
 * At-least-once: none lost; the duplicates the restart causes are counted and printed.
 * Either way each recommendation lists exactly the catalogue minus its user's history up to its interaction: the
 * histories in RocksDB came back from the checkpoint with each interaction in them once.
 */
@ExtendWith(TrainedSmallModel.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class TaskManagerLossIT {
    private static final int USERS = 8;
    /** Distinct items per user, so that a history is a set and an item counted twice in it would show. */
    private static final int CLICKS_PER_USER = 20;
    /** 160 interactions over about 10 s: the loss and the restart happen while they arrive. */
    private static final Duration PACE = Duration.ofMillis(60);
    /**
     * The loss comes once this many recommendations were read (committed, for exactly-once: checkpoints were
     * taken) out of the first half of the interactions.
     */
    private static final int READ_BEFORE_LOSS = 40;
    /** Interactions of the second half sent before the loss: some are in flight when it comes. */
    private static final int SENT_BEFORE_LOSS = 10;
    private static final int RESTART_ATTEMPTS = 3;

    /** A click as sent: its user and the user's history up to and including it. */
    private record Click(String user, List<String> history) {
    }


    @Test
    void exactlyOnceCommitsOneRecommendationPerInteractionAcrossATaskManagerLoss(@TempDir Path state)
            throws Exception {
        Map<Long, Integer> copies = loseATaskManagerMidStream(PipelineJob.named("tm-loss-exactly-once", state)
                .delivery(DeliveryGuarantee.EXACTLY_ONCE), "read_committed");
        assertEquals(Map.of(), duplicates(copies), "trigger event time -> copies read: each must be read once");
    }

    @Test
    void atLeastOnceLosesNoRecommendationAcrossATaskManagerLoss(@TempDir Path state) throws Exception {
        Map<Long, Integer> copies = loseATaskManagerMidStream(PipelineJob.named("tm-loss-at-least-once", state)
                .delivery(DeliveryGuarantee.AT_LEAST_ONCE), "read_uncommitted");
        Map<Long, Integer> duplicates = duplicates(copies);
        System.out.printf("at-least-once across a task manager loss: %d interactions, %d recommended more than "
                        + "once (%d extra recommendations): %s%n", copies.size(), duplicates.size(),
                duplicates.values().stream().mapToInt(n -> n - 1).sum(), duplicates);
    }

    /**
     * Runs the job on two task managers of one slot each (so each holds a subtask of every operator) and trickles
     * the first half of the interactions in. Once {@link #READ_BEFORE_LOSS} recommendations were read and that half
     * is sent, the second half starts; a few interactions later a spare task manager is added and the first one is
     * lost, so the rest arrive during the loss and the restart however slow the machine, each user's in order. Then
     * reads until every interaction has its recommendation.
     *
     * @return how many recommendations were read per interaction (by trigger event time), every one checked
     */
    private static Map<Long, Integer> loseATaskManagerMidStream(PipelineJob spec, String isolationLevel)
            throws Exception {
        Map<Long, Click> sent = new LinkedHashMap<>();
        List<InteractionEvent> clicks = clicks(sent);
        List<InteractionEvent> beforeLoss = clicks.subList(0, clicks.size() / 2);
        List<InteractionEvent> duringLoss = clicks.subList(beforeLoss.size(), clicks.size());
        try (TestCluster cluster = TestCluster.start(2, 1);
             RunningJob job = cluster.submit(spec.restartAttempts(RESTART_ATTEMPTS));
             TopicReader<Recommendation> recommendations = job.recommendations(isolationLevel)) {
            try (Trickle trickle = Trickle.start(job, beforeLoss, PACE)) {
                recommendations.awaitUntil(read -> read.size() >= READ_BEFORE_LOSS,
                        READ_BEFORE_LOSS + " recommendations before the loss");
                trickle.awaitAllSent(TopicReader.WAIT);
            }
            try (Trickle trickle = Trickle.start(job, duringLoss, PACE)) {
                trickle.awaitSent(SENT_BEFORE_LOSS); // so that the lost subtasks have interactions in flight
                cluster.addTaskManager();
                cluster.loseTaskManager(0);
                assertTrue(trickle.sent().size() < duringLoss.size(), "the loss came after the last interaction");
                trickle.awaitAllSent(TopicReader.WAIT);
            }
            recommendations.awaitUntil(read -> read.stream().map(r -> trigger(r.value())).toList()
                    .containsAll(sent.keySet()), "a recommendation for each of " + clicks.size()
                    + " interactions");
            List<Recommendation> read = recommendations.readFor(TopicReader.QUIET).stream()
                    .map(TopicReader.Received::value).toList();

            assertTrue(job.restarts() >= 1, "the task manager loss did not restart the job");
            job.assertRunning();
            return checkedCopies(read, sent);
        }
    }

    /**
     * Each user clicks {@link #CLICKS_PER_USER} distinct catalogue items, users taking turns; fills
     * {@code sent} with each click's user and history, by event time.
     */
    private static List<InteractionEvent> clicks(Map<Long, Click> sent) {
        List<String> catalogue = SmallModel.catalogue();
        List<List<String>> histories = new ArrayList<>();
        for (int user = 0; user < USERS; user++) {
            histories.add(new ArrayList<>());
        }
        List<InteractionEvent> clicks = new ArrayList<>();
        for (int click = 0; click < CLICKS_PER_USER; click++) {
            for (int user = 0; user < USERS; user++) {
                String item = catalogue.get((user * 5 + click) % catalogue.size());
                InteractionEvent event = Interactions.click("tm-loss-user-" + user, item);
                histories.get(user).add(item);
                sent.put(event.getEventTime().toEpochMilli(), new Click(event.getUserId(),
                        List.copyOf(histories.get(user))));
                clicks.add(event);
            }
        }
        return clicks;
    }

    /**
     * Checks that every recommendation answers one of the interactions, for its user, with exactly the items the
     * model knows minus that user's history then; returns the copies read per interaction.
     */
    private static Map<Long, Integer> checkedCopies(List<Recommendation> read, Map<Long, Click> sent) {
        Map<Long, Integer> copies = new TreeMap<>();
        for (Recommendation rec : read) {
            Click click = sent.get(trigger(rec));
            assertTrue(click != null, "a recommendation for no interaction that was sent: " + rec);
            assertEquals(click.user(), rec.getUserId(), "the user of the interaction at " + trigger(rec));
            Set<String> expected = new HashSet<>(SmallModel.catalogue());
            click.history().forEach(expected::remove);
            assertEquals(expected, new HashSet<>(itemIds(rec)), "the catalogue minus the history " + click.history()
                    + " of " + rec.getUserId() + " at " + trigger(rec) + " (fallback: " + rec.getFallback() + ")");
            copies.merge(trigger(rec), 1, Integer::sum);
        }
        assertEquals(sent.keySet(), copies.keySet(), "interactions without a recommendation");
        return copies;
    }

    private static Map<Long, Integer> duplicates(Map<Long, Integer> copies) {
        Map<Long, Integer> duplicates = new TreeMap<>(copies);
        duplicates.values().removeIf(n -> n == 1);
        return duplicates;
    }
}
