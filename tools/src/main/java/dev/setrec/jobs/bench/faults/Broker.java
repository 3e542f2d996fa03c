package dev.setrec.jobs.bench.faults;

import dev.setrec.jobs.kafka.EmbeddedKafka;
import dev.setrec.jobs.kafka.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The in-process Kafka broker (KRaft) that every job of this JVM shares (the tests', the reliability benchmark's),
 * each job on topics of its own, and a producer that waits for each write: the caller knows where its record landed
 * before it looks for what the job made of it. Started on first use and stopped when the JVM exits.
 */
public final class Broker {
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(60);
    private static Broker shared;

    private final EmbeddedKafka kafka;
    private final KafkaProducer<byte[], byte[]> producer;

    private Broker(EmbeddedKafka kafka) {
        this.kafka = kafka;
        this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer());
    }

    public static synchronized Broker shared() {
        if (shared == null) {
            Broker broker = new Broker(EmbeddedKafka.start());
            Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "broker-shutdown"));
            shared = broker;
        }
        return shared;
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    /** Creates the topics that are missing, each with {@code partitions}, and waits until they take writes. */
    public void ensureTopics(Collection<String> topics, int partitions) {
        Topics.ensure(bootstrapServers(), topics.stream().collect(Collectors.toMap(Function.identity(),
                topic -> partitions)), WRITE_TIMEOUT);
    }

    /** Writes one record; returns once the broker acknowledged it. */
    public Origin send(String topic, String key, byte[] value) throws Exception {
        RecordMetadata written = producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8),
                value)).get(WRITE_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        return new Origin(topic, written.partition(), written.offset());
    }

    /** Writes the records (key, value) in their order, batched; returns once the broker acknowledged them all. */
    public void sendAll(String topic, List<Map.Entry<String, byte[]>> records) throws Exception {
        List<Future<RecordMetadata>> written = new ArrayList<>();
        for (Map.Entry<String, byte[]> record : records) {
            written.add(producer.send(new ProducerRecord<>(topic, record.getKey().getBytes(StandardCharsets.UTF_8),
                    record.getValue())));
        }
        producer.flush();
        for (Future<RecordMetadata> write : written) {
            write.get(WRITE_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    private void close() {
        producer.close(Duration.ofSeconds(5));
        kafka.close();
    }
}
