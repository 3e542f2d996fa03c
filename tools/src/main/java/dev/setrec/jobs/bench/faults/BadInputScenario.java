package dev.setrec.jobs.bench.faults;

import dev.setrec.jobs.JobOptions;
import dev.setrec.jobs.quickstart.Replayer;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.kafka.clients.producer.Producer;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Every kind of {@link BadInputCorpus} sent to the running job through the broker, as an outside producer would
 * ({@link BadInputRun}). Guarantees: each kind gets its dead letter or its documented handling, and the job neither
 * fails nor restarts, though its restart strategy would let it.
 */
public final class BadInputScenario {
    /** Catalogue items the corpus's valid interactions click. */
    private static final int KNOWN_ITEMS = 8;
    private static final int RESTART_ATTEMPTS = 3;
    /** How long each phase of the run may take before what is missing counts as failed. */
    private static final Duration PHASE_WAIT = Duration.ofSeconds(90);
    /** The corpus's event times start this far back, clear of the scenarios' interactions (which count from now). */
    private static final long EVENT_TIMES_BACK_MILLIS = 3_600_000L;

    /** What became of each kind in one delivery mode, and the guarantees that did not hold. */
    public record Result(DeliveryGuarantee delivery, List<BadInputRun.Outcome> outcomes, int restarts,
                         List<String> problems) {
        public Result {
            outcomes = List.copyOf(outcomes);
            problems = List.copyOf(problems);
        }

        /** The kinds that got their expected outcome. */
        public List<String> passedKinds() {
            return outcomes.stream().filter(BadInputRun.Outcome::passed).map(BadInputRun.Outcome::kind).toList();
        }
    }

    private final ServedModel model;

    public BadInputScenario(ServedModel model) {
        this.model = model;
    }

    /** Runs the corpus against a job delivering with {@code delivery}, on a cluster of its own. */
    public Result run(DeliveryGuarantee delivery, Path checkpoints) throws Exception {
        String name = "bad-input-" + delivery.name().toLowerCase(Locale.ROOT).replace('_', '-');
        PipelineJob spec = PipelineJob.named(name, checkpoints, model).delivery(delivery)
                .restartAttempts(RESTART_ATTEMPTS);
        Broker broker = Broker.shared();
        try (ControlledCluster cluster = ControlledCluster.start(1, 2);
             RunningJob job = cluster.submit(spec);
             Producer<byte[], byte[]> producer = Replayer.producer(broker.bootstrapServers())) {
            List<BadInputCorpus.Kind> kinds = BadInputCorpus.all(model.catalogue().subList(0, KNOWN_ITEMS), name + "-",
                    System.currentTimeMillis() - EVENT_TIMES_BACK_MILLIS);
            List<BadInputRun.Outcome> outcomes = new BadInputRun(producer, broker.bootstrapServers(),
                    new BadInputRun.Topics(spec.topic(JobOptions.INTERACTIONS_TOPIC),
                            spec.topic(JobOptions.ITEMS_TOPIC), spec.topic(JobOptions.RECOMMENDATIONS_TOPIC),
                            spec.topic(JobOptions.DEAD_LETTERS_TOPIC)),
                    spec.exactlyOnce(), PHASE_WAIT).run(kinds);
            List<String> problems = new ArrayList<>();
            List<BadInputRun.Outcome> failed = outcomes.stream().filter(o -> !o.passed()).toList();
            if (!failed.isEmpty()) {
                problems.add(Findings.summary("kinds without their expected outcome", failed));
            }
            job.ended().ifPresent(problems::add);
            int restarts = job.restarts();
            if (restarts != 0) {
                problems.add("bad input made the job restart " + restarts + " times");
            }
            return new Result(delivery, outcomes, restarts, problems);
        }
    }
}
