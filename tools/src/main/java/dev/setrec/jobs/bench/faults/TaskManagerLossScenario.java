package dev.setrec.jobs.bench.faults;

import dev.setrec.jobs.bench.faults.TopicLog.Received;
import dev.setrec.schemas.InteractionEvent;
import dev.setrec.schemas.Recommendation;
import org.apache.flink.connector.base.DeliveryGuarantee;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import static dev.setrec.jobs.bench.faults.Interactions.itemIds;
import static dev.setrec.jobs.bench.faults.Interactions.trigger;

/**
 * A task manager lost while interactions keep arriving: the job (parallelism 2, one subtask of every operator in
 * each of two task managers) restarts on the surviving task manager and a spare one from its last checkpoint.
 * Guarantees: every interaction is answered, and each recommendation lists, for its interaction's user, exactly the
 * catalogue minus that user's history up to the interaction (the histories in RocksDB came back from the checkpoint
 * with each interaction in them once); with exactly-once delivery a read_committed reader reads one recommendation
 * per interaction, while with at-least-once the duplicates the restart causes are counted, not a broken guarantee.
 * The stream goes on after the loss until answers come in time again, and the scenario measures when
 * ({@link Recovery}).
 */
public final class TaskManagerLossScenario {
    public static final List<String> FAULTS = List.of("a task manager lost mid-stream");
    private static final int USERS = 8;
    /** Distinct items per user, so that a history is a set and an item counted twice in it would show. */
    private static final int CLICKS_PER_USER = 20;
    /** About 16 interactions a second: the loss and the restart happen while they arrive. */
    private static final Duration PACE = Duration.ofMillis(60);
    private static final int BEFORE_LOSS = USERS * CLICKS_PER_USER / 2;
    /**
     * The loss comes once this many recommendations were read (committed, for exactly-once: checkpoints were taken)
     * of the interactions before it.
     */
    private static final int READ_BEFORE_LOSS = 40;
    /** Interactions sent after those before the loss and before the loss itself: some are in flight when it comes. */
    private static final int SENT_BEFORE_LOSS = 10;
    /** After the loss the stream goes on until this many interactions in a row were answered in time (about 2 s). */
    private static final int IN_TIME_STRETCH = 30;
    /** At most this many interactions after the loss (a minute at the pace): the stream ends without recovery. */
    private static final int MAX_AFTER_LOSS = 1000;
    private static final int RESTART_ATTEMPTS = 3;
    private static final Duration POLL = Duration.ofMillis(200);

    /** A click as sent: its user and the user's history up to and including it. */
    private record Click(String user, List<String> history) {
    }

    /** When the task manager was lost, and the index in the sent interactions of the first one sent after. */
    private record Loss(long atMillis, int firstSentAfter) {
    }

    private final ServedModel model;

    public TaskManagerLossScenario(ServedModel model) {
        this.model = model;
    }

    /** Runs the scenario on a cluster of its own, the job's state in {@code checkpoints}. */
    public ScenarioResult run(DeliveryGuarantee delivery, Path checkpoints) throws Exception {
        String name = "tm-loss-" + delivery.name().toLowerCase(Locale.ROOT).replace('_', '-');
        PipelineJob spec = PipelineJob.named(name, checkpoints, model).delivery(delivery)
                .restartAttempts(RESTART_ATTEMPTS);
        Clicks clicks = new Clicks(name + "-user-");
        List<Trickle.Sent> sent = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        try (ControlledCluster cluster = ControlledCluster.start(2, 1);
             RunningJob job = cluster.submit(spec);
             TopicReader<Recommendation> recommendations = job.recommendations()) {
            Loss loss = null;
            try {
                sendBeforeTheLoss(job, clicks, recommendations, sent);
                loss = loseATaskManagerMidStream(cluster, job, clicks, recommendations, sent);
                Set<Long> triggers = triggers(sent);
                recommendations.awaitUntil(read -> answered(read).containsAll(triggers),
                        "a recommendation for each of " + triggers.size() + " interactions");
            } catch (WaitFailedException e) {
                problems.add(e.getMessage());
            }
            List<Recommendation> read = recommendations.readFor(TopicReader.QUIET).stream()
                    .map(Received::value).toList();
            int restarts = job.restarts();
            if (restarts < 1) {
                problems.add("the task manager loss did not restart the job");
            }
            job.ended().ifPresent(problems::add);
            Map<Long, Integer> copies = checkedCopies(read, clicks, problems);
            Set<Long> lost = new TreeSet<>(triggers(sent));
            lost.removeAll(copies.keySet());
            if (!lost.isEmpty()) {
                problems.add(Findings.summary("interactions without a recommendation (event times)", lost));
            }
            Map<Long, Integer> duplicates = new TreeMap<>(copies);
            duplicates.values().removeIf(n -> n == 1);
            if (delivery == DeliveryGuarantee.EXACTLY_ONCE && !duplicates.isEmpty()) {
                problems.add(Findings.summary("interactions read more than once by a read_committed reader (event "
                        + "time=copies)", duplicates.entrySet()));
            }
            OptionalDouble recovery = loss == null ? OptionalDouble.empty() : Recovery.seconds(loss.atMillis(),
                    answers(sent.subList(loss.firstSentAfter(), sent.size()), read));
            return new ScenarioResult("task manager lost, " + delivery.name().toLowerCase(Locale.ROOT), delivery,
                    FAULTS, sent.size(), lost.size(), duplicates.values().stream().mapToInt(n -> n - 1).sum(),
                    restarts, recovery, problems);
        }
    }

    /** The first interactions, until {@link #READ_BEFORE_LOSS} recommendations were read and all of them sent. */
    private static void sendBeforeTheLoss(RunningJob job, Clicks clicks, TopicReader<Recommendation> recommendations,
                                          List<Trickle.Sent> sent) throws Exception {
        Trickle trickle = Trickle.start(job, clicks.next(BEFORE_LOSS), PACE);
        try (trickle) {
            recommendations.awaitUntil(read -> read.size() >= READ_BEFORE_LOSS,
                    READ_BEFORE_LOSS + " recommendations before the loss");
            trickle.awaitAllSent(TopicReader.WAIT);
        } finally {
            sent.addAll(trickle.sent());
        }
    }

    /**
     * Sends on; a few interactions later adds a spare task manager and loses the first one, so that the loss and the
     * restart come while interactions arrive however slow the machine, each user's in order. Sends on until
     * {@link #IN_TIME_STRETCH} interactions in a row were answered in time, or {@link #MAX_AFTER_LOSS} were sent.
     */
    private static Loss loseATaskManagerMidStream(ControlledCluster cluster, RunningJob job, Clicks clicks,
                                                  TopicReader<Recommendation> recommendations, List<Trickle.Sent> sent)
            throws Exception {
        int sentEarlier = sent.size();
        Trickle trickle = Trickle.start(job, clicks.next(MAX_AFTER_LOSS), PACE);
        try (trickle) {
            trickle.awaitSent(SENT_BEFORE_LOSS); // so that the lost subtasks have interactions in flight
            cluster.addTaskManager();
            int firstAfter = trickle.sent().size();
            long lossMillis = System.currentTimeMillis();
            cluster.loseTaskManager(0);
            while (!trickle.finished()) {
                List<Recommendation> read = recommendations.poll(POLL).stream().map(Received::value).toList();
                List<Trickle.Sent> sentAfter = trickle.sent();
                if (Recovery.inTimeAgain(answers(sentAfter.subList(firstAfter, sentAfter.size()), read),
                        IN_TIME_STRETCH)) {
                    break;
                }
                job.requireRunning();
            }
            return new Loss(lossMillis, sentEarlier + firstAfter);
        } finally {
            sent.addAll(trickle.sent());
        }
    }

    /** Each sent interaction's answer: its Kafka timestamp and the lag of the first recommendation produced for it. */
    private static List<Recovery.Answer> answers(List<Trickle.Sent> sent, List<Recommendation> read) {
        Map<Long, Recommendation> first = new HashMap<>();
        for (Recommendation rec : read) {
            first.merge(trigger(rec), rec, (a, b) -> a.getProducedTime().isAfter(b.getProducedTime()) ? b : a);
        }
        List<Recovery.Answer> answers = new ArrayList<>(sent.size());
        for (Trickle.Sent s : sent) {
            Recommendation rec = first.get(s.event().getEventTime().toEpochMilli());
            answers.add(rec == null ? new Recovery.Answer(s.sentAtMillis(), Recovery.Answer.UNANSWERED)
                    : new Recovery.Answer(rec.getTriggerRecordTime().toEpochMilli(),
                    rec.getProducedTime().toEpochMilli() - rec.getTriggerRecordTime().toEpochMilli()));
        }
        return answers;
    }

    /**
     * Checks that every recommendation answers one of the interactions, for its user, with exactly the items the
     * model knows minus that user's history then; returns the copies read per interaction.
     */
    private Map<Long, Integer> checkedCopies(List<Recommendation> read, Clicks clicks, List<String> problems) {
        Map<Long, Integer> copies = new TreeMap<>();
        List<String> strangers = new ArrayList<>();
        List<String> wrongUsers = new ArrayList<>();
        List<String> wrongItems = new ArrayList<>();
        for (Recommendation rec : read) {
            Click click = clicks.at(trigger(rec));
            if (click == null) {
                strangers.add(rec.getUserId() + "@" + trigger(rec));
                continue;
            }
            if (!click.user().equals(rec.getUserId())) {
                wrongUsers.add(rec.getUserId() + " for " + click.user() + "@" + trigger(rec));
            }
            Set<String> expected = new HashSet<>(model.catalogue());
            click.history().forEach(expected::remove);
            Set<String> got = new HashSet<>(itemIds(rec));
            if (!expected.equals(got)) {
                wrongItems.add(rec.getUserId() + "@" + trigger(rec) + " (fallback " + rec.getFallback() + ") lacks "
                        + difference(expected, got) + ", has on top " + difference(got, expected));
            }
            copies.merge(trigger(rec), 1, Integer::sum);
        }
        if (!strangers.isEmpty()) {
            problems.add(Findings.summary("recommendations for no interaction that was sent", strangers));
        }
        if (!wrongUsers.isEmpty()) {
            problems.add(Findings.summary("recommendations for another user than the interaction's", wrongUsers));
        }
        if (!wrongItems.isEmpty()) {
            problems.add(Findings.summary("recommendations that are not the catalogue minus the user's history",
                    wrongItems));
        }
        return copies;
    }

    private static Set<String> difference(Set<String> from, Set<String> without) {
        Set<String> difference = new TreeSet<>(from);
        difference.removeAll(without);
        return difference;
    }

    private static Set<Long> triggers(List<Trickle.Sent> sent) {
        Set<Long> triggers = new HashSet<>();
        sent.forEach(s -> triggers.add(s.event().getEventTime().toEpochMilli()));
        return triggers;
    }

    private static Set<Long> answered(List<Received<Recommendation>> read) {
        Set<Long> answered = new HashSet<>();
        read.forEach(r -> answered.add(trigger(r.value())));
        return answered;
    }

    /**
     * Clicks of {@link #USERS} users taking turns, each on {@link #CLICKS_PER_USER} distinct catalogue items; then
     * the next {@link #USERS} users. Each click is remembered with its user's history, by event time. Made on the
     * sending threads, one after the other.
     */
    private final class Clicks {
        private final String userPrefix;
        private final Map<Long, Click> byEventTime = new ConcurrentHashMap<>();
        private final Map<String, List<String>> histories = new HashMap<>();
        private int made;

        Clicks(String userPrefix) {
            this.userPrefix = userPrefix;
        }

        /** The next {@code count} clicks, made as they are taken. */
        Iterator<InteractionEvent> next(int count) {
            return new Iterator<>() {
                private int left = count;

                @Override
                public boolean hasNext() {
                    return left > 0;
                }

                @Override
                public InteractionEvent next() {
                    if (left == 0) {
                        throw new NoSuchElementException();
                    }
                    left--;
                    return make();
                }
            };
        }

        private InteractionEvent make() {
            int perGroup = USERS * CLICKS_PER_USER;
            int group = made / perGroup;
            int click = made % perGroup / USERS;
            int user = group * USERS + made % USERS;
            made++;
            List<String> catalogue = model.catalogue();
            String item = catalogue.get((user * 5 + click) % catalogue.size());
            InteractionEvent event = Interactions.click(userPrefix + user, item);
            List<String> history = histories.computeIfAbsent(event.getUserId(), u -> new ArrayList<>());
            history.add(item);
            byEventTime.put(event.getEventTime().toEpochMilli(), new Click(event.getUserId(), List.copyOf(history)));
            return event;
        }

        /** The click made with this event time; null for none. */
        Click at(long eventTime) {
            return byEventTime.get(eventTime);
        }
    }
}
