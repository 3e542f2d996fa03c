package dev.setrec.cluster;

import dev.setrec.schemas.AvroCodec;
import dev.setrec.schemas.BadRecordException;
import dev.setrec.schemas.Recommendation;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * The outside consumer: reads the recommendations topic from its beginning on a thread of its own and keeps, event
 * by event (the trigger event time), every recommendation and when the first one arrived. With read_committed it
 * sees only what the job's Kafka transactions committed, as a downstream exactly-once consumer would.
 */
final class RecommendationLog implements AutoCloseable {
    private static final AvroCodec<Recommendation> CODEC = AvroCodec.of(Recommendation.class);

    /** The recommendations of one event, in arrival order, and when the first arrived (epoch milliseconds). */
    record Answers(List<Recommendation> recommendations, long firstArrivalMillis) {
    }

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Map<Long, Answers> byEvent = new HashMap<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile RuntimeException failure;

    RecommendationLog(String bootstrapServers, String topic, int partitions, String isolationLevel) {
        consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolationLevel,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        List<TopicPartition> all = IntStream.range(0, partitions).mapToObj(p -> new TopicPartition(topic, p))
                .toList();
        consumer.assign(all);
        consumer.seekToBeginning(all);
        thread = new Thread(this::readUntilClosed, "recommendations-" + isolationLevel);
        thread.start();
    }

    private void readUntilClosed() {
        try {
            while (running) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    record(CODEC.decode(record.value()), System.currentTimeMillis());
                }
            }
        } catch (BadRecordException e) {
            failure = new IllegalStateException("the job wrote a recommendation that does not decode", e);
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            consumer.close(Duration.ZERO);
        }
    }

    private synchronized void record(Recommendation recommendation, long arrival) {
        long trigger = recommendation.getTriggerEventTime().toEpochMilli();
        Answers answers = byEvent.computeIfAbsent(trigger, t -> new Answers(new ArrayList<>(), arrival));
        answers.recommendations().add(recommendation);
    }

    /** The answers to the event at {@code eventTime}, if any arrived. */
    synchronized Optional<Answers> answers(long eventTime) {
        requireReading();
        Answers answers = byEvent.get(eventTime);
        return answers == null ? Optional.empty()
                : Optional.of(new Answers(List.copyOf(answers.recommendations()), answers.firstArrivalMillis()));
    }

    /** How many of {@code events} have at least one recommendation. */
    synchronized long answered(Set<Long> events) {
        requireReading();
        return events.stream().filter(byEvent::containsKey).count();
    }

    /** Every event answered so far with its answers. */
    synchronized Map<Long, Answers> all() {
        requireReading();
        Map<Long, Answers> copy = new HashMap<>();
        byEvent.forEach((event, answers) -> copy.put(event,
                new Answers(List.copyOf(answers.recommendations()), answers.firstArrivalMillis())));
        return copy;
    }

    private void requireReading() {
        if (failure != null) {
            throw new IllegalStateException("reading recommendations failed", failure);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(Duration.ofSeconds(30).toMillis());
    }
}
