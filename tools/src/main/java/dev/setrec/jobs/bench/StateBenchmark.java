package dev.setrec.jobs.bench;

import com.google.gson.JsonObject;
import dev.setrec.jobs.JobOptions;
import dev.setrec.jobs.embedded.EmbeddedJob;
import dev.setrec.jobs.kafka.EmbeddedKafka;
import dev.setrec.jobs.quickstart.Replayer;
import dev.setrec.jobs.records.Ranking;
import dev.setrec.jobs.scoring.RankingOptions;
import dev.setrec.jobs.scoring.SetRecOperator;
import dev.setrec.schemas.AvroCodec;
import dev.setrec.schemas.EventType;
import dev.setrec.schemas.InteractionEvent;
import dev.setrec.schemas.ItemEvent;
import dev.setrec.util.Machine;
import dev.setrec.util.Progress;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.util.FileUtils;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * How much state the job keeps: the job as the quickstart runs it (in-process Kafka, local Flink, parallelism 2,
 * RocksDB with incremental checkpoints) fed first with onboarded items, then with interactions of many distinct
 * users; after each phase a canonical savepoint (the whole state, self-contained) and the checkpoint directory are
 * measured. Scoring is not what is measured: a stand-in that knows the catalogue and ranks nothing answers every
 * request with the popularity fallback, so the figures hold for any model.
 */
public final class StateBenchmark {
    /**
     * @param users         distinct users
     * @param eventsPerUser interactions per user (each user's history holds that many items, up to 50)
     * @param catalogue     items the stand-in model knows (the interactions' items)
     * @param onboarded     items published on the items topic (kept in broadcast state)
     */
    public record Settings(int users, int eventsPerUser, int catalogue, int onboarded) {
        public Settings {
            if (users < 1 || eventsPerUser < 1 || catalogue < 1 || onboarded < 1) {
                throw new IllegalArgumentException("users, events per user, catalogue and onboarded items must be "
                        + "positive");
            }
        }
    }

    private static final Duration CHECKPOINT_INTERVAL = Duration.ofSeconds(10);
    private static final Duration STALL = Duration.ofMinutes(2);

    private final Settings settings;
    private final String command;
    private final PrintStream out;

    public StateBenchmark(Settings settings, String command, PrintStream out) {
        this.settings = settings;
        this.command = command;
        this.out = out;
    }

    public JsonObject run() throws Exception {
        Path work = Files.createTempDirectory("setrec-state-bench");
        try (EmbeddedKafka kafka = EmbeddedKafka.start();
             Producer<byte[], byte[]> producer = Replayer.producer(kafka.bootstrapServers());
             EmbeddedJob job = EmbeddedJob.start("setrec-state-benchmark", kafka.bootstrapServers(), Map.of(
                     JobOptions.MAX_ONBOARDED_ITEMS.key(), Integer.toString(settings.onboarded()),
                     CheckpointingOptions.CHECKPOINTING_INTERVAL.key(), CHECKPOINT_INTERVAL.toSeconds() + " s"),
                     options -> new CatalogueOnly(settings.catalogue()), work.resolve("checkpoints"));
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                     kafka.bootstrapServers()))) {
            Configuration options = job.options();
            String recommendations = options.get(JobOptions.RECOMMENDATIONS_TOPIC);
            long emptySavepoint = savepointBytes(job, work.resolve("savepoint-empty"));

            publishItems(producer, options.get(JobOptions.ITEMS_TOPIC));
            // items and interactions are separate topics: an interaction on the last item answered marks the items
            // as onboarded (until then it is a dead letter)
            awaitItemsOnboarded(producer, admin, options, recommendations);
            long itemsSavepoint = savepointBytes(job, work.resolve("savepoint-items"));

            TimeUnit.SECONDS.sleep(1); // the last probes' answers
            long before = count(admin, recommendations);
            long events = publishInteractions(producer, options.get(JobOptions.INTERACTIONS_TOPIC));
            awaitRecords(admin, recommendations, before + events, "recommendations");
            long usersSavepoint = savepointBytes(job, work.resolve("savepoint-users"));
            TimeUnit.MILLISECONDS.sleep(2 * CHECKPOINT_INTERVAL.toMillis()); // a checkpoint holding everything
            long checkpointBytes = directoryBytes(work.resolve("checkpoints"));

            JsonObject metrics = new JsonObject();
            metrics.addProperty("users", settings.users());
            metrics.addProperty("history_items_per_user", Math.min(50, settings.eventsPerUser()));
            metrics.addProperty("state_bytes_per_user",
                    Math.round((double) (usersSavepoint - itemsSavepoint) / settings.users()));
            metrics.addProperty("onboarded_items", settings.onboarded());
            metrics.addProperty("onboarded_item_bytes",
                    Math.round((double) (itemsSavepoint - emptySavepoint) / settings.onboarded()));
            metrics.addProperty("savepoint_mb", round(usersSavepoint / 1e6));
            metrics.addProperty("checkpoint_dir_mb", round(checkpointBytes / 1e6));
            JsonObject row = new JsonObject();
            row.addProperty("benchmark", "reliability");
            row.addProperty("dataset", "synthetic");
            row.addProperty("model", "setrec");
            row.addProperty("variant", "state-" + settings.users() + "-users");
            row.addProperty("split", "none");
            row.add("metrics", metrics);
            row.addProperty("command", command);
            row.addProperty("machine", Machine.describe());
            row.addProperty("date", LocalDate.now().toString());
            out.println("state: " + metrics);
            return row;
        } finally {
            FileUtils.deleteDirectory(work.toFile());
        }
    }

    /** Item texts of a typical catalogue feed's size: a title, a category path, a brand, a short description. */
    private void publishItems(Producer<byte[], byte[]> producer, String topic) throws Exception {
        AvroCodec<ItemEvent> codec = AvroCodec.of(ItemEvent.class);
        Progress progress = new Progress("items", settings.onboarded(), "items");
        for (int i = 0; i < settings.onboarded(); i++) {
            String id = newItem(i);
            ItemEvent item = ItemEvent.newBuilder().setItemId(id)
                    .setTitle("Wooden puzzle number " + i + " with 24 pieces")
                    .setCategories(List.of("Toys & Games", "Puzzles", "Jigsaw Puzzles")).setBrand("Brand " + i % 500)
                    .setDescription("A colourful puzzle for ages 3 and up, made of sturdy wood, in a box. " + i)
                    .setEventTime(Instant.now()).build();
            producer.send(new ProducerRecord<>(topic, bytes(id), codec.encode(item)));
            progress.advance(1);
        }
        producer.flush();
        progress.finish();
    }

    private void awaitItemsOnboarded(Producer<byte[], byte[]> producer, Admin admin, Configuration options,
                                     String recommendations) throws Exception {
        AvroCodec<InteractionEvent> codec = AvroCodec.of(InteractionEvent.class);
        String interactions = options.get(JobOptions.INTERACTIONS_TOPIC);
        long deadline = System.nanoTime() + STALL.toNanos();
        while (count(admin, recommendations) == 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the onboarded items were not rankable within " + STALL);
            }
            InteractionEvent probe = InteractionEvent.newBuilder().setUserId("probe")
                    .setItemId(newItem(settings.onboarded() - 1)).setEventType(EventType.VIEW)
                    .setEventTime(Instant.now()).build();
            producer.send(new ProducerRecord<>(interactions, bytes("probe"), codec.encode(probe))).get();
            TimeUnit.MILLISECONDS.sleep(200);
        }
    }

    /** Every user's events, users interleaved (as live traffic); returns how many. */
    private long publishInteractions(Producer<byte[], byte[]> producer, String topic) {
        AvroCodec<InteractionEvent> codec = AvroCodec.of(InteractionEvent.class);
        long total = (long) settings.users() * settings.eventsPerUser();
        Progress progress = new Progress("interactions", total, "events");
        long time = System.currentTimeMillis() - total;
        for (int round = 0; round < settings.eventsPerUser(); round++) {
            for (int user = 0; user < settings.users(); user++) {
                String userId = "user-" + user;
                InteractionEvent event = InteractionEvent.newBuilder().setUserId(userId)
                        .setItemId(catalogueItem((user * 31L + round * 7919L) % settings.catalogue()))
                        .setEventType(EventType.VIEW).setEventTime(Instant.ofEpochMilli(time++)).build();
                producer.send(new ProducerRecord<>(topic, bytes(userId), codec.encode(event)));
                progress.advance(1);
            }
        }
        producer.flush();
        progress.finish();
        return total;
    }

    private void awaitRecords(Admin admin, String topic, long expected, String what) throws Exception {
        long last = -1;
        long lastChange = System.nanoTime();
        Progress progress = new Progress(what, expected, "records");
        long seen = 0;
        while (seen < expected) {
            TimeUnit.MILLISECONDS.sleep(500);
            seen = count(admin, topic);
            progress.advance(seen - progress.done());
            if (seen != last) {
                last = seen;
                lastChange = System.nanoTime();
            } else if (System.nanoTime() - lastChange > STALL.toNanos()) {
                throw new IllegalStateException(seen + " of " + expected + " " + what + ": none for " + STALL);
            }
        }
        progress.finish();
    }

    /** Records written to a topic so far: the sum of its partitions' end offsets. */
    private static long count(Admin admin, String topic) throws Exception {
        var partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions();
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        partitions.forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
        long sum = 0;
        for (var offset : admin.listOffsets(latest).all().get().values()) {
            sum += offset.offset();
        }
        return sum;
    }

    private static long savepointBytes(EmbeddedJob job, Path dir) throws Exception {
        return directoryBytes(Path.of(URI.create(job.savepoint(dir, STALL))));
    }

    private static long directoryBytes(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(file -> file.toFile().length()).sum();
        }
    }

    private static String newItem(int i) {
        return "new-item-" + i;
    }

    private static String catalogueItem(long i) {
        return "item-" + i;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static double round(double value) {
        return Math.round(value * 10) / 10.0;
    }

    /**
     * The model stand-in: knows {@code item-0 .. item-(n-1)} and whatever is onboarded, ranks nothing (every request
     * gets the popularity fallback).
     */
    private record CatalogueOnly(int items) implements SetRecOperator.Factory {
        @Override
        public String key() {
            return "catalogue-only:" + items;
        }

        @Override
        public SetRecOperator create() {
            Set<String> onboarded = ConcurrentHashMap.newKeySet();
            return new SetRecOperator() {
                @Override
                public List<Ranking> recommend(List<String[]> histories, RankingOptions ranking) {
                    return new ArrayList<>(Collections.nCopies(histories.size(), Ranking.UNRANKED));
                }

                @Override
                public boolean knows(String itemId) {
                    if (onboarded.contains(itemId)) {
                        return true;
                    }
                    if (!itemId.startsWith("item-")) {
                        return false;
                    }
                    try {
                        long i = Long.parseLong(itemId.substring("item-".length()));
                        return i >= 0 && i < items;
                    } catch (NumberFormatException e) {
                        return false;
                    }
                }

                @Override
                public void addItems(List<ItemEvent> added) {
                    added.forEach(item -> onboarded.add(item.getItemId()));
                }

                @Override
                public String modelVersion() {
                    return "stand-in";
                }

                @Override
                public void close() {
                    onboarded.clear();
                }
            };
        }
    }
}
