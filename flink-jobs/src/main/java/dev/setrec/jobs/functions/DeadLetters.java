package dev.setrec.jobs.functions;

import dev.setrec.jobs.records.RawRecord;
import dev.setrec.schemas.DeadLetter;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.util.OutputTag;

import java.nio.ByteBuffer;
import java.time.Instant;

/** The side output every function uses for records it cannot use, and how a dead letter is made. */
public final class DeadLetters {
    public static final OutputTag<DeadLetter> TAG = new OutputTag<>("dead-letters", new AvroTypeInfo<>(DeadLetter.class));

    private DeadLetters() {
    }

    public static DeadLetter of(RawRecord source, String reason) {
        return DeadLetter.newBuilder()
                .setReason(reason)
                .setSourceTopic(source.topic)
                .setSourcePartition(source.partition)
                .setSourceOffset(source.offset)
                .setKey(source.key == null ? null : ByteBuffer.wrap(source.key))
                .setValue(source.value == null ? null : ByteBuffer.wrap(source.value))
                .setFailedTime(Instant.now())
                .build();
    }
}
