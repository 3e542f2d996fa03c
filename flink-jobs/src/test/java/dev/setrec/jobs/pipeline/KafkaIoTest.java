package dev.setrec.jobs.pipeline;

import dev.setrec.jobs.JobOptions;
import dev.setrec.schemas.AvroCodec;
import dev.setrec.schemas.Recommendation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** The job's Kafka sinks as KafkaIo builds them from the options. */
class KafkaIoTest {

    @Test
    void exactlyOnceSinksBuildWithPooledTransactionalIds() {
        Configuration options = new Configuration();
        options.set(JobOptions.DELIVERY, DeliveryGuarantee.EXACTLY_ONCE);
        KafkaIo kafka = new KafkaIo(options);

        // POOLING refuses a record serializer that does not name the topics it writes
        assertInstanceOf(AdminClosingKafkaSink.class, kafka.recommendations());
        assertInstanceOf(AdminClosingKafkaSink.class, kafka.deadLetters());
    }

    @Test
    void aSinksRecordsNameBothTopicsTheyMayGoTo() {
        BoundedRecords<Recommendation> records = new BoundedRecords<>("recs", AvroCodec.of(Recommendation.class),
                Recommendation::getUserId, "letters", 1 << 20, 1024);

        // where POOLING looks for the sink's open transactions on a restore
        assertEquals(List.of("recs", "letters"),
                records.getKafkaDatasetFacet().orElseThrow().getTopicIdentifier().getTopics());
    }
}
