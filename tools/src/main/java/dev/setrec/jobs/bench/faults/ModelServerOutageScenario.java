package dev.setrec.jobs.bench.faults;

import dev.setrec.jobs.JobOptions;
import dev.setrec.jobs.bench.faults.TopicLog.Received;
import dev.setrec.jobs.scoring.Operators;
import dev.setrec.schemas.DeadLetter;
import dev.setrec.schemas.InteractionEvent;
import dev.setrec.schemas.ItemEvent;
import dev.setrec.schemas.Recommendation;
import dev.setrec.serve.ServerConfig;
import dev.setrec.text.MiniLmEncoder;
import org.apache.flink.connector.base.DeliveryGuarantee;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static dev.setrec.jobs.bench.faults.Interactions.trigger;

/**
 * Remote scoring while the model server is away: down when the job starts, killed mid-stream, paused mid-stream
 * (a {@link TcpProxy} between job and server stops forwarding without closing anything), each time back after
 * {@link #OUTAGE}. Interactions trickle in throughout. Guarantees: the job never restarts and answers every
 * interaction; while the server is away its answers keep coming, marked fallback, none later than {@link #MAX_LAG}
 * after its interaction (no stall behind timeouts); the model scores again (its version named) once the server is
 * back; the item published while the server was down is onboarded on it when it is back; no dead letters.
 */
public final class ModelServerOutageScenario {
    public static final List<String> FAULTS = List.of("model server down when the job starts",
            "model server killed mid-stream", "model server paused mid-stream (connections open, nothing forwarded)");
    /** About 10 interactions a second, from a few users. */
    private static final Duration PACE = Duration.ofMillis(100);
    private static final int USERS = 5;
    private static final int ITEMS_PER_USER = 8;
    /** How long each outage lasts once it began: several scoring timeouts. */
    private static final Duration OUTAGE = Duration.ofSeconds(8);
    private static final Duration SCORING_TIMEOUT = Duration.ofSeconds(2);
    /**
     * Answers made within this long after an outage began may still carry the server's ranking (an answer that
     * was on its way); later ones cannot, so they must be marked fallback.
     */
    private static final Duration IN_FLIGHT_GRACE = Duration.ofSeconds(1);
    /**
     * The most an interaction may wait for its answer, outages included: a generous guard, well below an outage's
     * length, so that answers held back until the server returns break it.
     */
    private static final Duration MAX_LAG = Duration.ofSeconds(5);
    private static final Duration CATALOGUE_REFRESH = Duration.ofMillis(500);
    private static final int HTTP_OK = 200;
    private static final ItemEvent PUBLISHED_WHILE_DOWN = ItemEvent.newBuilder().setItemId("farm-rain-boots")
            .setTitle("Farm tractor rain boots").setCategories(List.of("Toys & Games", "Farm Animals & Tractors"))
            .setBrand("Barnyard Friends").setEventTime(Instant.now()).build();

    /** When the server was away, on the clock of the recommendations' produced times (this JVM's). */
    private record Outage(String what, long fromMillis, long toMillis) {
    }

    private final ServedModel model;
    private final PrintStream log;

    /** @param log where the model server writes its lines */
    public ModelServerOutageScenario(ServedModel model, PrintStream log) {
        this.model = model;
        this.log = log;
    }

    /**
     * Runs the scenario on a cluster of its own, the job's state in {@code checkpoints}, the server's onboarded items
     * in {@code itemStore}.
     */
    public ScenarioResult run(Path checkpoints, Path itemStore) throws Exception {
        List<String> problems = new ArrayList<>();
        List<Outage> outages = new ArrayList<>();
        // k as a caller would ask: the server caps k, and nothing here needs the whole catalogue
        PipelineJob spec = PipelineJob.named("server-outage", checkpoints, model)
                .with(JobOptions.SCORING_MODE, Operators.REMOTE)
                .with(JobOptions.TOP_K, JobOptions.TOP_K.defaultValue())
                .with(JobOptions.MODEL_SERVER_CATALOGUE_REFRESH, CATALOGUE_REFRESH)
                .with(JobOptions.SCORING_TIMEOUT, SCORING_TIMEOUT)
                .restartAttempts(3);
        try (MiniLmEncoder encoder = new MiniLmEncoder();
             TcpProxy proxy = TcpProxy.start();
             RestartableModelServer server = new RestartableModelServer(model.dir(), ServerConfig.defaults(itemStore),
                     encoder, proxy, log);
             ControlledCluster cluster = ControlledCluster.start(1, 2);
             RunningJob job = cluster.submit(spec.with(JobOptions.MODEL_SERVER_URL, proxy.uri().toString()));
             TopicReader<Recommendation> recommendations = job.recommendations();
             TopicReader<DeadLetter> deadLetters = job.deadLetters()) {
            Trickle trickle = Trickle.start(job, clicks().iterator(), PACE);
            long firstAnswer = -1;
            try (trickle) {
                firstAnswer = recommendations.awaitFirst(rec -> true, "a first answer").getProducedTime()
                        .toEpochMilli();
                injectOutages(server, proxy, job, recommendations, firstAnswer, outages);
                awaitOnServer(proxy.uri(), PUBLISHED_WHILE_DOWN.getItemId());
            } catch (WaitFailedException e) {
                problems.add(e.getMessage());
            }
            Set<Long> sent = new TreeSet<>();
            trickle.sent().forEach(s -> sent.add(s.event().getEventTime().toEpochMilli()));
            try {
                recommendations.awaitUntil(read -> read.stream().map(r -> trigger(r.value())).toList()
                        .containsAll(sent), "an answer to each of " + sent.size() + " interactions");
            } catch (WaitFailedException e) {
                problems.add(e.getMessage());
            }
            int restarts = job.restarts();
            if (restarts != 0) {
                problems.add("the job restarted " + restarts + " times");
            }
            job.ended().ifPresent(problems::add);
            List<DeadLetter> letters = deadLetters.readFor(TopicReader.QUIET).stream().map(Received::value).toList();
            if (!letters.isEmpty()) {
                problems.add(Findings.summary("dead letters", letters.stream().map(DeadLetter::getReason).toList()));
            }
            List<Recommendation> answers = recommendations.values();
            checkAnsweredWithoutTheServer(answers, outages, problems);
            if (firstAnswer >= 0) {
                checkLagBounded(answers, firstAnswer, problems);
            }
            Map<Long, Integer> copies = new HashMap<>();
            answers.forEach(rec -> copies.merge(trigger(rec), 1, Integer::sum));
            Set<Long> lost = new TreeSet<>(sent);
            lost.removeAll(copies.keySet());
            if (!lost.isEmpty()) {
                problems.add(Findings.summary("interactions without an answer (event times)", lost));
            }
            return new ScenarioResult("model server down, killed and paused (remote scoring)",
                    DeliveryGuarantee.AT_LEAST_ONCE, FAULTS, sent.size(), lost.size(),
                    copies.values().stream().mapToInt(n -> n - 1).sum(), restarts, OptionalDouble.empty(), problems);
        }
    }

    /** Down at the start, killed (an item published meanwhile) and started again, paused and resumed. */
    private void injectOutages(RestartableModelServer server, TcpProxy proxy, RunningJob job,
                               TopicReader<Recommendation> recommendations, long firstAnswer, List<Outage> outages)
            throws Exception {
        // down at the start: the proxy forwards nowhere
        recommendations.readFor(OUTAGE);
        server.start();
        outages.add(new Outage("down at the start", firstAnswer, System.currentTimeMillis()));
        awaitScoredAfter(recommendations, outages);

        // killed, an item published meanwhile, started again (on the same durable item store)
        long killed = System.currentTimeMillis();
        server.kill();
        job.publish(PUBLISHED_WHILE_DOWN);
        recommendations.readFor(OUTAGE);
        server.start();
        outages.add(new Outage("killed", killed, System.currentTimeMillis()));
        awaitScoredAfter(recommendations, outages);

        // paused: connections stay open, nothing is forwarded
        long paused = System.currentTimeMillis();
        proxy.pause();
        recommendations.readFor(OUTAGE);
        proxy.resume();
        outages.add(new Outage("paused", paused, System.currentTimeMillis()));
        awaitScoredAfter(recommendations, outages);
    }

    /** Users take turns, each through distinct catalogue items and round again. */
    private List<InteractionEvent> clicks() {
        List<String> catalogue = model.catalogue();
        List<InteractionEvent> clicks = new ArrayList<>();
        for (int round = 0; round < 200; round++) {
            for (int user = 0; user < USERS; user++) {
                String item = catalogue.get((user * (ITEMS_PER_USER + 1) + round % ITEMS_PER_USER) % catalogue.size());
                clicks.add(Interactions.click("outage-user-" + user, item));
            }
        }
        return clicks;
    }

    /** Waits until an interaction sent after the last outage ended is answered by the model again. */
    private void awaitScoredAfter(TopicReader<Recommendation> recommendations, List<Outage> outages)
            throws Exception {
        Outage last = outages.get(outages.size() - 1);
        Recommendation scored = recommendations.awaitFirst(rec -> !rec.getFallback()
                        && rec.getTriggerRecordTime().toEpochMilli() >= last.toMillis(),
                "an interaction sent after the server was back (" + last.what() + ") scored by the model");
        if (!model.version().equals(scored.getModelVersion())) {
            throw new WaitFailedException("after the server was back (" + last.what() + ") the model version "
                    + scored.getModelVersion() + " scored, not the served model's " + model.version());
        }
    }

    /** Waits until the model server has the item (its token set under the serving model): it was onboarded there. */
    private static void awaitOnServer(URI server, String itemId) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(server.resolve("/v1/items/"
                + URLEncoder.encode(itemId, StandardCharsets.UTF_8))).timeout(Duration.ofSeconds(10)).GET().build();
        long deadline = System.nanoTime() + TopicReader.WAIT.toNanos();
        while (status(http, request) != HTTP_OK) {
            if (System.nanoTime() > deadline) {
                throw new WaitFailedException(itemId + ", published while the server was down, not onboarded on it "
                        + "within " + TopicReader.WAIT);
            }
            TimeUnit.MILLISECONDS.sleep(CATALOGUE_REFRESH.toMillis());
        }
    }

    /** The status of the request's answer; -1 where the connection failed (the server is not back yet). */
    private static int status(HttpClient http, HttpRequest request) throws InterruptedException {
        try {
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        }
    }

    /** During each outage (after the grace for answers on their way) answers keep coming, all marked fallback. */
    private static void checkAnsweredWithoutTheServer(List<Recommendation> answers, List<Outage> outages,
                                                      List<String> problems) {
        for (Outage outage : outages) {
            long from = outage.fromMillis() + IN_FLIGHT_GRACE.toMillis();
            List<Recommendation> during = answers.stream().filter(rec -> rec.getProducedTime().toEpochMilli() > from
                    && rec.getProducedTime().toEpochMilli() < outage.toMillis()).toList();
            if (during.isEmpty()) {
                problems.add("no answer while the server was " + outage.what());
            }
            List<String> unmarked = during.stream().filter(rec -> !rec.getFallback())
                    .map(rec -> rec.getUserId() + "@" + trigger(rec)).toList();
            if (!unmarked.isEmpty()) {
                problems.add(Findings.summary("answers not marked fallback while the server was " + outage.what(),
                        unmarked));
            }
        }
    }

    /** Every interaction sent once the job was up got its answer within {@link #MAX_LAG}. */
    private static void checkLagBounded(List<Recommendation> answers, long jobUp, List<String> problems) {
        List<String> late = answers.stream()
                .filter(rec -> rec.getTriggerRecordTime().toEpochMilli() >= jobUp)
                .filter(rec -> lagMillis(rec) > MAX_LAG.toMillis())
                .map(rec -> rec.getUserId() + "@" + trigger(rec) + ": " + lagMillis(rec) + " ms")
                .toList();
        if (!late.isEmpty()) {
            problems.add(Findings.summary("answers later than " + MAX_LAG + " after their interaction", late));
        }
    }

    private static long lagMillis(Recommendation rec) {
        return rec.getProducedTime().toEpochMilli() - rec.getTriggerRecordTime().toEpochMilli();
    }
}
