package dev.setrec.jobs.functions;

import dev.setrec.jobs.records.Interaction;
import dev.setrec.jobs.records.ItemRecord;
import dev.setrec.jobs.records.ScoringRequest;
import dev.setrec.jobs.scoring.SetRecOperator;
import dev.setrec.jobs.scoring.SharedOperators;
import dev.setrec.schemas.ItemEvent;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.BasicArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Keeps each user's last N items in keyed state (RocksDB in production) and asks for a ranking after every
 * interaction. The items stream is broadcast here: every parallel instance onboards a new item into its task
 * manager's model, and the broadcast state remembers onboarded items so that a restored job (whose model is fresh
 * from its directory: after a failover, on another task manager, after an upgrade) onboards them again when it
 * opens, and ranks them from its first recommendation on.
 */
public final class UserHistory extends KeyedBroadcastProcessFunction<String, Interaction, ItemRecord, ScoringRequest>
        implements CheckpointedFunction {
    private static final Logger LOG = LoggerFactory.getLogger(UserHistory.class);
    private static final long serialVersionUID = 1L;

    /** Items onboarded from the items topic, by id. */
    public static final MapStateDescriptor<String, ItemEvent> ONBOARDED =
            new MapStateDescriptor<>("onboarded-items", Types.STRING, new AvroTypeInfo<>(ItemEvent.class));

    private final SetRecOperator.Factory model;
    private final int maxLength;
    private final Duration ttl;
    private transient ValueState<String[]> history;
    private transient SetRecOperator operator;
    private transient Counter deadLetters;
    private transient Counter itemsOnboarded;
    /** The onboarded items of the state this instance was restored from, for {@link #open}. */
    private transient List<ItemEvent> restoredItems;

    /**
     * @param ttl a user's history is dropped after this long without an interaction (processing time)
     */
    public UserHistory(SetRecOperator.Factory model, int maxLength, Duration ttl) {
        if (maxLength < 1) {
            throw new IllegalArgumentException("history length must be positive");
        }
        this.model = model;
        this.maxLength = maxLength;
        this.ttl = ttl;
    }

    /** Reads the remembered items before {@link #open}: the broadcast state is restored by then, the model not yet. */
    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        restoredItems = new ArrayList<>();
        for (Map.Entry<String, ItemEvent> item : context.getOperatorStateStore().getBroadcastState(ONBOARDED)
                .entries()) {
            restoredItems.add(item.getValue());
        }
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) {
        // the broadcast state is Flink's to snapshot
    }

    @Override
    public void open(OpenContext context) throws Exception {
        ValueStateDescriptor<String[]> descriptor =
                new ValueStateDescriptor<>("history", BasicArrayTypeInfo.STRING_ARRAY_TYPE_INFO);
        descriptor.enableTimeToLive(StateTtlConfig.newBuilder(ttl)
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .build());
        history = getRuntimeContext().getState(descriptor);
        operator = SharedOperators.acquire(model);
        deadLetters = getRuntimeContext().getMetricGroup().counter("deadLetters");
        itemsOnboarded = getRuntimeContext().getMetricGroup().counter("itemsOnboarded");
        for (ItemEvent item : restoredItems) {
            if (!operator.knows(item.getItemId())) {
                reonboard(item);
            }
        }
        restoredItems = null;
    }

    @Override
    public void processElement(Interaction event, ReadOnlyContext ctx, Collector<ScoringRequest> out)
            throws Exception {
        if (!operator.knows(event.itemId) && !onboardRemembered(event.itemId, ctx.getBroadcastState(ONBOARDED))) {
            deadLetters.inc();
            ctx.output(DeadLetters.TAG, DeadLetters.of(event.source, "unknown item id '" + event.itemId
                    + "': not in the model and not onboarded on the items topic"));
            return;
        }
        String[] items = append(history.value(), event.itemId, maxLength);
        history.update(items);
        out.collect(new ScoringRequest(event.userId, items, event.eventTime, event.recordTime));
    }

    /**
     * Whether the item was onboarded before (a restart or a new task manager lost it from the model): then it is
     * onboarded again. A failure to do so does not stop the event: the item is known to the job, and a model server
     * keeps onboarded items durably, so the event goes on to scoring (whose failure has its own fallback).
     */
    private boolean onboardRemembered(String itemId, ReadOnlyBroadcastState<String, ItemEvent> onboarded)
            throws Exception {
        ItemEvent remembered = onboarded.get(itemId);
        if (remembered == null) {
            return false;
        }
        reonboard(remembered);
        return true;
    }

    private void reonboard(ItemEvent item) {
        try {
            operator.addItem(item);
        } catch (Exception e) {
            LOG.warn("re-onboarding item {} failed; scoring it anyway: {}", item.getItemId(), e.toString());
        }
    }

    /** A new array (state values must not be mutated in place): the old items, then the new one, last N kept. */
    static String[] append(String[] old, String item, int maxLength) {
        int keep = old == null ? 0 : Math.min(old.length, maxLength - 1);
        String[] items = new String[keep + 1];
        if (keep > 0) {
            System.arraycopy(old, old.length - keep, items, 0, keep);
        }
        items[keep] = item;
        return items;
    }

    @Override
    public void processBroadcastElement(ItemRecord record, Context ctx, Collector<ScoringRequest> out) {
        try {
            operator.addItem(record.item);
            ctx.getBroadcastState(ONBOARDED).put(record.item.getItemId(), record.item);
            itemsOnboarded.inc();
        } catch (Exception e) {
            deadLetters.inc();
            if (getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() != 0) {
                return; // every instance sees the item: one dead letter is enough
            }
            ctx.output(DeadLetters.TAG, DeadLetters.of(record.source, "item " + record.item.getItemId()
                    + " could not be tokenized: " + e));
        }
    }

    @Override
    public void close() throws Exception {
        if (operator != null) {
            operator = null;
            SharedOperators.release(model);
        }
    }
}
