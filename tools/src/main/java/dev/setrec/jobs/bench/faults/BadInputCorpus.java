package dev.setrec.jobs.bench.faults;

import dev.setrec.schemas.AvroCodec;
import dev.setrec.schemas.EventType;
import dev.setrec.schemas.InteractionEvent;
import dev.setrec.schemas.ItemEvent;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Messages anyone might send to the job's input topics that are not plain valid events, each kind with what the job
 * must do with it (docs/input.md): a dead letter whose reason says why, or its documented handling, which for the
 * kinds here is that the interaction (or an interaction on the item) is answered. The end-to-end tests and
 * {@code ./setrec bench reliability} send every kind between good messages and check each outcome.
 */
public final class BadInputCorpus {
    public enum Topic { INTERACTIONS, ITEMS }

    /** One Kafka message. {@code eventTime} names the recommendations an interaction triggers (-1: none). */
    public record Message(Topic topic, byte[] key, byte[] value, long eventTime) {
    }

    /**
     * A kind of input: its messages in order, the last being the one the outcome is about. Exactly one of
     * {@code deadLetterReason} (the dead letter of the last message must contain it) and {@code answers} (how many
     * recommendations the last message's event time must trigger, with no dead letter for any message) is set.
     */
    public record Kind(String name, List<Message> messages, String deadLetterReason, int answers) {
        public Message last() {
            return messages.get(messages.size() - 1);
        }

        public boolean expectsDeadLetter() {
            return deadLetterReason != null;
        }
    }

    private static final AvroCodec<InteractionEvent> INTERACTIONS = AvroCodec.of(InteractionEvent.class);
    private static final AvroCodec<ItemEvent> ITEMS = AvroCodec.of(ItemEvent.class);

    private final List<String> knownItems;
    private final String prefix;
    private final AtomicLong eventTime;
    private final List<Kind> kinds = new ArrayList<>();

    /**
     * @param knownItems at least three item ids the model knows
     * @param prefix     makes the users and new items of this corpus unique (one corpus per run)
     * @param firstEventTime the event times the corpus hands out count up from here (unique per message)
     */
    private BadInputCorpus(List<String> knownItems, String prefix, long firstEventTime) {
        if (knownItems.size() < 3) {
            throw new IllegalArgumentException("the corpus needs three item ids the model knows");
        }
        this.knownItems = List.copyOf(knownItems);
        this.prefix = prefix;
        this.eventTime = new AtomicLong(firstEventTime);
    }

    /** Every kind, item kinds first (their follow-up interactions need the items onboarded). */
    public static List<Kind> all(List<String> knownItems, String prefix, long firstEventTime) {
        BadInputCorpus corpus = new BadInputCorpus(knownItems, prefix, firstEventTime);
        corpus.itemKinds();
        corpus.interactionKinds();
        return Collections.unmodifiableList(corpus.kinds);
    }

    private void itemKinds() {
        String a = prefix + "item-";
        deadLetter("item: not Avro", raw(Topic.ITEMS, "x", "{\"itemId\": \"json\"}".getBytes(StandardCharsets.UTF_8)),
                "not Avro single-object encoding");
        deadLetter("item: empty message", raw(Topic.ITEMS, "x", new byte[0]), "empty message");
        deadLetter("item: no text", item(a + "textless", ItemEvent.newBuilder().setItemId(a + "textless")),
                "has no text");
        deadLetter("item: only control and invisible characters as text", item(a + "blank",
                ItemEvent.newBuilder().setItemId(a + "blank").setTitle("\u0007\u200B\t").setBrand(" ")), "has no text");
        deadLetter("item: id with a control character", item("bell\u0007", ItemEvent.newBuilder()
                .setItemId("bell\u0007").setTitle("A bell")), "control character U+0007");
        deadLetter("item: id over the id limit", item("x", ItemEvent.newBuilder().setItemId("i".repeat(300))
                .setTitle("A long id")), "itemId is 300 bytes");
        deadLetter("item: message over the size limit", item("x", ItemEvent.newBuilder().setItemId(a + "huge")
                .setTitle("Huge").setDescription("d".repeat(300_000))), "over the limit");
        deadLetter("item: zero event time", item(a + "epoch", ItemEvent.newBuilder().setItemId(a + "epoch")
                .setTitle("Epoch").setEventTime(Instant.EPOCH)), "not a positive epoch millisecond");
        deadLetter("item: truncated body", raw(Topic.ITEMS, "x", truncated(ITEMS.encode(itemEvent(ItemEvent.newBuilder()
                .setItemId(a + "cut").setTitle("Cut short"))))), "malformed ItemEvent");
        answeredOnItem("item: description over its limit is cut", a + "long-text", ItemEvent.newBuilder()
                .setItemId(a + "long-text").setTitle("Long description").setDescription("word ".repeat(8_000)));
        answeredOnItem("item: more categories than kept", a + "categories", ItemEvent.newBuilder()
                .setItemId(a + "categories").setTitle("Many categories")
                .setCategories(Collections.nCopies(500, "Toys")));
        answeredOnItem("item: control and zero-width characters in its text", a + "noisy", ItemEvent.newBuilder()
                .setItemId(a + "noisy").setTitle("Noisy\u0000 ti\u200Btle\r\n").setBrand("Br\u0007and"));
        String republished = a + "republished";
        Message first = item(republished, ItemEvent.newBuilder().setItemId(republished).setTitle("Old title"));
        Message again = item(republished, ItemEvent.newBuilder().setItemId(republished).setTitle("Old title"));
        Message renamed = item(republished, ItemEvent.newBuilder().setItemId(republished).setTitle("New title"));
        answered("item: published again, same text, then new text", 1, first, again, renamed,
                interaction(prefix + "user-republished", republished));
        Message wrongKey = new Message(Topic.ITEMS, "another-id".getBytes(StandardCharsets.UTF_8),
                ITEMS.encode(itemEvent(ItemEvent.newBuilder().setItemId(a + "wrong-key").setTitle("Wrong key"))), -1);
        answered("item: Kafka key is not the item id", 1, wrongKey, interaction(prefix + "user-wrong-key",
                a + "wrong-key"));
    }

    private void interactionKinds() {
        String u = prefix + "user-";
        String known = knownItems.get(0);
        deadLetter("interaction: random bytes", raw(Topic.INTERACTIONS, u + "random", bytes(40, 7)),
                "not Avro single-object encoding");
        deadLetter("interaction: empty message", raw(Topic.INTERACTIONS, u + "empty", new byte[0]), "empty message");
        deadLetter("interaction: null value (tombstone)", new Message(Topic.INTERACTIONS,
                (u + "tombstone").getBytes(StandardCharsets.UTF_8), null, -1), "empty message");
        deadLetter("interaction: unknown writer schema", raw(Topic.INTERACTIONS, u + "schema",
                withFingerprint(INTERACTIONS.encode(event(u + "schema", known)), 0x1234_5678_9ABC_DEF0L)),
                "unknown writer schema");
        deadLetter("interaction: truncated body", raw(Topic.INTERACTIONS, u + "truncated",
                truncated(INTERACTIONS.encode(event(u + "truncated", known)))), "malformed InteractionEvent");
        deadLetter("interaction: trailing bytes after the record", raw(Topic.INTERACTIONS, u + "trailing",
                trailing(INTERACTIONS.encode(event(u + "trailing", known)))), "trailing bytes");
        deadLetter("interaction: message over the size limit", interaction(u + "huge", "i".repeat(600_000)),
                "over the limit");
        deadLetter("interaction: key alone over the size limit", new Message(Topic.INTERACTIONS,
                bytes(20_000, 3), INTERACTIONS.encode(event(u + "big-key", known)), -1), "over the limit");
        deadLetter("interaction: user id over the id limit", interaction("u".repeat(257), known),
                "userId is 257 bytes");
        deadLetter("interaction: item id over the id limit", interaction(u + "long-item", "i".repeat(1000)),
                "itemId is 1000 bytes");
        deadLetter("interaction: empty user id", interaction("", known), "missing userId");
        deadLetter("interaction: empty item id", interaction(u + "no-item", ""), "missing itemId");
        deadLetter("interaction: NUL in the user id", interaction(u + "nul\u0000", known), "control character U+0000");
        deadLetter("interaction: zero-width space in the item id", interaction(u + "zw", known + "\u200B"),
                "invisible character U+200B");
        deadLetter("interaction: invalid UTF-8 in the user id", raw(Topic.INTERACTIONS, u + "utf8",
                invalidUtf8(event(u + "utf8-@@", known), "@@")), "U+FFFD");
        deadLetter("interaction: user id with trailing white space", interaction(u + "space ", known),
                "leading or trailing white space");
        deadLetter("interaction: zero event time", interaction(u + "zero-time", known, 0), "not a positive");
        deadLetter("interaction: negative event time", interaction(u + "negative-time", known, -5_000),
                "not a positive");
        deadLetter("interaction: event time years ahead", interaction(u + "future", known,
                System.currentTimeMillis() + 400L * 24 * 3600 * 1000), "ahead of the job's clock");
        deadLetter("interaction: item the model does not know",
                interaction(u + "unknown-item", prefix + "no-such-item"),
                "unknown item id");
        String early = u + "out-of-order";
        Message later = interaction(early, knownItems.get(1));
        answered("interaction: event time older than the previous one (out of order)", 1, later,
                interaction(early, knownItems.get(2), eventTime.get() - 1_000_000));
        Message original = interaction(u + "repeat", known);
        answered("interaction: delivered twice (same item, same event time)", 2, original,
                new Message(Topic.INTERACTIONS, original.key(), original.value(), original.eventTime()));
        InteractionEvent keyless = event(u + "keyless", known);
        answered("interaction: no Kafka key", 1, new Message(Topic.INTERACTIONS, null, INTERACTIONS.encode(keyless),
                keyless.getEventTime().toEpochMilli()));
        InteractionEvent misKeyed = event(u + "mis-keyed", known);
        answered("interaction: Kafka key is not the user id", 1, new Message(Topic.INTERACTIONS,
                "somebody-else".getBytes(StandardCharsets.UTF_8), INTERACTIONS.encode(misKeyed),
                misKeyed.getEventTime().toEpochMilli()));
    }

    // ---- kinds

    private void deadLetter(String name, Message message, String reason) {
        kinds.add(new Kind(name, List.of(message), reason, 0));
    }

    private void answered(String name, int answers, Message... messages) {
        kinds.add(new Kind(name, List.of(messages), null, answers));
    }

    /** An item kind that must be onboarded: shown by an interaction on it being answered. */
    private void answeredOnItem(String name, String itemId, ItemEvent.Builder item) {
        answered(name, 1, item(itemId, item), interaction(prefix + "user-of-" + itemId, itemId));
    }

    // ---- messages

    private Message item(String key, ItemEvent.Builder item) {
        return raw(Topic.ITEMS, key, ITEMS.encode(itemEvent(item)));
    }

    private ItemEvent itemEvent(ItemEvent.Builder item) {
        if (!item.hasEventTime()) {
            item.setEventTime(Instant.ofEpochMilli(eventTime.incrementAndGet()));
        }
        return item.build();
    }

    private Message interaction(String user, String item) {
        return interaction(user, item, eventTime.incrementAndGet());
    }

    private Message interaction(String user, String item, long time) {
        InteractionEvent event = InteractionEvent.newBuilder().setUserId(user).setItemId(item)
                .setEventType(EventType.CLICK).setEventTime(Instant.ofEpochMilli(time)).build();
        return new Message(Topic.INTERACTIONS, user.getBytes(StandardCharsets.UTF_8), INTERACTIONS.encode(event), time);
    }

    private InteractionEvent event(String user, String item) {
        return InteractionEvent.newBuilder().setUserId(user).setItemId(item).setEventType(EventType.VIEW)
                .setEventTime(Instant.ofEpochMilli(eventTime.incrementAndGet())).build();
    }

    private static Message raw(Topic topic, String key, byte[] value) {
        return new Message(topic, key.getBytes(StandardCharsets.UTF_8), value, -1);
    }

    private static byte[] bytes(int n, int seed) {
        byte[] bytes = new byte[n];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static byte[] truncated(byte[] message) {
        return Arrays.copyOf(message, message.length - 3);
    }

    private static byte[] trailing(byte[] message) {
        byte[] longer = Arrays.copyOf(message, message.length + 4);
        longer[message.length] = 42;
        return longer;
    }

    /** The message with another writer schema fingerprint (bytes 2..9 of the single-object encoding). */
    private static byte[] withFingerprint(byte[] message, long fingerprint) {
        byte[] copy = message.clone();
        ByteBuffer.wrap(copy, 2, Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).putLong(fingerprint);
        return copy;
    }

    /** The event's encoding with the placeholder's bytes (in its user id) replaced by an invalid UTF-8 sequence. */
    private static byte[] invalidUtf8(InteractionEvent event, String placeholder) {
        byte[] message = INTERACTIONS.encode(event);
        byte[] marker = placeholder.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i + marker.length <= message.length; i++) {
            if (Arrays.equals(message, i, i + marker.length, marker, 0, marker.length)) {
                message[i] = (byte) 0xC3; // a lead byte followed by an ASCII byte: not UTF-8
                message[i + 1] = (byte) 0x28;
                return message;
            }
        }
        throw new IllegalStateException("placeholder not in the encoding");
    }
}
