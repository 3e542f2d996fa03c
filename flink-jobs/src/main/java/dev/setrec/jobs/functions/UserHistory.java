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
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * Keeps each user's last N items in keyed state (RocksDB in production) and asks for a ranking after every
 * interaction. The items stream is broadcast here: every parallel instance onboards a new item into its task
 * manager's model, and the broadcast state remembers onboarded items so that a restarted job (whose model is fresh
 * from its directory) onboards them again the first time one is needed.
 */
public final class UserHistory extends KeyedBroadcastProcessFunction<String, Interaction, ItemRecord, ScoringRequest> {
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
        try {
            operator.addItem(remembered);
        } catch (Exception e) {
            LOG.warn("re-onboarding item {} failed; scoring it anyway: {}", itemId, e.toString());
        }
        return true;
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
