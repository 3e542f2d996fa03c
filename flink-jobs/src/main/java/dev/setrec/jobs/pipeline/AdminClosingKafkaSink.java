package dev.setrec.jobs.pipeline;

import dev.setrec.jobs.functions.SharedThreadLoaders;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.kafka.sink.KafkaCommittable;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.KafkaWriterState;
import org.apache.flink.connector.kafka.sink.TwoPhaseCommittingStatefulSink;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.SupportsPostCommitTopology;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.lineage.LineageVertex;
import org.apache.flink.streaming.api.lineage.LineageVertexProvider;

import java.io.IOException;
import java.util.Collection;

/**
 * The connector's Kafka sink, with its writers' admin clients closed. The exactly-once writer of
 * flink-connector-kafka 5.0 opens an admin client to list open transactions (POOLING transaction names, on a
 * restore) and never closes it: the client's thread outlives the job and holds the job's class loader, so that a
 * task manager keeps every ended job's classes until its metaspace runs out. Everything else is the connector's:
 * the same writer state, committables and committer.
 */
final class AdminClosingKafkaSink<T> implements TwoPhaseCommittingStatefulSink<T, KafkaWriterState, KafkaCommittable>,
        SupportsPostCommitTopology<KafkaCommittable>, LineageVertexProvider {
    private static final long serialVersionUID = 1L;

    private final KafkaSink<T> sink;

    AdminClosingKafkaSink(KafkaSink<T> sink) {
        this.sink = sink;
    }

    @Override
    public PrecommittingStatefulSinkWriter<T, KafkaWriterState, KafkaCommittable> createWriter(
            WriterInitContext context) throws IOException {
        SharedThreadLoaders.releaseOnJobEnd(context.getUserCodeClassLoader());
        return new AdminClosingWriter<>(sink.createWriter(context));
    }

    @Override
    public PrecommittingStatefulSinkWriter<T, KafkaWriterState, KafkaCommittable> restoreWriter(
            WriterInitContext context, Collection<KafkaWriterState> states) throws IOException {
        SharedThreadLoaders.releaseOnJobEnd(context.getUserCodeClassLoader());
        return new AdminClosingWriter<>(sink.restoreWriter(context, states));
    }

    @Override
    public SimpleVersionedSerializer<KafkaWriterState> getWriterStateSerializer() {
        return sink.getWriterStateSerializer();
    }

    @Override
    public Committer<KafkaCommittable> createCommitter(CommitterInitContext context) {
        return sink.createCommitter(context);
    }

    @Override
    public SimpleVersionedSerializer<KafkaCommittable> getCommittableSerializer() {
        return sink.getCommittableSerializer();
    }

    @Override
    public void addPostCommitTopology(DataStream<CommittableMessage<KafkaCommittable>> committables) {
        sink.addPostCommitTopology(committables);
    }

    @Override
    public LineageVertex getLineageVertex() {
        return sink.getLineageVertex();
    }
}
