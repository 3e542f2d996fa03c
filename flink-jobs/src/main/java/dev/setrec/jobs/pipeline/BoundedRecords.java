package dev.setrec.jobs.pipeline;

import dev.setrec.jobs.JobOptions;
import dev.setrec.jobs.functions.DeadLetters;
import dev.setrec.jobs.records.RawRecord;
import dev.setrec.schemas.AvroCodec;
import dev.setrec.schemas.DeadLetter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.connector.kafka.lineage.DefaultKafkaDatasetFacet;
import org.apache.flink.connector.kafka.lineage.DefaultKafkaDatasetIdentifier;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacet;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacetProvider;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * A sink's records as Kafka records (key, Avro single-object value), never larger than {@code maxBytes}: a record
 * over it goes to the dead-letters topic instead, as a bounded dead letter saying so. A record the producer or the
 * broker refuses would fail the sink, and the job would restart on the same record for ever; this keeps data from
 * ever doing that (the limit must stay below the producer's max.request.size and the topics' max.message.bytes).
 */
final class BoundedRecords<T extends SpecificRecord>
        implements KafkaRecordSerializationSchema<T>, KafkaDatasetFacetProvider {
    private static final long serialVersionUID = 1L;
    private static final AvroCodec<DeadLetter> DEAD_LETTERS = AvroCodec.of(DeadLetter.class);

    private final String topic;
    private final AvroCodec<T> codec;
    private final KafkaIo.SerializableKey<T> key;
    private final String deadLettersTopic;
    private final int maxBytes;
    private final int deadLetterPayloadBytes;

    BoundedRecords(String topic, AvroCodec<T> codec, KafkaIo.SerializableKey<T> key, String deadLettersTopic,
                   int maxBytes, int deadLetterPayloadBytes) {
        // a dead letter holds two payloads and a reason of at most 2 KB (DeadLetters), plus a few small fields
        if (maxBytes < 2 * deadLetterPayloadBytes + 8 * 1024) {
            throw new IllegalArgumentException(JobOptions.MAX_OUTPUT_BYTES.key() + " (" + maxBytes + ") must be at "
                    + "least twice " + JobOptions.DEAD_LETTER_PAYLOAD_BYTES.key() + " (" + deadLetterPayloadBytes
                    + ") plus 8 KB, so that a dead letter always fits");
        }
        this.topic = topic;
        this.codec = codec;
        this.key = key;
        this.deadLettersTopic = deadLettersTopic;
        this.maxBytes = maxBytes;
        this.deadLetterPayloadBytes = deadLetterPayloadBytes;
    }

    /** The topics written, where the exactly-once sink looks for its open transactions when it restores. */
    @Override
    public Optional<KafkaDatasetFacet> getKafkaDatasetFacet() {
        return Optional.of(new DefaultKafkaDatasetFacet(DefaultKafkaDatasetIdentifier.ofTopics(
                List.of(topic, deadLettersTopic))));
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(T record, KafkaSinkContext context, Long timestamp) {
        byte[] keyBytes = key.apply(record).getBytes(StandardCharsets.UTF_8);
        byte[] value = codec.encode(record);
        if ((long) keyBytes.length + value.length <= maxBytes) {
            return new ProducerRecord<>(topic, null, timestamp, keyBytes, value);
        }
        RawRecord unwritten = new RawRecord(topic, -1, -1, timestamp == null ? -1 : timestamp, keyBytes, value);
        DeadLetter letter = DeadLetters.of(unwritten, "a " + record.getSchema().getName() + " of "
                + unwritten.bytes() + " bytes is over " + JobOptions.MAX_OUTPUT_BYTES.key() + " (" + maxBytes
                + "): not written to " + topic, deadLetterPayloadBytes);
        return new ProducerRecord<>(deadLettersTopic, null, timestamp,
                (topic + "-" + -1).getBytes(StandardCharsets.UTF_8), DEAD_LETTERS.encode(letter));
    }
}
