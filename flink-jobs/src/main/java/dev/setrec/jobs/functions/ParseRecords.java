package dev.setrec.jobs.functions;

import dev.setrec.jobs.records.RawRecord;
import dev.setrec.schemas.AvroCodec;
import dev.setrec.schemas.BadRecordException;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.avro.specific.SpecificRecord;

/**
 * Decodes one topic's Avro messages and validates them; anything unusable goes to {@link DeadLetters#TAG} with the
 * reason, so that one bad message never stops the job or hides the good ones around it.
 *
 * @param <T> the topic's Avro record
 * @param <O> what a valid record becomes
 */
public abstract class ParseRecords<T extends SpecificRecord, O> extends ProcessFunction<RawRecord, O> {
    private static final long serialVersionUID = 1L;

    private final AvroCodec<T> codec;
    private transient Counter deadLetters;

    protected ParseRecords(AvroCodec<T> codec) {
        this.codec = codec;
    }

    @Override
    public void open(OpenContext context) {
        deadLetters = getRuntimeContext().getMetricGroup().counter("deadLetters");
    }

    @Override
    public void processElement(RawRecord raw, Context ctx, Collector<O> out) {
        try {
            out.collect(validate(codec.decode(raw.value), raw));
        } catch (BadRecordException e) {
            deadLetters.inc();
            ctx.output(DeadLetters.TAG, DeadLetters.of(raw, e.getMessage()));
        }
    }

    /** The usable form of a decoded record, or a BadRecordException naming what is wrong with it. */
    protected abstract O validate(T record, RawRecord source) throws BadRecordException;

    static String required(String value, String field) throws BadRecordException {
        if (value == null || value.isBlank()) {
            throw new BadRecordException("missing " + field);
        }
        return value;
    }
}
