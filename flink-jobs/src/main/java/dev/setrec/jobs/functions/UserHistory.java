package dev.setrec.jobs.functions;

import dev.setrec.jobs.records.Interaction;
import dev.setrec.jobs.records.ItemRecord;
import dev.setrec.jobs.records.ScoringRequest;
import dev.setrec.jobs.scoring.SetRecOperator;
import dev.setrec.jobs.scoring.SharedOperators;
import dev.setrec.schemas.ItemEvent;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
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
import java.util.Objects;

/**
 * Keeps each user's last N items in keyed state (RocksDB in production) and asks for a ranking after every
 * interaction. The items stream is broadcast here: every parallel instance onboards a new item into its task
 * manager's model, and the broadcast state keeps the onboarded items (at most {@code maxOnboarded}), so that a
 * restored job's tasks put them back into their fresh models when they open: rankable at once, before anyone
 * interacts with them.
 *
 * <p>A repeat of an interaction (the same item and event time as the user's last one: a producer's retry) is
 * answered but not added to the history again.
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
    private final int maxOnboarded;
    private final int deadLetterPayloadBytes;
    private transient ValueState<String[]> history;
    private transient ValueState<Long> lastEventTime;
    private transient SetRecOperator operator;
    /** Restored onboarded items, put into the model when the task opens. */
    private transient List<ItemEvent> restored;
    private transient int onboardedCount;
    private transient Counter deadLetters;
    private transient Counter itemsOnboarded;
    private transient Counter itemsUpdated;
    private transient Counter repeats;

    /**
     * @param ttl                    a user's history is dropped after this long without an interaction (processing
     *                               time)
     * @param maxOnboarded           items from the items topic kept at most; beyond, new ones are dead letters
     * @param deadLetterPayloadBytes bytes of a message that its dead letter keeps
     */
    public UserHistory(SetRecOperator.Factory model, int maxLength, Duration ttl, int maxOnboarded,
                       int deadLetterPayloadBytes) {
        if (maxLength < 1 || maxOnboarded < 0) {
            throw new IllegalArgumentException("history length must be positive, onboarded items not negative");
        }
        this.model = model;
        this.maxLength = maxLength;
        this.ttl = ttl;
        this.maxOnboarded = maxOnboarded;
        this.deadLetterPayloadBytes = deadLetterPayloadBytes;
    }

    /** Reads the onboarded items of a restored job (broadcast state is operator state: readable before open). */
    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        restored = new ArrayList<>();
        for (Map.Entry<String, ItemEvent> item : context.getOperatorStateStore().getBroadcastState(ONBOARDED)
                .entries()) {
            restored.add(item.getValue());
        }
        onboardedCount = restored.size();
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) {
        // the broadcast state is the whole of it, and Flink snapshots that itself
    }

    @Override
    public void open(OpenContext context) throws Exception {
        SharedThreadLoaders.releaseOnJobEnd(getRuntimeContext());
        StateTtlConfig expiry = StateTtlConfig.newBuilder(ttl)
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .build();
        ValueStateDescriptor<String[]> items =
                new ValueStateDescriptor<>("history", BasicArrayTypeInfo.STRING_ARRAY_TYPE_INFO);
        items.enableTimeToLive(expiry);
        history = getRuntimeContext().getState(items);
        ValueStateDescriptor<Long> last = new ValueStateDescriptor<>("last-event-time", Types.LONG);
        last.enableTimeToLive(expiry);
        lastEventTime = getRuntimeContext().getState(last);
        deadLetters = getRuntimeContext().getMetricGroup().counter("deadLetters");
        itemsOnboarded = getRuntimeContext().getMetricGroup().counter("itemsOnboarded");
        itemsUpdated = getRuntimeContext().getMetricGroup().counter("itemsUpdated");
        repeats = getRuntimeContext().getMetricGroup().counter("repeatedInteractions");
        getRuntimeContext().getMetricGroup().gauge("onboardedItems", () -> onboardedCount);
        operator = SharedOperators.acquire(model);
        if (!restored.isEmpty()) {
            operator.addItems(restored); // one model update; items the model knows with the same text cost nothing
            LOG.info("{} onboarded items restored into the model", restored.size());
        }
        restored = null;
    }

    @Override
    public void processElement(Interaction event, ReadOnlyContext ctx, Collector<ScoringRequest> out)
            throws Exception {
        if (!operator.knows(event.itemId) && operator.catalogueLoaded()) {
            deadLetters.inc();
            ctx.output(DeadLetters.TAG, DeadLetters.of(event.source, "unknown item id " + Fields.shown(event.itemId)
                    + ": not in the model and not onboarded on the items topic", deadLetterPayloadBytes));
            return;
        }
        String[] old = history.value();
        Long last = lastEventTime.value();
        String[] items;
        if (old != null && last != null && last == event.eventTime && old[old.length - 1].equals(event.itemId)) {
            repeats.inc();
            items = old;
        } else {
            items = append(old, event.itemId, maxLength);
            history.update(items);
            lastEventTime.update(event.eventTime);
        }
        out.collect(new ScoringRequest(event.userId, items, event.eventTime, event.recordTime));
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

    /**
     * Onboards a new item, or an item published again with new text (re-tokenized); a repeat with the same text
     * changes nothing. Every instance sees every item, so only the first instance writes a dead letter for it.
     */
    @Override
    public void processBroadcastElement(ItemRecord record, Context ctx, Collector<ScoringRequest> out)
            throws Exception {
        ItemEvent item = record.item;
        BroadcastState<String, ItemEvent> onboarded = ctx.getBroadcastState(ONBOARDED);
        ItemEvent known = onboarded.get(item.getItemId());
        if (known != null && sameText(known, item)) {
            return;
        }
        String refused = null;
        if (known == null && onboardedCount >= maxOnboarded) {
            refused = "the job keeps at most " + maxOnboarded + " onboarded items (setrec.items.max-onboarded)";
        } else {
            try {
                operator.addItems(List.of(item));
            } catch (Exception e) {
                refused = "could not be tokenized: " + e;
            }
        }
        if (refused != null) {
            deadLetters.inc();
            if (getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0) {
                ctx.output(DeadLetters.TAG, DeadLetters.of(record.source, "item " + Fields.shown(item.getItemId())
                        + " " + refused, deadLetterPayloadBytes));
            }
            return;
        }
        onboarded.put(item.getItemId(), item);
        if (known == null) {
            onboardedCount++;
            itemsOnboarded.inc();
        } else {
            itemsUpdated.inc();
        }
    }

    private static boolean sameText(ItemEvent a, ItemEvent b) {
        return a.getTitle().equals(b.getTitle()) && a.getBrand().equals(b.getBrand())
                && a.getDescription().equals(b.getDescription())
                && Objects.equals(a.getCategories(), b.getCategories());
    }

    @Override
    public void close() throws Exception {
        if (operator != null) {
            operator = null;
            SharedOperators.release(model);
        }
    }
}
