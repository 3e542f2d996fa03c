package dev.setrec.jobs.bench.faults;

import dev.setrec.jobs.bench.faults.BadInputCorpus.Kind;
import dev.setrec.jobs.bench.faults.BadInputCorpus.Message;
import dev.setrec.schemas.AvroCodec;
import dev.setrec.schemas.BadRecordException;
import dev.setrec.schemas.DeadLetter;
import dev.setrec.schemas.EventType;
import dev.setrec.schemas.InteractionEvent;
import dev.setrec.schemas.ItemEvent;
import dev.setrec.schemas.Recommendation;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Sends every kind of {@link BadInputCorpus} to a running job through Kafka, as an outside producer would, and checks
 * what the job did with each: the dead letter of its last message with the expected reason, or the expected number
 * of recommendations triggered by it and no dead letter for any of its messages.
 */
public final class BadInputRun {
    /** The job's four topics. */
    public record Topics(String interactions, String items, String recommendations, String deadLetters) {
    }

    /** What happened to one kind. */
    public record Outcome(String kind, boolean passed, String detail) {
    }

    private static final Duration QUIET = Duration.ofSeconds(3);
    private static final AvroCodec<ItemEvent> ITEMS = AvroCodec.of(ItemEvent.class);
    private static final AvroCodec<InteractionEvent> INTERACTIONS = AvroCodec.of(InteractionEvent.class);

    private final Producer<byte[], byte[]> producer;
    private final String bootstrapServers;
    private final Topics topics;
    private final boolean readCommitted;
    private final Duration wait;
    private final Map<Message, RecordMetadata> sent = new IdentityHashMap<>();

    /**
     * @param readCommitted read the outputs as read_committed (exactly-once: each answer exactly once) or not
     *                      (at-least-once: at least the expected answers)
     * @param wait          how long each phase may take before what is missing counts as failed
     */
    public BadInputRun(Producer<byte[], byte[]> producer, String bootstrapServers, Topics topics, boolean readCommitted,
                       Duration wait) {
        this.producer = producer;
        this.bootstrapServers = bootstrapServers;
        this.topics = topics;
        this.readCommitted = readCommitted;
        this.wait = wait;
    }

    public List<Outcome> run(List<Kind> kinds) throws Exception {
        try (TopicLog<Recommendation> recommendations = new TopicLog<>(bootstrapServers, topics.recommendations(),
                AvroCodec.of(Recommendation.class), readCommitted);
             TopicLog<DeadLetter> deadLetters = new TopicLog<>(bootstrapServers, topics.deadLetters(),
                     AvroCodec.of(DeadLetter.class), readCommitted)) {
            for (Kind kind : kinds) {
                sendAll(kind, BadInputCorpus.Topic.ITEMS);
            }
            awaitOnboarded(kinds, recommendations);
            for (Kind kind : kinds) {
                sendAll(kind, BadInputCorpus.Topic.INTERACTIONS);
            }
            producer.flush();
            recommendations.awaitThenQuiet(read -> kinds.stream().filter(k -> !k.expectsDeadLetter())
                    .allMatch(k -> answers(read, k) >= k.answers()), wait, QUIET);
            deadLetters.awaitThenQuiet(read -> kinds.stream().filter(Kind::expectsDeadLetter)
                    .allMatch(k -> letterOf(read, k.last()) != null), wait, QUIET);
            List<Outcome> outcomes = new ArrayList<>();
            for (Kind kind : kinds) {
                outcomes.add(outcome(kind, recommendations.read(), deadLetters.read()));
            }
            return outcomes;
        }
    }

    private void sendAll(Kind kind, BadInputCorpus.Topic topic) throws Exception {
        for (Message message : kind.messages()) {
            if (message.topic() == topic) {
                String name = topic == BadInputCorpus.Topic.ITEMS ? topics.items() : topics.interactions();
                sent.put(message, producer.send(new ProducerRecord<>(name, message.key(), message.value()))
                        .get(wait.toSeconds(), TimeUnit.SECONDS));
            }
        }
    }

    /**
     * Kafka does not order the items topic against the interactions topic: before the interactions are sent, each
     * item that must be onboarded is probed (an interaction of a probe user, until it is answered).
     */
    private void awaitOnboarded(List<Kind> kinds, TopicLog<Recommendation> recommendations) throws Exception {
        Set<String> items = new LinkedHashSet<>();
        for (Kind kind : kinds) {
            if (!kind.expectsDeadLetter()) {
                for (Message message : kind.messages()) {
                    if (message.topic() == BadInputCorpus.Topic.ITEMS) {
                        items.add(item(message.value()).getItemId());
                    }
                }
            }
        }
        long deadline = System.nanoTime() + wait.toNanos();
        for (String item : items) {
            String probe = "probe-of-" + item;
            while (recommendations.poll(Duration.ofMillis(200)).stream().noneMatch(r -> probe.equals(r.getUserId()))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("item " + item + " not onboarded within " + wait);
                }
                InteractionEvent event = InteractionEvent.newBuilder().setUserId(probe).setItemId(item)
                        .setEventType(EventType.VIEW).setEventTime(Instant.now()).build();
                producer.send(new ProducerRecord<>(topics.interactions(), probe.getBytes(StandardCharsets.UTF_8),
                        INTERACTIONS.encode(event)));
            }
        }
    }

    private Outcome outcome(Kind kind, List<Recommendation> recommendations, List<DeadLetter> deadLetters) {
        if (kind.expectsDeadLetter()) {
            DeadLetter letter = letterOf(deadLetters, kind.last());
            if (letter == null) {
                return new Outcome(kind.name(), false, "no dead letter");
            }
            boolean reason = letter.getReason().contains(kind.deadLetterReason());
            return new Outcome(kind.name(), reason, reason ? letter.getReason()
                    : "reason '" + letter.getReason() + "' lacks '" + kind.deadLetterReason() + "'");
        }
        for (Message message : kind.messages()) {
            DeadLetter letter = letterOf(deadLetters, message);
            if (letter != null) {
                return new Outcome(kind.name(), false, "dead letter: " + letter.getReason());
            }
        }
        long answers = answers(recommendations, kind);
        boolean passed = readCommitted ? answers == kind.answers() : answers >= kind.answers();
        return new Outcome(kind.name(), passed, answers + " recommendations for " + kind.answers() + " expected");
    }

    private static long answers(List<Recommendation> recommendations, Kind kind) {
        long eventTime = kind.last().eventTime();
        return recommendations.stream().filter(r -> r.getTriggerEventTime().toEpochMilli() == eventTime).count();
    }

    private DeadLetter letterOf(List<DeadLetter> deadLetters, Message message) {
        RecordMetadata where = sent.get(message);
        if (where == null) {
            return null;
        }
        for (DeadLetter letter : deadLetters) {
            if (letter.getSourceTopic().equals(where.topic()) && letter.getSourcePartition() == where.partition()
                    && letter.getSourceOffset() == where.offset()) {
                return letter;
            }
        }
        return null;
    }

    /** Decodes or fails loudly: the corpus's own valid messages must decode. */
    private static ItemEvent item(byte[] value) {
        try {
            return ITEMS.decode(value);
        } catch (BadRecordException e) {
            throw new IllegalStateException(e);
        }
    }
}
