package dev.setrec.jobs.pipeline;

import dev.setrec.jobs.JobOptions;
import dev.setrec.jobs.functions.RawRecordDeserializer;
import dev.setrec.jobs.records.RawRecord;
import dev.setrec.schemas.AvroCodec;
import dev.setrec.schemas.DeadLetter;
import dev.setrec.schemas.ModelVersion;
import dev.setrec.schemas.Recommendation;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.TransactionNamingStrategy;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

import java.util.function.Function;

/**
 * The jobs' Kafka sources and sinks, configured from {@link JobOptions}. Each job reads and writes as a consumer group
 * of its own, which also prefixes its transactional ids: the recommendation job's {@link JobOptions#GROUP_ID}, the
 * refresh job's {@link JobOptions#REFRESH_GROUP_ID}.
 */
public final class KafkaIo implements RecommendationJob.Sources, RecommendationJob.Sinks, RefreshJob.Sinks {
    /** The key of the model-versions records where the options name no models folder. */
    static final String DEFAULT_MODELS_KEY = "models";

    private final ReadableConfig options;
    private final String groupId;

    /** The recommendation job's. */
    public KafkaIo(ReadableConfig options) {
        this(options, options.get(JobOptions.GROUP_ID));
    }

    private KafkaIo(ReadableConfig options, String groupId) {
        this.options = options;
        this.groupId = groupId;
    }

    /** The refresh job's: its own consumer group, so that it reads the topics next to the recommendation job. */
    public static KafkaIo forRefreshJob(ReadableConfig options) {
        return new KafkaIo(options, options.get(JobOptions.REFRESH_GROUP_ID));
    }

    @Override
    public DataStream<RawRecord> interactions(StreamExecutionEnvironment env) {
        return source(env, options.get(JobOptions.INTERACTIONS_TOPIC), options.get(JobOptions.MAX_INTERACTION_BYTES));
    }

    @Override
    public DataStream<RawRecord> items(StreamExecutionEnvironment env) {
        return source(env, options.get(JobOptions.ITEMS_TOPIC), options.get(JobOptions.MAX_ITEM_BYTES));
    }

    // the connector (5.0.0) takes only Kafka's OffsetResetStrategy, deprecated since clients 4.0
    @SuppressWarnings("deprecation")
    private DataStream<RawRecord> source(StreamExecutionEnvironment env, String topic, int maxMessageBytes) {
        KafkaSource<RawRecord> source = KafkaSource.<RawRecord>builder()
                .setBootstrapServers(options.get(JobOptions.BOOTSTRAP_SERVERS))
                .setTopics(topic)
                .setGroupId(groupId)
                // first start: from the earliest event, so nothing published before the job is lost; later: committed
                .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setDeserializer(new RawRecordDeserializer(maxMessageBytes,
                        options.get(JobOptions.DEAD_LETTER_PAYLOAD_BYTES)))
                .setProperty("isolation.level", "read_committed")
                .build();
        // timestamps are the Kafka record timestamps; watermarks per partition, idle partitions do not stall them
        WatermarkStrategy<RawRecord> watermarks = WatermarkStrategy
                .<RawRecord>forBoundedOutOfOrderness(options.get(JobOptions.OUT_OF_ORDERNESS))
                .withIdleness(options.get(JobOptions.IDLENESS));
        return env.fromSource(new CloseReadyKafkaSource<>(source, options.get(JobOptions.BOOTSTRAP_SERVERS)),
                watermarks, topic + " source").uid(topic + "-source");
    }

    @Override
    public Sink<Recommendation> recommendations() {
        return sink(options.get(JobOptions.RECOMMENDATIONS_TOPIC), AvroCodec.of(Recommendation.class),
                Recommendation::getUserId);
    }

    @Override
    public Sink<DeadLetter> deadLetters() {
        return sink(options.get(JobOptions.DEAD_LETTERS_TOPIC), AvroCodec.of(DeadLetter.class),
                letter -> letter.getSourceTopic() + "-" + letter.getSourcePartition());
    }

    /** Keyed by the models folder the versions are in. */
    @Override
    public Sink<ModelVersion> modelVersions() {
        String folder = options.getOptional(JobOptions.MODEL_DIR).orElse(DEFAULT_MODELS_KEY);
        return sink(options.get(JobOptions.MODEL_VERSIONS_TOPIC), AvroCodec.of(ModelVersion.class),
                version -> folder);
    }

    private <T extends SpecificRecord> Sink<T> sink(String topic, AvroCodec<T> codec, SerializableKey<T> key) {
        DeliveryGuarantee delivery = options.get(JobOptions.DELIVERY);
        var builder = KafkaSink.<T>builder()
                .setBootstrapServers(options.get(JobOptions.BOOTSTRAP_SERVERS))
                .setRecordSerializer(new BoundedRecords<>(topic, codec, key,
                        options.get(JobOptions.DEAD_LETTERS_TOPIC), options.get(JobOptions.MAX_OUTPUT_BYTES),
                        options.get(JobOptions.DEAD_LETTER_PAYLOAD_BYTES)))
                .setDeliveryGuarantee(delivery)
                .setProperty("transaction.timeout.ms",
                        Long.toString(options.get(JobOptions.TRANSACTION_TIMEOUT).toMillis()));
        if (delivery == DeliveryGuarantee.EXACTLY_ONCE) {
            // POOLING reuses a few transactional ids per subtask and, on a restore, aborts the job's open
            // transactions it finds by listing them: a re-commit of a transaction that was committed before the
            // stop or failure is then expected (a warning), where INCREMENTING logs it as an ERROR "data loss"
            builder.setTransactionalIdPrefix(groupId + "-" + topic)
                    .setTransactionNamingStrategy(TransactionNamingStrategy.POOLING);
        }
        return new AdminClosingKafkaSink<>(builder.build());
    }

    /** A key extractor that Flink can ship with the job graph. */
    @FunctionalInterface
    interface SerializableKey<T> extends Function<T, String>, java.io.Serializable {
    }
}
