package dev.setrec.e2e;

import dev.setrec.e2e.support.Interactions;
import dev.setrec.e2e.support.PipelineJob;
import dev.setrec.e2e.support.RunningJob;
import dev.setrec.e2e.support.SmallModel;
import dev.setrec.e2e.support.SmallModel.Theme;
import dev.setrec.e2e.support.TcpProxy;
import dev.setrec.e2e.support.TestCluster;
import dev.setrec.e2e.support.TopicReader;
import dev.setrec.e2e.support.TrainedSmallModel;
import dev.setrec.e2e.support.Trickle;
import dev.setrec.jobs.JobOptions;
import dev.setrec.jobs.scoring.Operators;
import dev.setrec.schemas.DeadLetter;
import dev.setrec.schemas.InteractionEvent;
import dev.setrec.schemas.ItemEvent;
import dev.setrec.schemas.Recommendation;
import dev.setrec.serve.ModelServer;
import dev.setrec.serve.ServerConfig;
import dev.setrec.text.MiniLmEncoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static dev.setrec.e2e.support.Interactions.itemIds;
import static dev.setrec.e2e.support.Interactions.trigger;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Remote scoring while the model server is away: down when the job starts, killed mid-stream, paused mid-stream
 * (a proxy between job and server stops forwarding without closing anything), each time back after a while.
 * Interactions trickle in throughout. The job must never restart, answer every interaction, mark the answers it
 * makes without the server as fallback while they keep coming (no stall behind timeouts), score on the model again
 * once the server is back, and onboard there the item published while the server was down.
 */
@ExtendWith(TrainedSmallModel.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ModelServerOutageIT {
    /** About 10 interactions a second, from a few users. */
    private static final Duration PACE = Duration.ofMillis(100);
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
     * length, so that answers held back until the server returns fail it.
     */
    private static final Duration MAX_LAG = Duration.ofSeconds(5);

    /** When the server was away, on the clock of the recommendations' produced times (this JVM's). */
    private record Outage(String what, long fromMillis, long toMillis) {
    }

    /** The model server behind the proxy: started (again) on a port of its own, killed, closed at the end. */
    private static final class RestartableServer implements AutoCloseable {
        private final ServerConfig config;
        private final MiniLmEncoder encoder;
        private final TcpProxy proxy;
        private ModelServer running;

        RestartableServer(ServerConfig config, MiniLmEncoder encoder, TcpProxy proxy) {
            this.config = config;
            this.encoder = encoder;
            this.proxy = proxy;
        }

        /** Starts the server (it loads the model and the onboarded items of its store) and points the proxy at it. */
        void start() throws Exception {
            running = ModelServer.start(SmallModel.get().dir(), config, encoder, System.out);
            proxy.forwardTo(running.port());
        }

        /**
         * Stops the server as a crash would show to its clients: its port closes and every connection with it (the
         * server runs in this JVM, so it is a stop, not a SIGKILL: requests already in it may finish).
         */
        void kill() {
            running.close();
            running = null;
        }

        @Override
        public void close() {
            if (running != null) {
                kill();
            }
        }
    }

    @Test
    void theJobAnswersEveryInteractionWhileTheModelServerIsDownKilledOrPausedAndScoresAgainOnceItIsBack(
            @TempDir Path state, @TempDir Path itemStore) throws Exception {
        ItemEvent publishedWhileDown = ItemEvent.newBuilder().setItemId("farm-rain-boots")
                .setTitle(Theme.FARM.title("rain boots")).setCategories(Theme.FARM.categories())
                .setBrand(Theme.FARM.brand()).setEventTime(Instant.now()).build();
        List<Outage> outages = new ArrayList<>();
        try (MiniLmEncoder encoder = new MiniLmEncoder();
             TcpProxy proxy = TcpProxy.start();
             RestartableServer server = new RestartableServer(ServerConfig.defaults(itemStore).withPort(0), encoder,
                     proxy);
             TestCluster cluster = TestCluster.start(1, 2);
             RunningJob job = cluster.submit(PipelineJob.named("server-outage", state)
                     .with(JobOptions.SCORING_MODE, Operators.REMOTE)
                     .with(JobOptions.MODEL_SERVER_URL, proxy.uri().toString())
                     .with(JobOptions.MODEL_SERVER_CATALOGUE_REFRESH, Duration.ofMillis(500))
                     .with(JobOptions.SCORING_TIMEOUT, SCORING_TIMEOUT)
                     .restartAttempts(3));
             TopicReader<Recommendation> recommendations = job.recommendations("read_uncommitted");
             TopicReader<DeadLetter> deadLetters = job.deadLetters();
             Trickle trickle = Trickle.start(job, clicks(), PACE)) {
            // down at the start: the proxy forwards nowhere
            long firstAnswer = recommendations.awaitFirst(rec -> true, "a first answer").getProducedTime()
                    .toEpochMilli();
            recommendations.readFor(OUTAGE);
            server.start();
            outages.add(new Outage("down at the start", firstAnswer, System.currentTimeMillis()));
            awaitScoredAfter(recommendations, outages);

            // killed, an item published meanwhile, started again (on the same durable item store)
            long killed = System.currentTimeMillis();
            server.kill();
            job.publish(publishedWhileDown);
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
            recommendations.awaitFirst(rec -> !rec.getFallback() && itemIds(rec).contains(
                    publishedWhileDown.getItemId()), "a recommendation by the model listing "
                    + publishedWhileDown.getItemId() + ", published while the server was down");

            trickle.close();
            Set<Long> sent = trickle.sent().stream().map(s -> s.event().getEventTime().toEpochMilli())
                    .collect(Collectors.toSet());
            recommendations.awaitUntil(read -> read.stream().map(r -> trigger(r.value())).toList()
                    .containsAll(sent), "an answer to each of " + sent.size() + " interactions");
            assertEquals(0, job.restarts(), "the job restarted");
            job.assertRunning();
            assertEquals(List.of(), deadLetters.readFor(TopicReader.QUIET), "dead letters");
            List<Recommendation> answers = recommendations.values();
            assertAnsweredWithoutTheServer(answers, outages);
            assertLagBounded(answers, firstAnswer);
        }
    }

    /** Users of every theme take turns, each through the warm items of their theme and round again. */
    private static List<InteractionEvent> clicks() {
        List<InteractionEvent> clicks = new ArrayList<>();
        for (int round = 0; round < 200; round++) {
            for (Theme theme : Theme.values()) {
                List<String> items = SmallModel.warmItems(theme);
                clicks.add(Interactions.click("outage-" + theme.name().toLowerCase(),
                        items.get(round % items.size())));
            }
        }
        return clicks;
    }

    /** Waits until an interaction sent after the last outage ended is answered by the model again. */
    private static void awaitScoredAfter(TopicReader<Recommendation> recommendations, List<Outage> outages)
            throws Exception {
        Outage last = outages.get(outages.size() - 1);
        Recommendation scored = recommendations.awaitFirst(rec -> !rec.getFallback()
                        && rec.getTriggerRecordTime().toEpochMilli() >= last.toMillis(),
                "an interaction sent after the server was back (" + last.what() + ") scored by the model");
        assertEquals(SmallModel.get().version(), scored.getModelVersion(), "the served model's version");
    }

    /** During each outage (after the grace for answers on their way) answers keep coming, all marked fallback. */
    private static void assertAnsweredWithoutTheServer(List<Recommendation> answers, List<Outage> outages) {
        for (Outage outage : outages) {
            long from = outage.fromMillis() + IN_FLIGHT_GRACE.toMillis();
            List<Recommendation> during = answers.stream().filter(rec -> rec.getProducedTime().toEpochMilli() > from
                    && rec.getProducedTime().toEpochMilli() < outage.toMillis()).toList();
            assertFalse(during.isEmpty(), "no answer while the server was " + outage.what());
            List<Recommendation> unmarked = during.stream().filter(rec -> !rec.getFallback()).toList();
            assertEquals(List.of(), unmarked, "answers not marked fallback while the server was " + outage.what());
        }
    }

    /** Every interaction sent once the job was up got its answer within {@link #MAX_LAG}. */
    private static void assertLagBounded(List<Recommendation> answers, long jobUp) {
        List<String> late = answers.stream()
                .filter(rec -> rec.getTriggerRecordTime().toEpochMilli() >= jobUp)
                .filter(rec -> lagMillis(rec) > MAX_LAG.toMillis())
                .map(rec -> rec.getUserId() + "@" + trigger(rec) + ": " + lagMillis(rec) + " ms")
                .toList();
        assertEquals(List.of(), late, "answers later than " + MAX_LAG + " after their interaction");
    }

    private static long lagMillis(Recommendation rec) {
        return rec.getProducedTime().toEpochMilli() - rec.getTriggerRecordTime().toEpochMilli();
    }
}
