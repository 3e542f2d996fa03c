package dev.setrec.jobs.functions;

import dev.setrec.jobs.bench.faults.BadInputCorpus.Kind;
import dev.setrec.jobs.bench.faults.BadInputCorpus.Message;
import dev.setrec.jobs.bench.faults.BadInputCorpus;
import dev.setrec.jobs.records.Interaction;
import dev.setrec.jobs.records.ItemRecord;
import dev.setrec.jobs.records.RawRecord;
import dev.setrec.jobs.records.ScoringRequest;
import dev.setrec.jobs.scoring.FixedCatalogue;
import dev.setrec.jobs.scoring.SharedOperators;
import dev.setrec.schemas.AvroCodec;
import dev.setrec.schemas.DeadLetter;
import dev.setrec.schemas.InteractionEvent;
import dev.setrec.schemas.ItemEvent;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every kind of {@link BadInputCorpus} through the job's input chain (the Kafka deserializer, the parser of its
 * topic, the user histories with their onboarding), one test per kind: its dead letter and reason, or its handling.
 * Scoring is not about input, so a fixed catalogue stands in for the model; the end-to-end tests send the same
 * corpus through Kafka and the real model.
 */
class BadInputCorpusTest {
    private static final List<String> KNOWN = List.of("a", "b", "c");
    private static final InputLimits LIMITS = InputLimits.defaults();

    private OneInputStreamOperatorTestHarness<RawRecord, Interaction> interactions;
    private OneInputStreamOperatorTestHarness<RawRecord, ItemRecord> items;
    private KeyedBroadcastOperatorTestHarness<String, Interaction, ItemRecord, ScoringRequest> histories;

    static List<Kind> kinds() {
        return BadInputCorpus.all(KNOWN, "corpus-", 1_700_000_000_000L);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void eachKindGetsItsDeadLetterOrItsDocumentedHandling(Kind kind) throws Exception {
        interactions = ProcessFunctionTestHarnesses.forProcessFunction(
                new ParseInteractions(AvroCodec.of(InteractionEvent.class), LIMITS));
        items = ProcessFunctionTestHarnesses.forProcessFunction(new ParseItems(AvroCodec.of(ItemEvent.class), LIMITS));
        histories = ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(new UserHistory(
                FixedCatalogue.factory("corpus", KNOWN.toArray(String[]::new)), 50, Duration.ofDays(1),
                100, LIMITS.deadLetterPayloadBytes()), i -> i.userId, Types.STRING, UserHistory.ONBOARDED);

        long offset = 0;
        for (Message message : kind.messages()) {
            boolean item = message.topic() == BadInputCorpus.Topic.ITEMS;
            RawRecord raw = new RawRecordDeserializer(item ? LIMITS.maxItemBytes() : LIMITS.maxInteractionBytes(),
                    LIMITS.deadLetterPayloadBytes()).read(message.topic().name().toLowerCase(), 0, offset++,
                    1_000L, message.key(), message.value());
            if (item) {
                items.processElement(raw, 1_000L);
            } else {
                interactions.processElement(raw, 1_000L);
            }
        }
        for (ItemRecord record : items.extractOutputValues()) {
            histories.processBroadcastElement(record, 1_000L);
        }
        for (Interaction interaction : interactions.extractOutputValues()) {
            histories.processElement(interaction, 1_000L);
        }

        List<DeadLetter> letters = new ArrayList<>();
        letters.addAll(deadLetters(interactions));
        letters.addAll(deadLetters(items));
        letters.addAll(deadLetters(histories));
        long eventTime = kind.last().eventTime();
        if (kind.expectsDeadLetter()) {
            assertEquals(1, letters.size(), "one dead letter: " + letters);
            DeadLetter letter = letters.get(0);
            assertTrue(letter.getReason().contains(kind.deadLetterReason()), letter.getReason());
            assertEquals(kind.messages().size() - 1, letter.getSourceOffset(), "the last message's");
            assertTrue(letter.getValue() == null
                    || letter.getValue().remaining() <= LIMITS.deadLetterPayloadBytes(), "bounded");
        } else {
            assertTrue(letters.isEmpty(), "no dead letter: " + letters);
            long answered = histories.extractOutputValues().stream().filter(r -> r.triggerEventTime == eventTime)
                    .count();
            assertEquals(kind.answers(), answered, "requests triggered by the last message");
        }
    }

    private static List<DeadLetter> deadLetters(AbstractStreamOperatorTestHarness<?> harness) {
        Queue<StreamRecord<DeadLetter>> out = harness.getSideOutput(DeadLetters.TAG);
        return out == null ? List.of() : out.stream().map(StreamRecord::getValue).toList();
    }

    @AfterEach
    void close() throws Exception {
        for (AbstractStreamOperatorTestHarness<?> harness : List.of(interactions, items, histories)) {
            harness.close();
        }
        assertEquals(0, SharedOperators.openCount());
    }
}
