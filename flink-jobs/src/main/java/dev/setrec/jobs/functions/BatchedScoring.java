package dev.setrec.jobs.functions;

import dev.setrec.batch.MicroBatcher;
import dev.setrec.jobs.records.Ranking;
import dev.setrec.jobs.records.ScoringRequest;
import dev.setrec.jobs.scoring.CircuitBreaker;
import dev.setrec.jobs.scoring.PopularityFallback;
import dev.setrec.jobs.scoring.RankingOptions;
import dev.setrec.jobs.scoring.SetRecOperator;
import dev.setrec.jobs.scoring.SharedOperators;
import dev.setrec.schemas.Recommendation;
import dev.setrec.schemas.ScoredItem;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Ranks each request asynchronously: requests are merged into micro-batches (size- and time-bounded) that the model
 * scores in one forward pass. When the model fails, cannot rank the history, its queue is full, its circuit breaker
 * is open or Flink's async timeout fires, the request gets the popularity fallback, marked as such: a recommendation
 * is always produced and nothing waits forever. A request answered by its timeout is taken out of its batch if the
 * batch has not left yet, so that an overloaded model does not spend itself on answers nobody waits for.
 */
public final class BatchedScoring extends RichAsyncFunction<ScoringRequest, Recommendation>
        implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;
    /** Each subtask's most counted items: (subtask that saved it, item, count). */
    private static final ListStateDescriptor<Tuple3<Integer, String, Double>> POPULARITY = new ListStateDescriptor<>(
            "popularity-fallback", Types.TUPLE(Types.INT, Types.STRING, Types.DOUBLE));

    private final SetRecOperator.Factory model;
    private final RankingOptions ranking;
    private final int maxBatch;
    private final Duration maxWait;
    private final int queueCapacity;
    private final int breakerFailures;
    private final Duration breakerPause;
    private transient SetRecOperator operator;
    private transient MicroBatcher<ScoringRequest, Ranking> batcher;
    private transient PopularityFallback fallback;
    private transient ListState<Tuple3<Integer, String, Double>> savedPopularity;
    private transient Map<ScoringRequest, CompletableFuture<Ranking>> waiting;
    private transient Counter fallbacks;
    private transient Histogram latencyMs;

    public BatchedScoring(SetRecOperator.Factory model, RankingOptions ranking, int maxBatch, Duration maxWait,
                          int queueCapacity, int breakerFailures, Duration breakerPause) {
        this.model = model;
        this.ranking = ranking;
        this.maxBatch = maxBatch;
        this.maxWait = maxWait;
        this.queueCapacity = queueCapacity;
        this.breakerFailures = breakerFailures;
        this.breakerPause = breakerPause;
    }

    /**
     * Restores the fallback's counts. The state is a union (every subtask gets every subtask's list, whatever the
     * parallelism): the counts are averaged over the lists, which keeps their order and keeps them from growing
     * with each restore.
     */
    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        fallback = new PopularityFallback(ranking.k());
        savedPopularity = context.getOperatorStateStore().getUnionListState(POPULARITY);
        if (context.isRestored()) {
            Map<String, Double> sums = new HashMap<>();
            Set<Integer> lists = new HashSet<>();
            for (Tuple3<Integer, String, Double> saved : savedPopularity.get()) {
                lists.add(saved.f0);
                sums.merge(saved.f1, saved.f2, Double::sum);
            }
            double n = Math.max(1, lists.size());
            sums.replaceAll((item, sum) -> sum / n);
            fallback.restore(sums);
        }
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        List<Tuple3<Integer, String, Double>> saved = new ArrayList<>();
        for (Map.Entry<String, Double> e : fallback.saved()) {
            saved.add(Tuple3.of(subtask, e.getKey(), e.getValue()));
        }
        savedPopularity.update(saved);
    }

    @Override
    public void open(OpenContext context) throws Exception {
        operator = SharedOperators.acquire(model);
        // one batcher per task manager, like the model: the requests of all its scoring slots share forward passes
        int slots = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
        batcher = SharedOperators.attachment(model, shared -> {
            CircuitBreaker breaker = new CircuitBreaker(breakerFailures, breakerPause);
            return new MicroBatcher<ScoringRequest, Ranking>("setrec-batcher", maxBatch, maxWait,
                    queueCapacity * slots,
                    batch -> breaker.call(() -> rank(shared, batch, ranking), shared::available));
        });
        waiting = new ConcurrentHashMap<>();
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        fallbacks = metrics.counter("fallbacks");
        latencyMs = metrics.histogram("eventToRecommendationMs", new DescriptiveStatisticsHistogram(10_000));
        metrics.gauge("meanBatchSize", batcher::meanBatchSize);
        metrics.gauge("modelVersion", operator::modelVersion);
    }

    private static List<Ranking> rank(SetRecOperator operator, List<ScoringRequest> batch, RankingOptions ranking)
            throws Exception {
        List<String[]> histories = new ArrayList<>(batch.size());
        for (ScoringRequest request : batch) {
            histories.add(request.history);
        }
        return operator.recommend(histories, ranking);
    }

    @Override
    public void asyncInvoke(ScoringRequest request, ResultFuture<Recommendation> result) {
        String item = request.history[request.history.length - 1];
        if (operator.knows(item) || !operator.catalogueLoaded()) { // never fall back to an item the model lacks
            fallback.count(item);
        }
        CompletableFuture<Ranking> ranked = batcher.submit(request);
        waiting.put(request, ranked);
        ranked.whenComplete((ranking, error) -> {
            waiting.remove(request);
            if (ranked.isCancelled()) {
                return; // the timeout answered
            }
            boolean modelAnswered = error == null && !ranking.fallback();
            result.complete(Collections.singletonList(toRecommendation(request, modelAnswered ? ranking
                    : fallbackRanking())));
        });
    }

    @Override
    public void timeout(ScoringRequest request, ResultFuture<Recommendation> result) {
        CompletableFuture<Ranking> ranked = waiting.remove(request);
        if (ranked != null) {
            ranked.cancel(false); // the batcher leaves it out of a batch that has not left yet
        }
        result.complete(Collections.singletonList(toRecommendation(request, fallbackRanking())));
    }

    private Ranking fallbackRanking() {
        fallbacks.inc();
        return fallback.ranking();
    }

    private Recommendation toRecommendation(ScoringRequest request, Ranking ranking) {
        List<ScoredItem> items = new ArrayList<>(ranking.size());
        for (int i = 0; i < ranking.size(); i++) {
            items.add(new ScoredItem(ranking.itemIds()[i], ranking.scores()[i]));
        }
        long now = System.currentTimeMillis();
        latencyMs.update(now - request.triggerRecordTime);
        // the model may have been swapped since it ranked: the version is the ranking's own where it has one
        String version = ranking.modelVersion() != null ? ranking.modelVersion() : operator.modelVersion();
        return Recommendation.newBuilder()
                .setUserId(request.userId)
                .setItems(items)
                .setModelVersion(version)
                .setFallback(ranking.fallback())
                .setTriggerEventTime(Instant.ofEpochMilli(request.triggerEventTime))
                .setTriggerRecordTime(Instant.ofEpochMilli(request.triggerRecordTime))
                .setProducedTime(Instant.ofEpochMilli(now))
                .build();
    }

    @Override
    public void close() throws Exception {
        batcher = null; // shared: closed with the operator by the last subtask to release it
        if (operator != null) {
            operator = null;
            SharedOperators.release(model);
        }
    }
}
