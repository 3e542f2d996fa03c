package dev.setrec.jobs.functions;

import dev.setrec.jobs.records.RawRecord;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.util.Arrays;

/**
 * Keeps every Kafka message as it is: parsing happens in a function that can route failures to dead letters. A
 * message over {@code maxBytes} (key and value) keeps only the first {@code keptBytes} of each, its sizes and the
 * value's SHA-256: it will be a dead letter, and carrying megabytes to say so would only slow the job.
 */
public final class RawRecordDeserializer implements KafkaRecordDeserializationSchema<RawRecord> {
    private static final long serialVersionUID = 1L;

    private final int maxBytes;
    private final int keptBytes;

    public RawRecordDeserializer(int maxBytes, int keptBytes) {
        this.maxBytes = maxBytes;
        this.keptBytes = keptBytes;
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<RawRecord> out) {
        out.collect(read(record.topic(), record.partition(), record.offset(), record.timestamp(), record.key(),
                record.value()));
    }

    RawRecord read(String topic, int partition, long offset, long timestamp, byte[] key, byte[] value) {
        RawRecord raw = new RawRecord(topic, partition, offset, timestamp, key, value);
        if (raw.bytes() > maxBytes) {
            raw.oversized = true;
            raw.valueSha256 = value == null ? null : DeadLetters.sha256(value);
            raw.key = key == null ? null : Arrays.copyOf(key, Math.min(key.length, keptBytes));
            raw.value = value == null ? null : Arrays.copyOf(value, Math.min(value.length, keptBytes));
        }
        return raw;
    }

    @Override
    public TypeInformation<RawRecord> getProducedType() {
        return TypeInformation.of(RawRecord.class);
    }
}
