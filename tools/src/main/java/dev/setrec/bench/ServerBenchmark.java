package dev.setrec.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.setrec.api.ApiJson;
import dev.setrec.api.RecommendRequest;
import dev.setrec.data.Dataset;
import dev.setrec.data.Split;
import dev.setrec.eval.EvalOptions;
import dev.setrec.serve.ModelServer;
import dev.setrec.serve.ServerConfig;
import dev.setrec.text.TextEncoder;
import dev.setrec.util.Directories;
import dev.setrec.util.Machine;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The model server under load, over real HTTP on the loopback: users/s flat out (closed loop, many requests in
 * flight) with dynamic batching and with batching off (max batch 1), then latency at fractions of the measured
 * capacity (open loop: requests leave on a fixed schedule, and latency counts from the scheduled time, so a slow
 * server cannot hide its queue). Each request asks for one user's top 10 from that user's real history.
 */
public final class ServerBenchmark {
    private static final List<Targets.Target> TARGETS = List.of(
            new Targets.Target("users_per_s", true, 1000, List.of("dynamic-batching"), 0,
                    "model server issue: users/s on 2 cores (toys catalogue)"),
            new Targets.Target("p99_ms_half_load", false, 50, List.of("dynamic-batching"), 0,
                    "model server issue: p99 at half the measured users/s"));
    /** Items asked for per user. */
    private static final int TOP_K = 10;

    /** How long each phase runs and how hard it pushes. */
    public record Settings(int seconds, int concurrency, double[] loadFractions, int maxBatch, Duration maxDelay) {
    }

    private record LoadPoint(double offered, double achieved, double p50, double p99, long errors) {
    }

    private final Dataset data;
    private final Path modelDir;
    private final TextEncoder encoder;
    private final Settings settings;
    private final String command;
    private final PrintStream log;
    private final List<String> bodies;
    private final HttpClient http;
    private final ExecutorService clientThreads = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "bench-client");
        t.setDaemon(true);
        return t;
    });

    public ServerBenchmark(Dataset data, Path modelDir, TextEncoder encoder, Settings settings, String command,
                           PrintStream log) {
        this.data = data;
        this.modelDir = modelDir;
        this.encoder = encoder;
        this.settings = settings;
        this.command = command;
        this.log = log;
        this.bodies = requestBodies(data);
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(clientThreads).build();
    }

    /** One request body per test user: that user's train + valid history, top 10 without the seen items. */
    private static List<String> requestBodies(Dataset data) {
        List<String> bodies = new ArrayList<>();
        for (int u = 0; u < data.numUsers(); u++) {
            if (data.sequence(u, Split.TEST).length == 0) {
                continue;
            }
            List<String> history = Arrays.stream(data.history(u, Split.TEST, EvalOptions.DEFAULT_HISTORY_LENGTH))
                    .mapToObj(String::valueOf).toList();
            bodies.add(ApiJson.write(new RecommendRequest(TOP_K, null, null, null, null,
                    List.of(new RecommendRequest.Query(null, history, null)))));
        }
        return bodies;
    }

    public JsonObject run() throws IOException, InterruptedException {
        log.printf(Locale.ROOT, "server benchmark: %s, %d users' histories, %d s per phase, %d in flight%n",
                modelDir, bodies.size(), settings.seconds(), settings.concurrency());
        double batch1;
        try (BenchServer server = BenchServer.start(this, 1, Duration.ZERO)) {
            batch1 = closedLoop(server.uri(), "batching off (max batch 1)");
        }
        JsonObject metrics = new JsonObject();
        metrics.addProperty("batch1_users_per_s", round1(batch1));
        JsonArray sweep = new JsonArray();
        double capacity;
        try (BenchServer server = BenchServer.start(this, settings.maxBatch(), settings.maxDelay())) {
            long phaseStart = System.nanoTime();
            capacity = closedLoop(server.uri(), "dynamic batching (max batch " + settings.maxBatch() + ")");
            double phaseSeconds = (System.nanoTime() - phaseStart) / 1e9;
            String exposition = scrape(server.uri());
            // where the time went flat out: the share of wall time the model was busy, and how full batches were
            double modelShare = metric(exposition, "setrec_batch_duration_seconds_sum") / phaseSeconds;
            double meanBatch = metric(exposition, "setrec_batch_size_sum") / metric(exposition,
                    "setrec_batch_size_count");
            metrics.addProperty("model_busy_share", Math.round(modelShare * 1000) / 1000.0);
            metrics.addProperty("mean_batch", round1(meanBatch));
            log.printf(Locale.ROOT, "  model busy %.0f%% of the time, %.1f histories a batch%n", 100 * modelShare,
                    meanBatch);
            for (double fraction : settings.loadFractions()) {
                LoadPoint p = openLoop(server.uri(), capacity * fraction);
                JsonObject point = new JsonObject();
                point.addProperty("fraction_of_capacity", fraction);
                point.addProperty("offered_per_s", round1(p.offered()));
                point.addProperty("achieved_per_s", round1(p.achieved()));
                point.addProperty("p50_ms", round1(p.p50()));
                point.addProperty("p99_ms", round1(p.p99()));
                point.addProperty("errors", p.errors());
                sweep.add(point);
                if (fraction == 0.5) {
                    metrics.addProperty("p50_ms_half_load", round1(p.p50()));
                    metrics.addProperty("p99_ms_half_load", round1(p.p99()));
                }
            }
        }
        metrics.addProperty("users_per_s", round1(capacity));
        metrics.addProperty("speedup_vs_batch1", round1(capacity / batch1));
        metrics.add("load_sweep", sweep);
        clientThreads.shutdownNow();

        JsonObject row = new JsonObject();
        row.addProperty("benchmark", "server");
        row.addProperty("dataset", data.name());
        row.addProperty("model", "setrec");
        row.addProperty("variant", "dynamic-batching");
        row.add("metrics", metrics);
        if (metrics.has("p99_ms_half_load")) {
            row.add("targets", Targets.check(TARGETS, "dynamic-batching", 0, metrics));
        }
        row.addProperty("command", command);
        row.addProperty("machine", Machine.describe());
        row.addProperty("date", LocalDate.now().toString());
        row.addProperty("details", String.format(Locale.ROOT, "model %s; the server in this JVM on 127.0.0.1 with the "
                        + "load generator (JDK HttpClient, HTTP/1.1) on the same cores; one user's history per "
                        + "request, k 10, seen items excluded; flat out: %d requests in flight for %d s; latency: "
                        + "open loop at %s of the measured users/s for %d s each, from the scheduled send time; "
                        + "dynamic batching max batch %d, max delay %d ms", modelDir.getFileName(),
                settings.concurrency(), settings.seconds(), Arrays.toString(settings.loadFractions()),
                settings.seconds(), settings.maxBatch(), settings.maxDelay().toMillis()));
        return row;
    }

    /** A model server for one phase, its item store in a scratch directory that goes with it. */
    private record BenchServer(ModelServer server, Path store) implements AutoCloseable {
        static BenchServer start(ServerBenchmark bench, int maxBatch, Duration maxDelay) throws IOException {
            Path store = Files.createTempDirectory("setrec-bench-items");
            ServerConfig config = ServerConfig.defaults(store).withPort(0).withBatching(maxBatch, maxDelay, 4096);
            try {
                return new BenchServer(ModelServer.start(bench.modelDir, config, bench.encoder,
                        new PrintStream(OutputStream.nullOutputStream())), store);
            } catch (IOException | RuntimeException e) {
                Directories.deleteTree(store);
                throw e;
            }
        }

        URI uri() {
            return server.uri();
        }

        @Override
        public void close() throws IOException {
            server.close();
            Directories.deleteTree(store);
        }
    }

    /** Users/s with {@code concurrency} requests always in flight (after a warm-up of a fifth of the time). */
    private double closedLoop(URI server, String label) throws InterruptedException {
        URI recommend = server.resolve("/v1/recommend");
        AtomicLong done = new AtomicLong();
        AtomicLong next = new AtomicLong();
        long warmupEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(Math.max(1, settings.seconds() / 5));
        long end = warmupEnd + TimeUnit.SECONDS.toNanos(settings.seconds());
        List<CompletableFuture<Void>> loops = new ArrayList<>();
        for (int c = 0; c < settings.concurrency(); c++) {
            loops.add(loop(recommend, next, done, warmupEnd, end));
        }
        CompletableFuture.allOf(loops.toArray(CompletableFuture[]::new)).join();
        double perSecond = done.get() / (double) settings.seconds();
        log.printf(Locale.ROOT, "  %s: %.0f users/s%n", label, perSecond);
        return perSecond;
    }

    private CompletableFuture<Void> loop(URI recommend, AtomicLong next, AtomicLong done, long warmupEnd, long end) {
        if (System.nanoTime() >= end) {
            return CompletableFuture.completedFuture(null);
        }
        return send(recommend, next).thenCompose(status -> {
            if (status == 200 && System.nanoTime() >= warmupEnd) {
                done.incrementAndGet();
            }
            return loop(recommend, next, done, warmupEnd, end);
        });
    }

    private CompletableFuture<Integer> send(URI recommend, AtomicLong next) {
        String body = bodies.get((int) (next.getAndIncrement() % bodies.size()));
        HttpRequest request = HttpRequest.newBuilder(recommend).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                .handle((r, e) -> e == null ? r.statusCode() : -1);
    }

    /** Requests on a fixed schedule at {@code rate}/s; latency from each request's scheduled time. */
    private LoadPoint openLoop(URI server, double rate) {
        URI recommend = server.resolve("/v1/recommend");
        AtomicLong next = new AtomicLong();
        int total = (int) Math.max(1, rate * settings.seconds());
        double[] latencies = new double[total];
        boolean[] ok = new boolean[total];
        List<CompletableFuture<Void>> pending = new ArrayList<>(total);
        long start = System.nanoTime();
        double interval = 1e9 / rate;
        for (int i = 0; i < total; i++) {
            long scheduled = start + (long) (i * interval);
            long wait = scheduled - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            int index = i;
            pending.add(send(recommend, next).thenAccept(status -> {
                latencies[index] = (System.nanoTime() - scheduled) / 1e6;
                ok[index] = status == 200;
            }));
        }
        CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();
        double seconds = (System.nanoTime() - start) / 1e9;
        long errors = 0;
        for (boolean b : ok) {
            errors += b ? 0 : 1;
        }
        double[] sorted = latencies.clone();
        Arrays.sort(sorted);
        LoadPoint p = new LoadPoint(rate, total / seconds, percentile(sorted, 0.50), percentile(sorted, 0.99), errors);
        log.printf(Locale.ROOT, "  offered %.0f/s: achieved %.0f/s, p50 %.1f ms, p99 %.1f ms, %d errors%n",
                p.offered(), p.achieved(), p.p50(), p.p99(), p.errors());
        return p;
    }

    private String scrape(URI server) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(server.resolve("/metrics")).build(),
                HttpResponse.BodyHandlers.ofString())
                .body();
    }

    /** The value of an unlabelled series in Prometheus text format. */
    static double metric(String exposition, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " (\\S+)$").matcher(exposition);
        if (!m.find()) {
            throw new IllegalStateException("the server's metrics have no " + name);
        }
        return Double.parseDouble(m.group(1));
    }

    static double percentile(double[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }

    private static double round1(double v) {
        return Math.round(v * 10) / 10.0;
    }
}
