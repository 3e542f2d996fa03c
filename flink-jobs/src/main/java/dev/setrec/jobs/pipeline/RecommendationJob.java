package dev.setrec.jobs.pipeline;

import dev.setrec.jobs.JobOptions;
import dev.setrec.jobs.functions.BatchedScoring;
import dev.setrec.jobs.functions.DeadLetters;
import dev.setrec.jobs.functions.UserHistory;
import dev.setrec.jobs.records.Interaction;
import dev.setrec.jobs.records.ItemRecord;
import dev.setrec.jobs.records.RawRecord;
import dev.setrec.jobs.records.ScoringRequest;
import dev.setrec.jobs.scoring.RankingOptions;
import dev.setrec.jobs.scoring.SetRecOperator;
import dev.setrec.schemas.DeadLetter;
import dev.setrec.schemas.Recommendation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.util.concurrent.TimeUnit;

/**
 * The recommendation pipeline, wiring only: interactions -> parse (bad -> dead letters) -> keyBy user -> history
 * in keyed state -> micro-batched asynchronous SETRec scoring -> recommendations; items -> parse -> broadcast to
 * every history instance, which onboards them into its task manager's model. Sources and sinks are injected so
 * that tests can swap them; {@link KafkaIo} provides the Kafka ones.
 */
public final class RecommendationJob {
    /** Where raw records come from (event-time watermarks are the source's business: per Kafka partition). */
    public interface Sources {
        DataStream<RawRecord> interactions(StreamExecutionEnvironment env);

        DataStream<RawRecord> items(StreamExecutionEnvironment env);
    }

    /** Where results go. */
    public interface Sinks {
        Sink<Recommendation> recommendations();

        Sink<DeadLetter> deadLetters();
    }

    private RecommendationJob() {
    }

    public static void build(StreamExecutionEnvironment env, ReadableConfig options, SetRecOperator.Factory model,
                             Sources sources, Sinks sinks) {
        ParsedInputs inputs = ParsedInputs.read(env, options, sources);
        SingleOutputStreamOperator<Interaction> interactions = inputs.interactions();
        SingleOutputStreamOperator<ItemRecord> items = inputs.items();
        BroadcastStream<ItemRecord> newItems = items.broadcast(UserHistory.ONBOARDED);

        SingleOutputStreamOperator<ScoringRequest> requests = interactions
                .keyBy(interaction -> interaction.userId)
                .connect(newItems)
                .process(new UserHistory(model, options.get(JobOptions.HISTORY_LENGTH),
                        options.get(JobOptions.HISTORY_TTL), options.get(JobOptions.MAX_ONBOARDED_ITEMS),
                        options.get(JobOptions.DEAD_LETTER_PAYLOAD_BYTES)))
                .name("user history").uid("user-history");

        DataStream<Recommendation> recommendations = AsyncDataStream.unorderedWait(requests,
                        new BatchedScoring(model, RankingOptions.of(options), options.get(JobOptions.BATCH_SIZE),
                                options.get(JobOptions.BATCH_WAIT), options.get(JobOptions.IN_FLIGHT),
                                options.get(JobOptions.BREAKER_FAILURES), options.get(JobOptions.BREAKER_PAUSE)),
                        options.get(JobOptions.SCORING_TIMEOUT).toMillis(), TimeUnit.MILLISECONDS,
                        options.get(JobOptions.IN_FLIGHT))
                .returns(new AvroTypeInfo<>(Recommendation.class))
                .name("setrec scoring").uid("setrec-scoring");
        recommendations.sinkTo(sinks.recommendations()).name("recommendations sink").uid("recommendations-sink");

        inputs.deadLetters().union(requests.getSideOutput(DeadLetters.TAG))
                .sinkTo(sinks.deadLetters()).name("dead-letters sink").uid("dead-letters-sink");
    }
}
