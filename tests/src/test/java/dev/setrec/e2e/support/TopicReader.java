package dev.setrec.e2e.support;

import dev.setrec.schemas.AvroCodec;
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
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reads one of a job's topics from its beginning with a consumer of its own; what it has read accumulates. Every
 * wait fails the test at once when the job is no longer running, and otherwise after {@link #WAIT}: a guard against
 * a hang, not a speed check.
 */
public final class TopicReader<T extends SpecificRecord> implements AutoCloseable {
    /** The longest any wait lasts; a job that restarts needs its restart delay and a model load within it. */
    public static final Duration WAIT = Duration.ofMinutes(2);
    /** After the expected records arrived, how long nothing more may arrive: three checkpoints (transactions). */
    public static final Duration QUIET = Duration.ofMillis(1500);
    private static final Duration POLL = Duration.ofMillis(100);

    /** A record read back: its key as text and its decoded value. */
    public record Received<T>(String key, T value) {
    }

    private final AvroCodec<T> codec;
    private final RunningJob job;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<Received<T>> read = new ArrayList<>();

    TopicReader(Broker broker, String topic, AvroCodec<T> codec, String isolationLevel, RunningJob job) {
        this.codec = codec;
        this.job = job;
        consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolationLevel,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        List<TopicPartition> partitions = IntStream.range(0, PipelineJob.PARTITIONS)
                .mapToObj(p -> new TopicPartition(topic, p)).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** Everything read, once {@code count} records arrived and then nothing more for {@link #QUIET}. */
    public List<Received<T>> awaitExactly(int count) throws Exception {
        awaitUntil(all -> all.size() >= count, count + " records");
        List<Received<T>> all = readFor(QUIET);
        assertEquals(count, all.size(), () -> "records: " + all);
        return all;
    }

    /** The first record read that matches. */
    public T awaitFirst(Predicate<T> matching, String what) throws Exception {
        awaitUntil(all -> all.stream().map(Received::value).anyMatch(matching), what);
        return read.stream().map(Received::value).filter(matching).findFirst().orElseThrow();
    }

    /** Everything read once {@code done} holds for it. */
    public List<Received<T>> awaitUntil(Predicate<List<Received<T>>> done, String what) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!done.test(read)) {
            job.assertRunning();
            assertTrue(System.nanoTime() < deadline, () -> what + " not read within " + WAIT + "; read: " + read);
            poll();
        }
        return List.copyOf(read);
    }

    /** Everything read after reading on for {@code duration}. */
    public List<Received<T>> readFor(Duration duration) throws Exception {
        long until = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() < until) {
            poll();
        }
        return List.copyOf(read);
    }

    /** The values read so far. */
    public List<T> values() {
        return read.stream().map(Received::value).toList();
    }

    private void poll() throws Exception {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
            String key = new String(record.key(), StandardCharsets.UTF_8);
            read.add(new Received<>(key, codec.decode(record.value())));
        }
    }

    @Override
    public void close() {
        consumer.close(Duration.ZERO);
    }
}
