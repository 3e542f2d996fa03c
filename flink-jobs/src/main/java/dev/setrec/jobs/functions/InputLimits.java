package dev.setrec.jobs.functions;

import dev.setrec.jobs.JobOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;

import java.io.Serializable;
import java.time.Duration;

/**
 * How large the input topics' messages and fields may be, and how much of a message a dead letter keeps: the bounds
 * that let no single message stop the job or make a record the sinks cannot write.
 *
 * @param maxInteractionBytes   largest interactions message (key and value)
 * @param maxItemBytes          largest items message (key and value)
 * @param maxIdBytes            longest user or item id, UTF-8 bytes (longer: dead letter)
 * @param maxTextBytes          an item's title, brand and each category are cut to this
 * @param maxDescriptionBytes   an item's description is cut to this
 * @param maxCategories         categories kept per item
 * @param maxEventTimeAhead     an event time further ahead of the job's clock is a dead letter
 * @param deadLetterPayloadBytes bytes of a bad message's key and of its value that its dead letter keeps
 */
public record InputLimits(int maxInteractionBytes, int maxItemBytes, int maxIdBytes, int maxTextBytes,
                          int maxDescriptionBytes, int maxCategories, Duration maxEventTimeAhead,
                          int deadLetterPayloadBytes) implements Serializable {
    public InputLimits {
        if (maxInteractionBytes < 1 || maxItemBytes < 1 || maxIdBytes < 1 || maxTextBytes < 1
                || maxDescriptionBytes < 1 || maxCategories < 1 || deadLetterPayloadBytes < 1
                || maxEventTimeAhead.isNegative()) {
            throw new IllegalArgumentException("the setrec.input.* and setrec.dead-letter.* limits must be positive");
        }
    }

    public static InputLimits of(ReadableConfig options) {
        return new InputLimits(options.get(JobOptions.MAX_INTERACTION_BYTES), options.get(JobOptions.MAX_ITEM_BYTES),
                options.get(JobOptions.MAX_ID_BYTES), options.get(JobOptions.MAX_TEXT_BYTES),
                options.get(JobOptions.MAX_DESCRIPTION_BYTES), options.get(JobOptions.MAX_CATEGORIES),
                options.get(JobOptions.MAX_EVENT_TIME_AHEAD), options.get(JobOptions.DEAD_LETTER_PAYLOAD_BYTES));
    }

    /** The documented defaults. */
    public static InputLimits defaults() {
        return of(new Configuration());
    }
}
