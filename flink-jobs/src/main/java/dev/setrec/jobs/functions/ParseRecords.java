package dev.setrec.jobs.functions;

import dev.setrec.jobs.records.RawRecord;
import dev.setrec.schemas.AvroCodec;
import dev.setrec.schemas.BadRecordException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Decodes one topic's Avro messages and validates them; anything unusable goes to {@link DeadLetters#TAG} with the
 * reason, so that one bad message never stops the job or hides the good ones around it. A message's Kafka key
 * should be the record's id (user or item): one that differs (or is missing) does not stop the message, whose body
 * is what counts, but is counted, since a producer keying by something else loses the per-id order Kafka keeps.
 *
 * @param <T> the topic's Avro record
 * @param <O> what a valid record becomes
 */
public abstract class ParseRecords<T extends SpecificRecord, O> extends ProcessFunction<RawRecord, O> {
    private static final long serialVersionUID = 1L;

    private final AvroCodec<T> codec;
    protected final InputLimits limits;
    private final String sizeOption;
    private final int maxBytes;
    private transient Counter deadLetters;
    private transient Counter keyMismatches;

    /**
     * @param sizeOption the option that sets this topic's message size limit, for the dead letter's reason
     * @param maxBytes   this topic's message size limit (the source marks larger messages oversized)
     */
    protected ParseRecords(AvroCodec<T> codec, InputLimits limits, String sizeOption, int maxBytes) {
        this.codec = codec;
        this.limits = limits;
        this.sizeOption = sizeOption;
        this.maxBytes = maxBytes;
    }

    @Override
    public void open(OpenContext context) {
        SharedThreadLoaders.releaseOnJobEnd(getRuntimeContext());
        deadLetters = getRuntimeContext().getMetricGroup().counter("deadLetters");
        keyMismatches = getRuntimeContext().getMetricGroup().counter("keyMismatches");
    }

    @Override
    public void processElement(RawRecord raw, Context ctx, Collector<O> out) {
        try {
            if (raw.oversized) {
                throw new BadRecordException("message of " + raw.bytes() + " bytes (key " + Math.max(raw.keyBytes, 0)
                        + ", value " + Math.max(raw.valueBytes, 0) + ") is over the limit of " + maxBytes
                        + " (" + sizeOption + ")");
            }
            T record = codec.decode(raw.value);
            O valid = validate(record, raw);
            if (raw.key == null || !Arrays.equals(raw.key, id(record).getBytes(StandardCharsets.UTF_8))) {
                keyMismatches.inc();
            }
            out.collect(valid);
        } catch (BadRecordException e) {
            deadLetters.inc();
            ctx.output(DeadLetters.TAG, DeadLetters.of(raw, e.getMessage(), limits.deadLetterPayloadBytes()));
        }
    }

    /** The usable form of a decoded record, or a BadRecordException naming what is wrong with it. */
    protected abstract O validate(T record, RawRecord source) throws BadRecordException;

    /** The id the message's Kafka key should hold (a validated record's). */
    protected abstract String id(T record);

    /**
     * An event time in epoch ms, refused when it is not positive or further ahead of this machine's clock than the
     * limit (a producer's clock or unit bug: seconds or microseconds for milliseconds).
     */
    protected long eventTime(long epochMillis) throws BadRecordException {
        if (epochMillis <= 0) {
            throw new BadRecordException("eventTime " + epochMillis + " is not a positive epoch millisecond");
        }
        long ahead = epochMillis - System.currentTimeMillis();
        if (ahead > limits.maxEventTimeAhead().toMillis()) {
            throw new BadRecordException("eventTime " + epochMillis + " is " + ahead / 1000 + " s ahead of the "
                    + "job's clock, more than setrec.input.max-event-time-ahead (" + limits.maxEventTimeAhead() + ")");
        }
        return epochMillis;
    }
}
