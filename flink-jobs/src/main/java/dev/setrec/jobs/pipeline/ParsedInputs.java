package dev.setrec.jobs.pipeline;

import dev.setrec.jobs.JobOptions;
import dev.setrec.jobs.functions.DeadLetters;
import dev.setrec.jobs.functions.InputLimits;
import dev.setrec.jobs.functions.ParseInteractions;
import dev.setrec.jobs.functions.ParseItems;
import dev.setrec.jobs.records.Interaction;
import dev.setrec.jobs.records.ItemRecord;
import dev.setrec.schemas.AvroCodec;
import dev.setrec.schemas.DeadLetter;
import dev.setrec.schemas.InteractionEvent;
import dev.setrec.schemas.ItemEvent;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.nio.file.Path;

/**
 * The interactions and items topics parsed the way every job reads them: valid records go on, the rest become dead
 * letters (their side output) with the reason.
 */
record ParsedInputs(SingleOutputStreamOperator<Interaction> interactions,
                    SingleOutputStreamOperator<ItemRecord> items) {

    static ParsedInputs read(StreamExecutionEnvironment env, ReadableConfig options,
                             RecommendationJob.Sources sources) {
        InputLimits limits = InputLimits.of(options);
        Path extraSchemas = options.getOptional(JobOptions.EXTRA_WRITER_SCHEMAS).map(Path::of).orElse(null);
        return new ParsedInputs(sources.interactions(env)
                .process(new ParseInteractions(codec(InteractionEvent.class, extraSchemas), limits))
                .name("parse interactions").uid("parse-interactions"),
                sources.items(env)
                        .process(new ParseItems(codec(ItemEvent.class, extraSchemas), limits))
                        .name("parse items").uid("parse-items"));
    }

    /** The dead letters of both parsers. */
    DataStream<DeadLetter> deadLetters() {
        return interactions.getSideOutput(DeadLetters.TAG).union(items.getSideOutput(DeadLetters.TAG));
    }

    /** A reader of every released writer version, and of the extra ones in {@code extraSchemas} where given. */
    private static <T extends SpecificRecord> AvroCodec<T> codec(Class<T> type, Path extraSchemas) {
        return extraSchemas == null ? AvroCodec.of(type) : AvroCodec.of(type, extraSchemas);
    }
}
