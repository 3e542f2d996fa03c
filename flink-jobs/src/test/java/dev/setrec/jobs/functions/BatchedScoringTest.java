package dev.setrec.jobs.functions;

import dev.setrec.jobs.records.ScoringRequest;
import dev.setrec.jobs.scoring.FixedCatalogue;
import dev.setrec.jobs.scoring.RankingOptions;
import dev.setrec.jobs.scoring.ScriptedModel;
import dev.setrec.jobs.scoring.SetRecOperator;
import dev.setrec.jobs.scoring.SharedOperators;
import dev.setrec.jobs.scoring.TinyModelFolders;
import dev.setrec.schemas.Recommendation;
import dev.setrec.schemas.ScoredItem;
import dev.setrec.testing.TinyModelVersions;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.operators.async.AsyncWaitOperatorFactory;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.tasks.mailbox.Mail;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailbox;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BatchedScoringTest {
    private final List<OneInputStreamOperatorTestHarness<ScoringRequest, Recommendation>> opened = new ArrayList<>();
    private long eventTime;

    private static final SetRecOperator.Factory CATALOGUE = FixedCatalogue.factory("scoring-test", "a", "b", "c", "d");
    /** Flink's async timeout in the tests that do not reach it. */
    private static final long NO_TIMEOUT_MS = 60_000;
    /** Failures in a row that open the circuit breaker. */
    private static final int BREAKER_FAILURES = 3;

    private OneInputStreamOperatorTestHarness<ScoringRequest, Recommendation> scoring(int parallelism, int subtask,
                                                                                        OperatorSubtaskState restored)
            throws Exception {
        return scoring(CATALOGUE, NO_TIMEOUT_MS, parallelism, subtask, restored);
    }

    private OneInputStreamOperatorTestHarness<ScoringRequest, Recommendation> scoring(
            SetRecOperator.Factory model, long timeoutMs, int parallelism, int subtask, OperatorSubtaskState restored)
            throws Exception {
        BatchedScoring function = new BatchedScoring(model, new RankingOptions(3, false, 0), 8, Duration.ofMillis(1),
                16, BREAKER_FAILURES, Duration.ofSeconds(1));
        OneInputStreamOperatorTestHarness<ScoringRequest, Recommendation> harness =
                new OneInputStreamOperatorTestHarness<>(new AsyncWaitOperatorFactory<>(function, timeoutMs, 16,
                        AsyncDataStream.OutputMode.UNORDERED), 8, parallelism, subtask);
        // the async operator reads its input serializer from the task's configuration (a job graph sets it)
        harness.getStreamConfig().setupNetworkInputs(TypeInformation.of(ScoringRequest.class)
                .createSerializer(new SerializerConfigImpl()));
        harness.getStreamConfig().serializeAllConfigs();
        harness.initializeState(restored);
        harness.open();
        opened.add(harness);
        return harness;
    }

    private Recommendation rank(OneInputStreamOperatorTestHarness<ScoringRequest, Recommendation> harness,
                                String... history) throws Exception {
        int before = recommendations(harness).size();
        harness.processElement(new ScoringRequest("u", history, ++eventTime, eventTime), eventTime);
        return awaitAnswer(harness, before);
    }

    /** The recommendation after the first {@code before}, once the operator emitted it (within 10 s). */
    private static Recommendation awaitAnswer(OneInputStreamOperatorTestHarness<ScoringRequest, Recommendation> harness,
                                              int before) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (recommendations(harness).size() == before) {
            assertTrue(System.nanoTime() < deadline, "no recommendation within 10 s");
            Thread.sleep(5);
            runMails(harness.getTaskMailbox()); // an async answer is emitted by a mail to the task's thread
        }
        return recommendations(harness).get(before);
    }

    private static void runMails(TaskMailbox mailbox) throws Exception {
        Optional<Mail> mail;
        while ((mail = mailbox.tryTake(TaskMailbox.MIN_PRIORITY)).isPresent()) {
            mail.get().run();
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Recommendation> recommendations(AbstractStreamOperatorTestHarness<Recommendation> harness) {
        List<Recommendation> out = new ArrayList<>();
        for (Object o : harness.getOutput()) {
            if (o instanceof StreamRecord<?> record) {
                out.add(((StreamRecord<Recommendation>) record).getValue());
            }
        }
        return out;
    }

    private static List<String> items(Recommendation recommendation) {
        return recommendation.getItems().stream().map(ScoredItem::getItemId).toList();
    }

    @Test
    void aHistoryTheModelCannotRankGetsThePopularityFallbackWhoseCountsSurviveARestoreAtAnotherParallelism()
            throws Exception {
        var first = scoring(2, 0, null);
        var second = scoring(2, 1, null);
        Recommendation ranked = rank(first, "a", "b");
        assertFalse(ranked.getFallback());
        assertEquals(List.of("b", "a"), items(ranked), "the model's ranking");
        for (int i = 0; i < 3; i++) {
            rank(first, "c");
            rank(second, "d");
        }
        rank(second, "d");
        Recommendation unranked = rank(second, "nobody-knows-this");
        assertTrue(unranked.getFallback(), "no known item: the fallback answers, marked");
        assertEquals(List.of("d"), items(unranked), "this subtask's most counted");

        OperatorSubtaskState saved = AbstractStreamOperatorTestHarness.repackageState(
                first.snapshot(1, 1), second.snapshot(1, 1));
        closeAll();
        var rescaled = scoring(1, 0, saved);
        Recommendation restored = rank(rescaled, "nobody-knows-this-either");
        assertTrue(restored.getFallback());
        assertEquals("d", items(restored).get(0), "the most counted before the restore still leads");
        assertTrue(items(restored).contains("c"), "both subtasks' counts are merged: " + items(restored));
    }

    @Test
    void aFailingModelIsAnsweredByTheMarkedFallbackAndTheBreakerStopsCallingItUntilItIsBack() throws Exception {
        ScriptedModel.Script script = ScriptedModel.script("failing");
        script.set(ScriptedModel.Behaviour.FAIL);
        var harness = scoring(ScriptedModel.factory("failing", "a", "b"), NO_TIMEOUT_MS, 1, 0, null);
        for (int i = 0; i < 2 * BREAKER_FAILURES; i++) {
            assertTrue(rank(harness, "a").getFallback(), "request " + i + ": the fallback answers, marked");
        }
        assertEquals(BREAKER_FAILURES, script.calls(), "after that many failures in a row the model is not called");

        script.set(ScriptedModel.Behaviour.RANK);
        Recommendation scored = rank(harness, "b");
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (scored.getFallback()) { // the breaker asks whether the model is back once per pause (1 s)
            assertTrue(System.nanoTime() < deadline, "the model did not score again within 10 s");
            Thread.sleep(50);
            scored = rank(harness, "b");
        }
        assertEquals(List.of("b"), items(scored), "the model ranks again");
    }

    @Test
    void aModelsFolderWithoutAModelIsAnsweredByTheMarkedFallbackUntilAVersionIsWrittenIntoIt(@TempDir Path folder)
            throws Exception {
        var harness = scoring(TinyModelFolders.factory(folder, Duration.ofMillis(50)), NO_TIMEOUT_MS, 1, 0, null);
        for (int i = 0; i < 2 * BREAKER_FAILURES; i++) {
            assertTrue(rank(harness, "1").getFallback(), "request " + i + ": no model yet, the fallback answers");
        }
        String version = TinyModelVersions.write(folder, "v1", 1);
        Recommendation scored = rank(harness, "1", "2");
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (scored.getFallback()) { // the folder is looked at every 50 ms, the breaker asks once per pause (1 s)
            assertTrue(System.nanoTime() < deadline, "the written version did not score within 30 s");
            Thread.sleep(50);
            scored = rank(harness, "1", "2");
        }
        assertEquals(version, scored.getModelVersion(), "the version written into the folder ranks, no restart");
        assertEquals(3, items(scored).size());
    }

    @Test
    void aModelThatHangsIsAnsweredByTheFallbackAtTheTimeoutAndItsLateAnswerIsDropped() throws Exception {
        ScriptedModel.Script script = ScriptedModel.script("hanging");
        script.set(ScriptedModel.Behaviour.HANG);
        var harness = scoring(ScriptedModel.factory("hanging", "a", "b"), 200, 1, 0, null);
        harness.processElement(new ScoringRequest("u", new String[] {"a"}, ++eventTime, eventTime), eventTime);
        harness.setProcessingTime(harness.getProcessingTime() + 201); // Flink's async timeout fires
        Recommendation timedOut = awaitAnswer(harness, 0);
        assertTrue(timedOut.getFallback(), "the timeout answers with the fallback, marked");

        script.set(ScriptedModel.Behaviour.RANK);
        script.release(); // the hung call returns its ranking now, after the timeout answered
        Recommendation next = rank(harness, "b");
        assertFalse(next.getFallback());
        assertEquals(List.of("b"), items(next));
        runMails(harness.getTaskMailbox());
        assertEquals(2, recommendations(harness).size(), "one answer per request: the late ranking was dropped");
    }

    /** A model swapped while a batch is ranked: the recommendation names the version that ranked it. */
    @Test
    void aRecommendationNamesTheModelVersionThatRankedItNotOneSwappedInSince() throws Exception {
        ScriptedModel.Script script = ScriptedModel.script("swapped");
        script.version("v1");
        script.set(ScriptedModel.Behaviour.HANG); // ranks, then waits before it answers
        var harness = scoring(ScriptedModel.factory("swapped", "a", "b"), NO_TIMEOUT_MS, 1, 0, null);
        harness.processElement(new ScoringRequest("u", new String[] {"a"}, ++eventTime, eventTime), eventTime);
        script.awaitCalls(1);
        script.version("v2"); // swapped in while v1's ranking is on its way
        script.set(ScriptedModel.Behaviour.RANK);
        script.release();
        Recommendation ranked = awaitAnswer(harness, 0);
        assertFalse(ranked.getFallback());
        assertEquals("v1", ranked.getModelVersion());
        assertEquals("v2", rank(harness, "b").getModelVersion());
    }

    @AfterEach
    void closeAll() throws Exception {
        for (var harness : opened) {
            harness.close();
        }
        opened.clear();
        assertEquals(0, SharedOperators.openCount());
    }
}
