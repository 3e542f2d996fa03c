package dev.setrec.e2e;

import dev.setrec.e2e.support.Broker;
import dev.setrec.e2e.support.PipelineJob;
import dev.setrec.e2e.support.RunningJob;
import dev.setrec.e2e.support.SmallModel;
import dev.setrec.e2e.support.SmallModel.Theme;
import dev.setrec.e2e.support.TestCluster;
import dev.setrec.e2e.support.TrainedSmallModel;
import dev.setrec.jobs.JobOptions;
import dev.setrec.jobs.bench.BadInputCorpus;
import dev.setrec.jobs.bench.BadInputRun;
import dev.setrec.jobs.quickstart.Replayer;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.kafka.clients.producer.Producer;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every kind of bad input sent to the running job through a real broker, as an outside producer would, with the
 * real (small) model, in both delivery modes: each kind gets its dead letter or its documented handling, and the job
 * neither fails nor restarts, though its restart strategy would let it.
 */
@ExtendWith(TrainedSmallModel.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class BadInputEndToEndTest {
    @ParameterizedTest
    @EnumSource(value = DeliveryGuarantee.class, names = {"AT_LEAST_ONCE", "EXACTLY_ONCE"})
    void noMessageStopsTheJobAndEachKindGetsItsOutcome(DeliveryGuarantee delivery, @TempDir Path state)
            throws Exception {
        String name = "bad-input-" + delivery.name().toLowerCase();
        PipelineJob spec = PipelineJob.named(name, state).delivery(delivery).restartAttempts(3);
        Broker broker = Broker.shared();
        try (TestCluster cluster = TestCluster.start(1, 2);
             RunningJob job = cluster.submit(spec);
             Producer<byte[], byte[]> producer = Replayer.producer(broker.bootstrapServers())) {
            List<BadInputCorpus.Kind> kinds = BadInputCorpus.all(SmallModel.warmItems(Theme.SPACE), name + "-",
                    System.currentTimeMillis() - 3_600_000L);
            List<BadInputRun.Outcome> outcomes = new BadInputRun(producer, broker.bootstrapServers(),
                    new BadInputRun.Topics(spec.topic(JobOptions.INTERACTIONS_TOPIC), spec.topic(JobOptions.ITEMS_TOPIC),
                            spec.topic(JobOptions.RECOMMENDATIONS_TOPIC), spec.topic(JobOptions.DEAD_LETTERS_TOPIC)),
                    delivery == DeliveryGuarantee.EXACTLY_ONCE, Duration.ofSeconds(90)).run(kinds);

            assertEquals(kinds.size(), outcomes.size());
            assertTrue(outcomes.stream().allMatch(BadInputRun.Outcome::passed), "kinds without their outcome: "
                    + outcomes.stream().filter(o -> !o.passed()).toList());
            assertEquals(JobStatus.RUNNING, job.status(), "the job goes on");
            assertEquals(0, job.restarts(), "no message made the job restart");
        }
    }
}
