package dev.setrec.jobs.pipeline;

import dev.setrec.jobs.JobOptions;
import dev.setrec.jobs.functions.RefreshWindow;
import dev.setrec.jobs.functions.Refresher;
import dev.setrec.jobs.records.WindowEvent;
import dev.setrec.schemas.DeadLetter;
import dev.setrec.schemas.ItemEvent;
import dev.setrec.schemas.ModelVersion;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The refresh job, wiring only: interactions and items -> parse (bad -> dead letters), as the recommendation job
 * reads them -> one {@link RefreshWindow} (parallelism 1), which refreshes the model every
 * {@link JobOptions#REFRESH_INTERVAL} -> each outcome on the model-versions topic. The refresh itself is the injected
 * {@link Refresher}; sources and sinks are injected as in {@link RecommendationJob} ({@link KafkaIo#forRefreshJob}).
 */
public final class RefreshJob {
    /** Where results go. */
    public interface Sinks {
        Sink<ModelVersion> modelVersions();

        Sink<DeadLetter> deadLetters();
    }

    private RefreshJob() {
    }

    public static void build(StreamExecutionEnvironment env, ReadableConfig options, Refresher refresher,
                             RecommendationJob.Sources sources, Sinks sinks) {
        ParsedInputs inputs = ParsedInputs.read(env, options, sources);
        // only what the window keeps crosses the network to its one subtask, not the records' Kafka origins
        DataStream<WindowEvent> events = inputs.interactions().map(WindowEvent::of)
                .returns(TypeInformation.of(WindowEvent.class)).name("window events").uid("window-events");
        DataStream<ItemEvent> items = inputs.items().map(record -> record.item)
                .returns(new AvroTypeInfo<>(ItemEvent.class)).name("window items").uid("window-items");

        DataStream<ModelVersion> versions = events.connect(items)
                .keyBy(event -> RefreshWindow.KEY, item -> RefreshWindow.KEY)
                .process(new RefreshWindow(refresher, options.get(JobOptions.REFRESH_INTERVAL),
                        options.get(JobOptions.REFRESH_WINDOW_EVENTS), options.get(JobOptions.REFRESH_MIN_EVENTS),
                        options.get(JobOptions.MAX_ONBOARDED_ITEMS)))
                .returns(new AvroTypeInfo<>(ModelVersion.class))
                .setParallelism(1).name("refresh window").uid("refresh-window");
        versions.sinkTo(sinks.modelVersions()).setParallelism(1).name("model-versions sink").uid("model-versions-sink");

        inputs.deadLetters().sinkTo(sinks.deadLetters()).name("dead-letters sink").uid("dead-letters-sink");
    }
}
