package dev.setrec.jobs.functions;

import dev.setrec.jobs.records.Ranking;
import dev.setrec.jobs.records.ScoringRequest;
import dev.setrec.batch.MicroBatcher;
import dev.setrec.jobs.scoring.PopularityFallback;
import dev.setrec.jobs.scoring.RankingOptions;
import dev.setrec.jobs.scoring.SetRecOperator;
import dev.setrec.jobs.scoring.SharedOperators;
import dev.setrec.schemas.Recommendation;
import dev.setrec.schemas.ScoredItem;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Ranks each request asynchronously: requests are merged into micro-batches (size- and time-bounded) that the model
 * scores in one forward pass. When the model fails, its queue is full, or Flink's async timeout fires, the request
 * gets the popularity fallback, marked as such: a recommendation is always produced and nothing waits forever.
 */
public final class BatchedScoring extends RichAsyncFunction<ScoringRequest, Recommendation> {
    private static final long serialVersionUID = 1L;

    private final SetRecOperator.Factory model;
    private final RankingOptions ranking;
    private final int maxBatch;
    private final Duration maxWait;
    private final int queueCapacity;
    private transient SetRecOperator operator;
    private transient MicroBatcher<ScoringRequest, Ranking> batcher;
    private transient PopularityFallback fallback;
    private transient Counter fallbacks;
    private transient Histogram latencyMs;

    public BatchedScoring(SetRecOperator.Factory model, RankingOptions ranking, int maxBatch, Duration maxWait,
                          int queueCapacity) {
        this.model = model;
        this.ranking = ranking;
        this.maxBatch = maxBatch;
        this.maxWait = maxWait;
        this.queueCapacity = queueCapacity;
    }

    @Override
    public void open(OpenContext context) throws Exception {
        operator = SharedOperators.acquire(model);
        // one batcher per task manager, like the model: the requests of all its scoring slots share forward passes
        int slots = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
        batcher = SharedOperators.attachment(model, shared -> new MicroBatcher<ScoringRequest, Ranking>(
                "setrec-batcher", maxBatch, maxWait, queueCapacity * slots,
                batch -> rank(shared, batch, ranking)));
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        fallbacks = metrics.counter("fallbacks");
        latencyMs = metrics.histogram("eventToRecommendationMs", new DescriptiveStatisticsHistogram(10_000));
        metrics.gauge("meanBatchSize", batcher::meanBatchSize);
        metrics.gauge("modelVersion", operator::modelVersion);
        fallback = new PopularityFallback(ranking.k());
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
        fallback.count(request.history[request.history.length - 1]);
        batcher.submit(request).whenComplete((ranking, error) -> {
            if (error != null) {
                fallbacks.inc();
                ranking = fallback.ranking();
            }
            result.complete(Collections.singletonList(toRecommendation(request, ranking)));
        });
    }

    @Override
    public void timeout(ScoringRequest request, ResultFuture<Recommendation> result) {
        fallbacks.inc();
        result.complete(Collections.singletonList(toRecommendation(request, fallback.ranking())));
    }

    private Recommendation toRecommendation(ScoringRequest request, Ranking ranking) {
        List<ScoredItem> items = new ArrayList<>(ranking.size());
        for (int i = 0; i < ranking.size(); i++) {
            items.add(new ScoredItem(ranking.itemIds()[i], ranking.scores()[i]));
        }
        long now = System.currentTimeMillis();
        latencyMs.update(now - request.triggerRecordTime);
        return Recommendation.newBuilder()
                .setUserId(request.userId)
                .setItems(items)
                .setModelVersion(operator.modelVersion())
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
