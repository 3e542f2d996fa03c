package dev.setrec.jobs.functions;

import dev.setrec.jobs.records.RawRecord;
import dev.setrec.schemas.DeadLetter;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.util.OutputTag;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;

/**
 * The side output every function uses for records it cannot use, and how a dead letter is made. A dead letter is
 * bounded whatever it reports: it keeps at most the first {@code payloadBytes} of the key and of the value, with
 * their sizes as read and the value's SHA-256, and a reason of at most {@link #MAX_REASON_CHARS}; so it always fits
 * a Kafka record and the dead-letter sink never fails on it.
 */
public final class DeadLetters {
    public static final OutputTag<DeadLetter> TAG = new OutputTag<>("dead-letters",
            new AvroTypeInfo<>(DeadLetter.class));
    /** Reasons quote bounded parts of a message, but an exception's text has no bound of its own. */
    static final int MAX_REASON_CHARS = 2048;

    private DeadLetters() {
    }

    public static DeadLetter of(RawRecord source, String reason, int payloadBytes) {
        String sha256 = source.valueSha256 != null || source.value == null ? source.valueSha256 : sha256(source.value);
        return DeadLetter.newBuilder()
                .setReason(cut(reason))
                .setSourceTopic(source.topic)
                .setSourcePartition(source.partition)
                .setSourceOffset(source.offset)
                .setKey(prefix(source.key, payloadBytes))
                .setValue(prefix(source.value, payloadBytes))
                .setKeyBytes(source.keyBytes)
                .setValueBytes(source.valueBytes)
                .setValueSha256(sha256)
                .setFailedTime(Instant.now())
                .build();
    }

    /** The reason, cut to {@link #MAX_REASON_CHARS} where longer (an exception's text has no bound of its own). */
    static String cut(String reason) {
        return reason.length() <= MAX_REASON_CHARS ? reason
                : reason.substring(0, MAX_REASON_CHARS) + "... (reason cut)";
    }

    private static ByteBuffer prefix(byte[] bytes, int payloadBytes) {
        return bytes == null ? null : ByteBuffer.wrap(bytes, 0, Math.min(bytes.length, payloadBytes)).slice();
    }

    /** Lower-case hex SHA-256. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
