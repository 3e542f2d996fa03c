package dev.setrec.jobs.kafka;

import dev.setrec.jobs.JobOptions;
import dev.setrec.schemas.AvroCodec;
import dev.setrec.schemas.BadRecordException;
import dev.setrec.schemas.EventType;
import dev.setrec.schemas.InteractionEvent;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EmbeddedKafkaTest {
    private static final int EVENTS = 1_000;
    private static final Duration TOPIC_TIMEOUT = Duration.ofSeconds(30);
    private static final Instant T0 = Instant.ofEpochMilli(1_764_000_000_000L);
    private static final AvroCodec<InteractionEvent> CODEC = AvroCodec.of(InteractionEvent.class);

    @Test
    @Timeout(180)
    void avroEventsMakeTheRoundTripThroughEnsuredTopics() throws Exception {
        long startNanos = System.nanoTime();
        EmbeddedKafka kafka = EmbeddedKafka.start();
        Duration startup = Duration.ofNanos(System.nanoTime() - startNanos);
        try {
            String bootstrap = kafka.bootstrapServers();
            Topics.ensure(bootstrap, Map.of("interactions", 2, "recommendations", 2), TOPIC_TIMEOUT);
            // Again, plus one new topic: existing topics are no error and keep their partitions.
            Topics.ensure(bootstrap, Map.of("interactions", 2, "recommendations", 2, "dead-letters", 1), TOPIC_TIMEOUT);

            List<InteractionEvent> sent = IntStream.range(0, EVENTS).mapToObj(EmbeddedKafkaTest::event).toList();
            Set<Integer> partitionsWritten = produce(bootstrap, sent);
            assertEquals(Set.of(0, 1), partitionsWritten, "user-id keys spread over both partitions");

            List<InteractionEvent> received = consumeAll(bootstrap, Map.of(
                    "interactions", 2, "recommendations", 2, "dead-letters", 1));
            received.sort(Comparator.comparing(InteractionEvent::getEventTime));
            assertEquals(sent, received);
        } finally {
            long stopNanos = System.nanoTime();
            kafka.close();
            System.out.printf("in-process Kafka: start %d ms, close %d ms%n",
                    startup.toMillis(), Duration.ofNanos(System.nanoTime() - stopNanos).toMillis());
        }
        assertFalse(Files.exists(kafka.directory()), "close removes the broker's data directory");
    }

    @Test
    void theJobsTransactionTimeoutDefaultStaysBelowTheBrokersMaximum() {
        assertTrue(JobOptions.TRANSACTION_TIMEOUT.defaultValue()
                .compareTo(EmbeddedKafka.TRANSACTION_MAX_TIMEOUT) < 0);
    }

    @Test
    @Timeout(60)
    void ensureWithoutABrokerTimesOutNamingTheTopic() {
        Duration timeout = Duration.ofSeconds(2);
        TimeoutException e = assertThrows(TimeoutException.class,
                () -> Topics.ensure("127.0.0.1:1", Map.of("interactions", 2), timeout));
        assertTrue(e.getMessage().contains("interactions") && e.getMessage().contains("PT2S"), e.getMessage());
    }

    /** Unique event times let the test restore the sent order after two partitions interleaved them. */
    private static InteractionEvent event(int index) {
        return InteractionEvent.newBuilder()
                .setUserId("u-" + index % 37)
                .setItemId("i-" + index)
                .setEventType(EventType.values()[index % EventType.values().length])
                .setEventTime(T0.plusMillis(index))
                .build();
    }

    private static Set<Integer> produce(String bootstrap, List<InteractionEvent> events) throws Exception {
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config)) {
            List<Future<RecordMetadata>> sends = new ArrayList<>();
            for (InteractionEvent event : events) {
                sends.add(producer.send(new ProducerRecord<>("interactions", key(event), CODEC.encode(event))));
            }
            Set<Integer> partitions = new HashSet<>();
            for (Future<RecordMetadata> send : sends) {
                partitions.add(send.get().partition()); // a lost batch fails here instead of going unnoticed
            }
            return partitions;
        }
    }

    private static List<InteractionEvent> consumeAll(String bootstrap, Map<String, Integer> expectedPartitions)
            throws BadRecordException {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "embedded-kafka-test",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
            expectedPartitions.forEach((topic, partitions) -> {
                List<PartitionInfo> found = consumer.partitionsFor(topic);
                assertEquals(partitions, found.size(), topic + " partitions");
            });
            consumer.subscribe(List.of("interactions"));
            List<InteractionEvent> received = new ArrayList<>();
            while (received.size() < EVENTS) { // @Timeout ends a consumer that never gets them all
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    InteractionEvent event = CODEC.decode(record.value());
                    assertArrayEquals(key(event), record.key(), "the key is the user id");
                    received.add(event);
                }
            }
            assertTrue(consumer.poll(Duration.ofMillis(500)).isEmpty(), "nothing beyond the events sent");
            return received;
        }
    }

    private static byte[] key(InteractionEvent event) {
        return event.getUserId().getBytes(StandardCharsets.UTF_8);
    }
}
