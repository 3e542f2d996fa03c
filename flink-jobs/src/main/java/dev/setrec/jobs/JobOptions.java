package dev.setrec.jobs;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The job's typed options. They come from a properties file and/or command-line flags, both as {@code key=value}
 * with the keys below; Flink's own options (parallelism.default, execution.checkpointing.interval, ...) may be set
 * the same way and reach the execution environment unchanged.
 */
public final class JobOptions {
    public static final ConfigOption<String> BOOTSTRAP_SERVERS = ConfigOptions.key("setrec.kafka.bootstrap-servers")
            .stringType().defaultValue("localhost:9092").withDescription("Kafka brokers");
    public static final ConfigOption<String> GROUP_ID = ConfigOptions.key("setrec.kafka.group-id")
            .stringType().defaultValue("setrec-recommendations").withDescription("consumer group of the job's sources");
    public static final ConfigOption<String> INTERACTIONS_TOPIC = ConfigOptions.key("setrec.topic.interactions")
            .stringType().defaultValue("interactions")
            .withDescription("topic of the interaction events (InteractionEvent)");
    public static final ConfigOption<String> ITEMS_TOPIC = ConfigOptions.key("setrec.topic.items")
            .stringType().defaultValue("items").withDescription("topic of the new and changed items (ItemEvent)");
    public static final ConfigOption<String> RECOMMENDATIONS_TOPIC = ConfigOptions.key("setrec.topic.recommendations")
            .stringType().defaultValue("recommendations").withDescription("topic the recommendations go to");
    public static final ConfigOption<String> DEAD_LETTERS_TOPIC = ConfigOptions.key("setrec.topic.dead-letters")
            .stringType().defaultValue("dead-letters").withDescription("topic the bad input goes to, with the reason");
    public static final ConfigOption<DeliveryGuarantee> DELIVERY = ConfigOptions.key("setrec.kafka.delivery")
            .enumType(DeliveryGuarantee.class).defaultValue(DeliveryGuarantee.AT_LEAST_ONCE)
            .withDescription("at-least-once or exactly-once (Kafka transactions committed on checkpoints)");
    public static final ConfigOption<Duration> TRANSACTION_TIMEOUT =
            ConfigOptions.key("setrec.kafka.transaction-timeout")
                    .durationType().defaultValue(Duration.ofMinutes(10))
                    .withDescription("must stay below the broker's transaction.max.timeout.ms (15 min by default)");
    public static final ConfigOption<String> MODEL_DIR = ConfigOptions.key("setrec.model.dir")
            .stringType().noDefaultValue().withDescription("the SETRec model directory every task manager loads, or "
                    + "a models folder: its newest complete model directory serves and a newer one is swapped in "
                    + "live (docs/streaming-job.md)");
    public static final ConfigOption<Duration> MODEL_REFRESH_INTERVAL =
            ConfigOptions.key("setrec.model.refresh-interval")
                    .durationType().defaultValue(Duration.ofSeconds(10))
                    .withDescription("how often a models folder is looked at for a newer model version");
    public static final ConfigOption<String> DEVICE = ConfigOptions.key("setrec.model.device")
            .stringType().defaultValue("auto").withDescription("auto, cpu or gpu");
    public static final ConfigOption<Integer> MODEL_THREADS = ConfigOptions.key("setrec.model.threads")
            .intType().defaultValue(0).withDescription("PyTorch threads per task manager; 0 = all cores");
    public static final ConfigOption<String> SCORING_MODE = ConfigOptions.key("setrec.scoring.mode")
            .stringType().defaultValue("in-process")
            .withDescription("in-process (DJL inside each task manager) or remote (the model server, ./setrec serve)");
    public static final ConfigOption<String> MODEL_SERVER_URL = ConfigOptions.key("setrec.model-server.url")
            .stringType().defaultValue("http://127.0.0.1:8080").withDescription("the model server, in remote mode");
    public static final ConfigOption<String> MODEL_SERVER_TOKEN = ConfigOptions.key("setrec.model-server.token")
            .stringType().noDefaultValue().withDescription("bearer token for the model server, where it wants one");
    /**
     * The task managers' environment variable that supplies {@link #MODEL_SERVER_TOKEN} (read there by
     * ModelServerEndpoint): the one the model server reads (its ServerConfig.TOKEN_ENV; DeploymentFileTest checks
     * they agree), named here so that the job needs no server code.
     */
    public static final String MODEL_SERVER_TOKEN_ENV = "SETREC_SERVER_TOKEN";
    public static final ConfigOption<String> MODEL_SERVER_TOKEN_FILE =
            ConfigOptions.key("setrec.model-server.token-file").stringType().noDefaultValue()
                    .withDescription("a file on the task managers whose first line is the model server's token");
    public static final ConfigOption<Integer> MODEL_SERVER_RETRIES = ConfigOptions.key("setrec.model-server.retries")
            .intType().defaultValue(2)
            .withDescription("retries of a failed or refused (429/503) call, with exponential backoff, within the "
                    + "scoring timeout");
    public static final ConfigOption<Duration> MODEL_SERVER_BACKOFF = ConfigOptions.key("setrec.model-server.backoff")
            .durationType().defaultValue(Duration.ofMillis(20)).withDescription("first retry delay; doubles per retry");
    public static final ConfigOption<Duration> MODEL_SERVER_CATALOGUE_REFRESH =
            ConfigOptions.key("setrec.model-server.catalogue-refresh").durationType()
                    .defaultValue(Duration.ofSeconds(10))
                    .withDescription("how often the known item ids are re-read from the server (items onboarded "
                            + "elsewhere)");
    public static final ConfigOption<Integer> HISTORY_LENGTH = ConfigOptions.key("setrec.history.length")
            .intType().defaultValue(50).withDescription("items kept per user (the model's history length)");
    public static final ConfigOption<Duration> HISTORY_TTL = ConfigOptions.key("setrec.history.ttl")
            .durationType().defaultValue(Duration.ofDays(30))
            .withDescription("a quiet user's history is dropped after this");
    public static final ConfigOption<Integer> TOP_K = ConfigOptions.key("setrec.recommend.k")
            .intType().defaultValue(20).withDescription("items per recommendation");
    public static final ConfigOption<Boolean> EXCLUDE_SEEN = ConfigOptions.key("setrec.recommend.exclude-seen")
            .booleanType().defaultValue(true).withDescription("leave the user's history out of the ranking");
    public static final ConfigOption<Integer> NEW_ITEM_SLOTS = ConfigOptions.key("setrec.recommend.new-item-slots")
            .intType().defaultValue(0).withDescription("places of the k kept for the best new (cold) items where the "
                    + "model ranks fewer, spread evenly through the list (0: the model's ranking alone)");
    public static final ConfigOption<Integer> BATCH_SIZE = ConfigOptions.key("setrec.batch.max-size")
            .intType().defaultValue(64).withDescription("most requests merged into one forward pass");
    public static final ConfigOption<Duration> BATCH_WAIT = ConfigOptions.key("setrec.batch.max-wait")
            .durationType().defaultValue(Duration.ofMillis(5))
            .withDescription("longest a request waits for its batch to fill");
    public static final ConfigOption<Duration> SCORING_TIMEOUT = ConfigOptions.key("setrec.scoring.timeout")
            .durationType().defaultValue(Duration.ofSeconds(1))
            .withDescription("after this the popularity fallback answers");
    public static final ConfigOption<Integer> IN_FLIGHT = ConfigOptions.key("setrec.scoring.capacity")
            .intType().defaultValue(128)
            // small enough that a full queue drains well within the timeout: overload becomes backpressure on the
            // Kafka source (lag), not a flood of fallbacks
            .withDescription("requests in flight per scoring subtask (backpressure beyond)");
    public static final ConfigOption<Integer> BREAKER_FAILURES = ConfigOptions.key("setrec.scoring.breaker.failures")
            .intType().defaultValue(3)
            .withDescription("failed model calls in a row after which requests get the fallback at once (no waiting "
                    + "for timeouts) until the model answers again");
    public static final ConfigOption<Duration> BREAKER_PAUSE = ConfigOptions.key("setrec.scoring.breaker.pause")
            .durationType().defaultValue(Duration.ofSeconds(1))
            .withDescription("while calls are paused, how often the model is asked whether it is back");
    public static final ConfigOption<Duration> OUT_OF_ORDERNESS = ConfigOptions.key("setrec.watermark.out-of-orderness")
            .durationType().defaultValue(Duration.ofSeconds(5))
            .withDescription("how far a record's Kafka timestamp may lag the newest of its partition (watermarks)");
    public static final ConfigOption<Duration> IDLENESS = ConfigOptions.key("setrec.watermark.idleness")
            .durationType().defaultValue(Duration.ofSeconds(30))
            .withDescription("a Kafka partition without data stops holding back the watermark after this");

    public static final ConfigOption<String> EXTRA_WRITER_SCHEMAS =
            ConfigOptions.key("setrec.schema.extra-writer-schemas")
                    .stringType().noDefaultValue()
                    .withDescription("a directory of .avsc files: writer schemas of the input records newer than this "
                            + "job's (read when the job is built and shipped with it; each checked against the job's "
                            + "reader); see docs/schemas.md");
    // Input limits: a message beyond them is a dead letter (ids) or cut (text); see docs/input.md
    public static final ConfigOption<Integer> MAX_INTERACTION_BYTES =
            ConfigOptions.key("setrec.input.interactions.max-bytes")
                    .intType().defaultValue(16 * 1024)
                    .withDescription("largest interactions message, key and value together");
    public static final ConfigOption<Integer> MAX_ITEM_BYTES = ConfigOptions.key("setrec.input.items.max-bytes")
            .intType().defaultValue(256 * 1024).withDescription("largest items message, key and value together");
    public static final ConfigOption<Integer> MAX_ID_BYTES = ConfigOptions.key("setrec.input.max-id-bytes")
            .intType().defaultValue(256).withDescription("longest user or item id (UTF-8 bytes)");
    public static final ConfigOption<Integer> MAX_TEXT_BYTES = ConfigOptions.key("setrec.input.max-text-bytes")
            .intType().defaultValue(2048)
            .withDescription("an item's title, brand and each category are cut to this many UTF-8 bytes");
    public static final ConfigOption<Integer> MAX_DESCRIPTION_BYTES =
            ConfigOptions.key("setrec.input.max-description-bytes")
                    .intType().defaultValue(16 * 1024)
                    .withDescription("an item's description is cut to this many UTF-8 bytes (the text encoder reads "
                            + "256 tokens)");
    public static final ConfigOption<Integer> MAX_CATEGORIES = ConfigOptions.key("setrec.input.max-categories")
            .intType().defaultValue(32).withDescription("categories kept per item (the first ones)");
    public static final ConfigOption<Duration> MAX_EVENT_TIME_AHEAD =
            ConfigOptions.key("setrec.input.max-event-time-ahead")
                    .durationType().defaultValue(Duration.ofDays(1))
                    .withDescription("an event time further ahead of the job's clock is a dead letter (a producer's "
                            + "clock bug)");
    public static final ConfigOption<Integer> DEAD_LETTER_PAYLOAD_BYTES =
            ConfigOptions.key("setrec.dead-letter.max-payload-bytes")
                    .intType().defaultValue(16 * 1024)
                    .withDescription("a dead letter keeps at most this many bytes of the key and of the value (with "
                            + "their sizes and the value's SHA-256), so that it always fits a Kafka record");
    public static final ConfigOption<Integer> MAX_OUTPUT_BYTES = ConfigOptions.key("setrec.output.max-record-bytes")
            .intType().defaultValue(256 * 1024)
            .withDescription("a recommendation larger than this goes to the dead letters instead; keep it below the "
                    + "producer's max.request.size and the topics' max.message.bytes (1 MB by default)");
    public static final ConfigOption<Integer> MAX_ONBOARDED_ITEMS = ConfigOptions.key("setrec.items.max-onboarded")
            .intType().defaultValue(100_000)
            .withDescription("items onboarded from the items topic that the job keeps (in every scoring task "
                    + "manager's model and in broadcast state); beyond, new items are dead letters");

    // The refresh job (docs/operations.md, "Refreshing the model from the stream")
    public static final ConfigOption<String> REFRESH_GROUP_ID = ConfigOptions.key("setrec.refresh.group-id")
            .stringType().defaultValue("setrec-refresh")
            .withDescription("consumer group (and transactional id prefix) of the refresh job's sources and sinks: "
                    + "its own, so that it reads the topics next to the recommendation job without sharing offsets");
    public static final ConfigOption<String> MODEL_VERSIONS_TOPIC = ConfigOptions.key("setrec.topic.model-versions")
            .stringType().defaultValue("model-versions")
            .withDescription("topic the refresh job publishes each refresh's outcome to (ModelVersion)");
    public static final ConfigOption<Duration> REFRESH_INTERVAL = ConfigOptions.key("setrec.refresh.interval")
            .durationType().defaultValue(Duration.ofMinutes(10))
            .withDescription("how often the refresh job fine-tunes the serving model on its window (processing "
                    + "time); a refresh still running at the next one skips it");
    public static final ConfigOption<Integer> REFRESH_WINDOW_EVENTS = ConfigOptions.key("setrec.refresh.window-events")
            .intType().defaultValue(100_000)
            .withDescription("the newest interactions the refresh job keeps and learns from (older ones are dropped)");
    public static final ConfigOption<Integer> REFRESH_MIN_EVENTS = ConfigOptions.key("setrec.refresh.min-events")
            .intType().defaultValue(1_000)
            .withDescription("interactions that must have arrived since the last refresh for the next one to run");
    public static final ConfigOption<Double> REFRESH_HELD_BACK = ConfigOptions.key("setrec.refresh.held-back")
            .doubleType().defaultValue(0.1)
            .withDescription("share of the window, its newest interactions, held back to compare the refreshed model "
                    + "with the serving one (never trained on)");

    private JobOptions() {
    }

    /** {@code flags} plus the delivery guarantee, written the way Flink parses an enum option (its toString()). */
    public static Map<String, String> withDelivery(Map<String, String> flags, DeliveryGuarantee delivery) {
        Map<String, String> with = new HashMap<>(flags);
        with.put(DELIVERY.key(), delivery.toString());
        return with;
    }

    /** Every option of this class, for help texts and for checking that keys exist. */
    public static List<ConfigOption<?>> all() {
        List<ConfigOption<?>> all = new ArrayList<>();
        for (var field : JobOptions.class.getFields()) {
            if (field.getType() == ConfigOption.class) {
                try {
                    all.add((ConfigOption<?>) field.get(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return all;
    }

    /** A properties file's entries, then the overrides on top; unknown setrec.* keys are refused (typos). */
    public static Configuration load(Path propertiesFile, Map<String, String> overrides) throws IOException {
        Properties properties = new Properties();
        if (propertiesFile != null) {
            try (Reader in = Files.newBufferedReader(propertiesFile)) {
                properties.load(in);
            }
        }
        properties.putAll(overrides);
        List<String> known = all().stream().map(ConfigOption::key).toList();
        for (String key : properties.stringPropertyNames()) {
            if (key.startsWith("setrec.") && !known.contains(key)) {
                throw new IllegalArgumentException("unknown option " + key + "; known: " + String.join(", ", known));
            }
        }
        Map<String, String> entries = new HashMap<>();
        for (String key : properties.stringPropertyNames()) {
            entries.put(key, properties.getProperty(key));
        }
        return Configuration.fromMap(entries);
    }
}
