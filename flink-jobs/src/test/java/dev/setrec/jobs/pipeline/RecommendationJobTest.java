package dev.setrec.jobs.pipeline;

import dev.setrec.jobs.records.RawRecord;
import dev.setrec.jobs.scoring.FixedCatalogue;
import dev.setrec.jobs.scoring.SharedOperators;
import dev.setrec.schemas.AvroCodec;
import dev.setrec.schemas.DeadLetter;
import dev.setrec.schemas.EventType;
import dev.setrec.schemas.InteractionEvent;
import dev.setrec.schemas.ItemEvent;
import dev.setrec.schemas.Recommendation;
import dev.setrec.schemas.ScoredItem;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole pipeline as {@link RecommendationJob} wires it, on a local MiniCluster with in-memory sources and sinks
 * (no Kafka, a stand-in model that ranks a history newest first): the fast test of the wiring, in the style of
 * flink-training. The Kafka end-to-end tests (module tests) cover the real sources, sinks and model.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class RecommendationJobTest {
    /** What each run's sinks received, by run; the MiniCluster runs in this JVM. */
    private static final Map<String, Queue<Object>> RECEIVED = new ConcurrentHashMap<>();
    private static final AvroCodec<InteractionEvent> INTERACTIONS = AvroCodec.of(InteractionEvent.class);
    private static final AvroCodec<ItemEvent> ITEMS = AvroCodec.of(ItemEvent.class);

    @Test
    void everyGoodInteractionIsRankedFromItsUsersHistoryAndEveryBadMessageIsADeadLetter() throws Exception {
        List<RawRecord> interactions = new ArrayList<>();
        long time = 1_700_000_000_000L;
        for (String[] event : new String[][] {{"u1", "a"}, {"u2", "c"}, {"u1", "b"}, {"u2", "d"}, {"u1", "c"}}) {
            interactions.add(raw("interactions", interactions.size(), event[0], INTERACTIONS.encode(
                    InteractionEvent.newBuilder().setUserId(event[0]).setItemId(event[1]).setEventType(EventType.VIEW)
                            .setEventTime(Instant.ofEpochMilli(++time)).build())));
        }
        interactions.add(raw("interactions", interactions.size(), "u3", "not avro".getBytes(StandardCharsets.UTF_8)));
        interactions.add(raw("interactions", interactions.size(), "u3", INTERACTIONS.encode(InteractionEvent
                .newBuilder().setUserId("u3").setItemId("no-such-item").setEventType(EventType.VIEW)
                .setEventTime(Instant.ofEpochMilli(++time)).build())));
        List<RawRecord> items = List.of(raw("items", 0, "textless", ITEMS.encode(ItemEvent.newBuilder()
                .setItemId("textless").setEventTime(Instant.ofEpochMilli(time)).build())));

        Queue<Object> received = run("wiring", interactions, items);

        List<Recommendation> recommendations = received.stream().filter(Recommendation.class::isInstance)
                .map(Recommendation.class::cast).toList();
        Map<String, List<List<String>>> byUser = recommendations.stream().sorted((x, y) ->
                        x.getTriggerEventTime().compareTo(y.getTriggerEventTime()))
                .collect(Collectors.groupingBy(Recommendation::getUserId,
                        Collectors.mapping(r -> r.getItems().stream().map(ScoredItem::getItemId).toList(),
                                Collectors.toList())));
        assertEquals(List.of(List.of("a"), List.of("b", "a"), List.of("c", "b", "a")), byUser.get("u1"),
                "each of u1's interactions ranked from u1's own history (newest first)");
        assertEquals(List.of(List.of("c"), List.of("d", "c")), byUser.get("u2"));
        assertEquals(5, recommendations.size(), "one recommendation per good interaction");
        assertTrue(recommendations.stream().noneMatch(Recommendation::getFallback));

        List<String> reasons = received.stream().filter(DeadLetter.class::isInstance).map(DeadLetter.class::cast)
                .map(DeadLetter::getReason).sorted().toList();
        assertEquals(3, reasons.size(), reasons.toString());
        assertTrue(reasons.get(0).startsWith("item 'textless' has no text"), reasons.get(0));
        assertTrue(reasons.get(1).startsWith("not Avro single-object encoding"), reasons.get(1));
        assertTrue(reasons.get(2).startsWith("unknown item id 'no-such-item'"), reasons.get(2));
        assertEquals(0, SharedOperators.openCount(), "the finished job released its model");
    }

    private static RawRecord raw(String topic, long offset, String key, byte[] value) {
        return new RawRecord(topic, 0, offset, 1_000L, key.getBytes(StandardCharsets.UTF_8), value);
    }

    /** Runs the job over the records until both inputs are consumed; what its two sinks received. */
    private static Queue<Object> run(String name, List<RawRecord> interactions, List<RawRecord> items)
            throws Exception {
        Queue<Object> received = new ConcurrentLinkedQueue<>();
        RECEIVED.put(name, received);
        Configuration conf = new Configuration();
        conf.set(CoreOptions.DEFAULT_PARALLELISM, 2);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        RecommendationJob.build(env, conf, FixedCatalogue.factory("job-test", "a", "b", "c", "d"),
                new RecommendationJob.Sources() {
                    @Override
                    public DataStream<RawRecord> interactions(StreamExecutionEnvironment e) {
                        return e.fromData(TypeInformation.of(RawRecord.class), interactions.toArray(RawRecord[]::new));
                    }

                    @Override
                    public DataStream<RawRecord> items(StreamExecutionEnvironment e) {
                        return e.fromData(TypeInformation.of(RawRecord.class), items.toArray(RawRecord[]::new));
                    }
                },
                new RecommendationJob.Sinks() {
                    @Override
                    public Sink<Recommendation> recommendations() {
                        return new Collecting<>(name);
                    }

                    @Override
                    public Sink<DeadLetter> deadLetters() {
                        return new Collecting<>(name);
                    }
                });
        env.execute(name);
        return received;
    }

    /** A sink that adds what it receives to the run's queue (same JVM). */
    private record Collecting<T>(String run) implements Sink<T> {
        @Override
        public SinkWriter<T> createWriter(WriterInitContext context) {
            Queue<Object> queue = RECEIVED.get(run);
            return new SinkWriter<>() {
                @Override
                public void write(T element, Context context) {
                    queue.add(element);
                }

                @Override
                public void flush(boolean endOfInput) {
                }

                @Override
                public void close() {
                }
            };
        }
    }
}
