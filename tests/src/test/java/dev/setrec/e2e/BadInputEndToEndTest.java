package dev.setrec.e2e;

import dev.setrec.e2e.SmallModel.Theme;
import dev.setrec.jobs.JobOptions;
import dev.setrec.jobs.KafkaIo;
import dev.setrec.jobs.LocalFlink;
import dev.setrec.jobs.RecommendationJob;
import dev.setrec.jobs.bench.BadInputCorpus;
import dev.setrec.jobs.bench.BadInputRun;
import dev.setrec.jobs.kafka.EmbeddedKafka;
import dev.setrec.jobs.kafka.Topics;
import dev.setrec.jobs.quickstart.Replayer;
import dev.setrec.jobs.scoring.Operators;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.Producer;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every kind of bad input sent to the running job through a real broker, as an outside producer would, with the
 * real (small) model, in both delivery modes: each kind gets its dead letter or its documented handling, and the job
 * neither fails nor restarts (its restart strategy would allow it to: a restart would show as a failed run here
 * only if it were not counted, so the job runs with restarts off and must still be running at the end).
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class BadInputEndToEndTest {
    @ParameterizedTest
    @EnumSource(value = DeliveryGuarantee.class, names = {"AT_LEAST_ONCE", "EXACTLY_ONCE"})
    void noMessageStopsTheJobAndEachKindGetsItsOutcome(DeliveryGuarantee delivery, @TempDir Path state)
            throws Exception {
        SmallModel model = SmallModel.get();
        String name = "bad-input-" + delivery.name().toLowerCase();
        try (EmbeddedKafka kafka = EmbeddedKafka.start();
             Producer<byte[], byte[]> producer = Replayer.producer(kafka.bootstrapServers())) {
            Configuration options = JobOptions.load(null, Map.of(
                    JobOptions.BOOTSTRAP_SERVERS.key(), kafka.bootstrapServers(),
                    JobOptions.GROUP_ID.key(), name,
                    JobOptions.DEVICE.key(), "cpu",
                    // on two busy cores a first forward pass can take seconds: this test is about input, not time
                    JobOptions.SCORING_TIMEOUT.key(), "30 s"));
            options.set(JobOptions.DELIVERY, delivery);
            Topics.ensure(kafka.bootstrapServers(), List.of(JobOptions.INTERACTIONS_TOPIC, JobOptions.ITEMS_TOPIC,
                    JobOptions.RECOMMENDATIONS_TOPIC, JobOptions.DEAD_LETTERS_TOPIC).stream()
                    .collect(Collectors.toMap(options::get, topic -> 2)), Duration.ofSeconds(60));
            Configuration flink = LocalFlink.configuration(options, state, 2);
            // any restart would be a failure of this test: none is allowed
            flink.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
            StreamExecutionEnvironment env = LocalFlink.environment(flink);
            KafkaIo io = new KafkaIo(options);
            RecommendationJob.build(env, options, Operators.factory(options, model.dir()), io, io);
            JobClient job = env.executeAsync(name);
            try {
                List<BadInputCorpus.Kind> kinds = BadInputCorpus.all(SmallModel.warmItems(Theme.SPACE), name + "-",
                        System.currentTimeMillis() - 3_600_000L);
                List<BadInputRun.Outcome> outcomes = new BadInputRun(producer, kafka.bootstrapServers(),
                        new BadInputRun.Topics(options.get(JobOptions.INTERACTIONS_TOPIC),
                                options.get(JobOptions.ITEMS_TOPIC), options.get(JobOptions.RECOMMENDATIONS_TOPIC),
                                options.get(JobOptions.DEAD_LETTERS_TOPIC)),
                        delivery == DeliveryGuarantee.EXACTLY_ONCE, Duration.ofSeconds(90)).run(kinds);

                List<BadInputRun.Outcome> failed = outcomes.stream().filter(o -> !o.passed()).toList();
                assertTrue(failed.isEmpty(), "kinds without their outcome: " + failed);
                assertEquals(kinds.size(), outcomes.size());
                assertEquals(JobStatus.RUNNING, job.getJobStatus().get(30, TimeUnit.SECONDS), "the job goes on");
            } finally {
                job.cancel().get(60, TimeUnit.SECONDS);
            }
        }
    }
}
