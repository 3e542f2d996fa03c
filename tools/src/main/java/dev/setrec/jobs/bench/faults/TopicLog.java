package dev.setrec.jobs.bench.faults;

import dev.setrec.schemas.AvroCodec;
import dev.setrec.schemas.BadRecordException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * One of the job's output topics as a downstream reader sees it: read from its start (every partition, no consumer
 * group), decoded, accumulated. {@code read_committed} shows only what exactly-once delivery committed.
 *
 * @param <T> the topic's record
 */
public final class TopicLog<T extends SpecificRecord> implements AutoCloseable {
    /** A record read: its key as text (null where it has none) and its decoded value. */
    public record Received<T>(String key, T value) {
    }

    private final AvroCodec<T> codec;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<T> read = new ArrayList<>();
    private final List<Received<T>> records = new ArrayList<>();

    public TopicLog(String bootstrapServers, String topic, AvroCodec<T> codec, boolean readCommitted) {
        this.codec = codec;
        consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, readCommitted ? "read_committed" : "read_uncommitted",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** Reads what has arrived (waiting up to {@code timeout} for the first record); returns everything so far. */
    public List<T> poll(Duration timeout) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(timeout)) {
            try {
                T value = codec.decode(record.value());
                read.add(value);
                records.add(new Received<>(record.key() == null ? null
                        : new String(record.key(), StandardCharsets.UTF_8), value));
            } catch (BadRecordException e) {
                throw new IllegalStateException("the job wrote a record its own codec cannot read at "
                        + record.topic() + "-" + record.partition() + "@" + record.offset() + ": " + e.getMessage(), e);
            }
        }
        return read;
    }

    /**
     * Reads until {@code done} holds for what was read, then for {@code quiet} more (whatever else arrives is read
     * too); false when {@code done} did not hold within {@code timeout}.
     */
    public boolean awaitThenQuiet(Predicate<List<T>> done, Duration timeout, Duration quiet) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.test(read)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            poll(Duration.ofMillis(100));
        }
        long quietUntil = System.nanoTime() + quiet.toNanos();
        while (System.nanoTime() < quietUntil) {
            poll(Duration.ofMillis(100));
        }
        return true;
    }

    public List<T> read() {
        return read;
    }

    /** What was read so far with its keys, in the order read. */
    public List<Received<T>> records() {
        return records;
    }

    @Override
    public void close() {
        consumer.close(Duration.ZERO);
    }
}
