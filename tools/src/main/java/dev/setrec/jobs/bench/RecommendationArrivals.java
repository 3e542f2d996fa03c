package dev.setrec.jobs.bench;

import dev.setrec.schemas.AvroCodec;
import dev.setrec.schemas.BadRecordException;
import dev.setrec.schemas.Recommendation;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Every recommendation the job publishes, in arrival order, with the wall-clock time this process read it: the
 * benchmark's view of the job from outside, as a downstream reader sees it. The topic is read from its start with
 * read_committed, so with exactly-once delivery a recommendation arrives only once its checkpoint has committed.
 */
final class RecommendationArrivals implements AutoCloseable {
    /**
     * One recommendation: when it was read, when the job made it, the Kafka timestamp of the event that triggered
     * it, and for whom.
     */
    record Arrival(long arrivalMillis, long producedMillis, long triggerRecordMillis, boolean fallback,
                   String userId) {
        long latencyMillis() {
            return Math.max(0, arrivalMillis - triggerRecordMillis);
        }

        /** The part of the latency spent before the job's sink (the rest: sink, broker, commit, reader). */
        long inJobMillis() {
            return Math.max(0, producedMillis - triggerRecordMillis);
        }
    }

    private static final Duration POLL_TIMEOUT = Duration.ofMillis(200);

    private final Consumer<byte[], byte[]> consumer;
    private final String topic;
    private final AvroCodec<Recommendation> codec = AvroCodec.of(Recommendation.class);
    private final List<Arrival> arrivals = new ArrayList<>();
    private final Thread thread;
    private volatile boolean stopping;
    private volatile RuntimeException failure;

    private RecommendationArrivals(Consumer<byte[], byte[]> consumer, String topic) {
        this.consumer = consumer;
        this.topic = topic;
        this.thread = new Thread(this::run, "setrec-bench-arrivals");
        thread.setDaemon(true);
    }

    static RecommendationArrivals start(String bootstrapServers, String topic) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, "setrec-bench-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        RecommendationArrivals arrivals = new RecommendationArrivals(
                new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer()), topic);
        arrivals.thread.start();
        return arrivals;
    }

    /** How many arrived so far; fails if the consumer stopped on an error. */
    synchronized int count() {
        if (failure != null) {
            throw new IllegalStateException("reading the recommendations failed", failure);
        }
        return arrivals.size();
    }

    /** Arrivals {@code from} (inclusive) to {@code to} (exclusive), in arrival order. */
    synchronized List<Arrival> range(int from, int to) {
        return List.copyOf(arrivals.subList(from, to));
    }

    /** The first recommendation for {@code userId} among the arrivals from index {@code from} on. */
    synchronized Optional<Arrival> firstFor(String userId, int from) {
        for (int i = from; i < arrivals.size(); i++) {
            if (arrivals.get(i).userId().equals(userId)) {
                return Optional.of(arrivals.get(i));
            }
        }
        return Optional.empty();
    }

    @Override
    public void close() throws InterruptedException {
        stopping = true;
        consumer.wakeup();
        thread.join();
    }

    private void run() {
        try (consumer) {
            consumer.subscribe(List.of(topic));
            while (!stopping) {
                var records = consumer.poll(POLL_TIMEOUT);
                long arrival = System.currentTimeMillis();
                List<Arrival> read = new ArrayList<>(records.count());
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    Recommendation r = decode(record);
                    read.add(new Arrival(arrival, r.getProducedTime().toEpochMilli(),
                            r.getTriggerRecordTime().toEpochMilli(), r.getFallback(), r.getUserId()));
                }
                synchronized (this) {
                    arrivals.addAll(read);
                }
            }
        } catch (WakeupException e) {
            // close() wakes the consumer up: the normal way out
        } catch (RuntimeException e) {
            failure = e;
        }
    }

    /** A recommendation the job wrote must decode: the figures would be wrong without it. */
    private Recommendation decode(ConsumerRecord<byte[], byte[]> record) {
        try {
            return codec.decode(record.value());
        } catch (BadRecordException e) {
            throw new IllegalStateException("recommendation at offset " + record.offset() + " of partition "
                    + record.partition() + " did not decode", e);
        }
    }
}
