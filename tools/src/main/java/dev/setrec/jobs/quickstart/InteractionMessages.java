package dev.setrec.jobs.quickstart;

import dev.setrec.schemas.AvroCodec;
import dev.setrec.schemas.EventType;
import dev.setrec.schemas.InteractionEvent;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Random;

/**
 * The messages the replayer puts on the interactions topic (key: user id): real events, and deliberately broken
 * ones, one kind after the other, so that the quickstart shows the job's dead-letter path: bytes that are not
 * Avro, a well-formed event without a user, and an event for an item that exists nowhere.
 */
final class InteractionMessages {
    enum BrokenKind { RANDOM_BYTES, EMPTY_USER_ID, UNKNOWN_ITEM }

    /** The Amazon data are reviews, so every replayed interaction is a rating. */
    private static final EventType EVENT_TYPE = EventType.RATING;
    private static final BrokenKind[] BROKEN_KINDS = BrokenKind.values();

    private final String topic;
    private final AvroCodec<InteractionEvent> codec = AvroCodec.of(InteractionEvent.class);
    private final Random random = new Random(0); // fixed: the same broken bytes on every run
    private long broken;

    InteractionMessages(String topic) {
        this.topic = topic;
    }

    ProducerRecord<byte[], byte[]> real(ReplayPlan.Event event, long recordTime, long eventTime) {
        return event(event.userId(), event.userId(), event.itemId(), recordTime, eventTime);
    }

    /** The next broken message, sent just before the real event {@code real}. */
    ProducerRecord<byte[], byte[]> broken(ReplayPlan.Event real, long recordTime, long eventTime) {
        BrokenKind kind = BROKEN_KINDS[(int) (broken++ % BROKEN_KINDS.length)];
        return switch (kind) {
            case RANDOM_BYTES -> record(real.userId(), randomBytes(), recordTime);
            case EMPTY_USER_ID -> event("", "", real.itemId(), recordTime, eventTime);
            case UNKNOWN_ITEM -> event(real.userId(), real.userId(), "no-such-item-" + broken, recordTime, eventTime);
        };
    }

    private ProducerRecord<byte[], byte[]> event(String key, String userId, String itemId, long recordTime,
                                                 long eventTime) {
        InteractionEvent event = new InteractionEvent(userId, itemId, EVENT_TYPE, Instant.ofEpochMilli(eventTime));
        return record(key, codec.encode(event), recordTime);
    }

    private ProducerRecord<byte[], byte[]> record(String key, byte[] value, long recordTime) {
        return new ProducerRecord<>(topic, null, recordTime, key.getBytes(StandardCharsets.UTF_8), value);
    }

    private byte[] randomBytes() {
        byte[] bytes = new byte[16 + random.nextInt(48)];
        random.nextBytes(bytes);
        bytes[0] = 0; // never the single-object marker 0xC3 0x01: the message must not decode by chance
        return bytes;
    }
}
