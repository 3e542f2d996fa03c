package dev.setrec.serve;

import dev.setrec.model.setrec.SetRecService;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/** The server's Prometheus metrics, in a registry of its own (several servers may share a JVM in tests). */
final class ServerMetrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final Counter requests = Counter.builder().name("setrec_http_requests_total")
            .help("HTTP requests by route (path template; other paths are \"unmatched\") and status")
            .labelNames("path", "status").register(registry);
    private final Histogram latency = Histogram.builder().name("setrec_http_request_duration_seconds")
            .help("time from a request's arrival to its response, by route").labelNames("path")
            .classicOnly().classicUpperBounds(.001, .002, .005, .01, .02, .05, .1, .2, .5, 1, 2, 5)
            .register(registry);
    private final Histogram batchSize = Histogram.builder().name("setrec_batch_size")
            .help("histories scored in one forward pass").classicOnly()
            .classicUpperBounds(1, 2, 4, 8, 16, 32, 64, 128, 256, 512).register(registry);
    private final Histogram scoring = Histogram.builder().name("setrec_batch_duration_seconds")
            .help("time one batch spends in the model (forward passes and top-k)").classicOnly()
            .classicUpperBounds(.002, .005, .01, .02, .05, .1, .2, .5, 1).register(registry);
    private final Counter expired = Counter.builder().name("setrec_deadline_expired_total")
            .help("histories whose deadline passed before they were scored").register(registry);
    private final Counter onboarded = Counter.builder().name("setrec_items_onboarded_total")
            .help("new items onboarded through the API").register(registry);
    private final Counter retokenized = Counter.builder().name("setrec_items_retokenized_total")
            .help("known items sent with new text through the API, tokenized again").register(registry);

    ServerMetrics(IntSupplier queueDepth, IntSupplier items, Supplier<String> modelVersion) {
        GaugeWithCallback.builder().name("setrec_queue_depth").help("histories waiting for a batch")
                .callback(cb -> cb.call(queueDepth.getAsInt())).register(registry);
        GaugeWithCallback.builder().name("setrec_items").help("rankable items of the serving model")
                .callback(cb -> cb.call(items.getAsInt())).register(registry);
        GaugeWithCallback.builder().name("setrec_model_info").help("the serving model's version (value 1)")
                .labelNames("version").callback(cb -> {
                    String version = modelVersion.get();
                    if (version != null) {
                        cb.call(1, version);
                    }
                }).register(registry);
    }

    /** Counted under the route's template: the labels stay as few as the routes, whatever paths clients send. */
    void request(Route route, int status, long startNanos) {
        requests.labelValues(route.template, Integer.toString(status)).inc();
        latency.labelValues(route.template).observe((System.nanoTime() - startNanos) / 1e9);
    }

    void batch(int size, long modelNanos) {
        batchSize.observe(size);
        scoring.observe(modelNanos / 1e9);
    }

    void expired() {
        expired.inc();
    }

    void onboarded(SetRecService.Change change) {
        switch (change) {
            case ADDED -> onboarded.inc();
            case RETOKENIZED -> retokenized.inc();
            case UNCHANGED -> {
            }
        }
    }

    String contentType() {
        return writer.getContentType();
    }

    byte[] scrape() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writer.write(out, registry.scrape());
        return out.toByteArray();
    }
}
