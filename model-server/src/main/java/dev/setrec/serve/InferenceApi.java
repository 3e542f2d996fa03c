package dev.setrec.serve;

import dev.setrec.api.ItemIds;
import dev.setrec.api.ItemTokens;
import dev.setrec.api.ItemsRequest;
import dev.setrec.api.ItemsResponse;
import dev.setrec.api.RecommendRequest;
import dev.setrec.api.Readiness;
import dev.setrec.api.RecommendResponse;
import dev.setrec.model.setrec.ModelVersions;
import dev.setrec.model.setrec.SetRecService;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;

import static dev.setrec.serve.ApiError.Status.BAD_REQUEST;
import static dev.setrec.serve.ApiError.Status.DEADLINE_PASSED;
import static dev.setrec.serve.ApiError.Status.INTERNAL;
import static dev.setrec.serve.ApiError.Status.NOT_FOUND;
import static dev.setrec.serve.ApiError.Status.NOT_READY;
import static dev.setrec.serve.ApiError.Status.QUEUE_FULL;

/** The scoring paths: recommendations, the catalogue, onboarding of new items and their tokens; readiness. */
final class InferenceApi {
    private final Serving serving;
    private final Requests requests;

    InferenceApi(Serving serving, Requests requests) {
        this.serving = serving;
        this.requests = requests;
    }

    void ready(Exchange exchange) throws ApiError {
        requireReady();
        exchange.ok(Readiness.READY);
    }

    void recommend(Exchange exchange, RecommendRequest body) throws ApiError {
        requireReady();
        Requests.Recommend call = requests.recommend(body, exchange.start);
        // submitted only once every entry is valid: a 400 leaves no work queued
        List<CompletableFuture<Serving.Answer>> answers = new ArrayList<>(call.queries().size());
        for (Serving.Query query : call.queries()) {
            answers.add(serving.recommend(query));
        }
        CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).whenComplete((ignored, failure) -> {
            if (failure == null) {
                try {
                    answer(exchange, call.users(), answers);
                } catch (RuntimeException e) { // thrown here, it would go nowhere and leave the client waiting
                    exchange.fail(new ApiError(INTERNAL, "internal error: " + e));
                }
                return;
            }
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            exchange.fail(cause instanceof RejectedExecutionException
                    ? new ApiError(serving.accepting() ? QUEUE_FULL : NOT_READY, cause.getMessage())
                    : new ApiError(INTERNAL, "scoring failed: " + cause));
        });
    }

    private static void answer(Exchange exchange, List<String> users, List<CompletableFuture<Serving.Answer>> answers) {
        List<RecommendResponse.Result> results = new ArrayList<>(answers.size());
        String version = null;
        for (int i = 0; i < answers.size(); i++) {
            Serving.Answer answer = answers.get(i).join();
            if (answer.expired()) {
                exchange.fail(new ApiError(DEADLINE_PASSED, "the deadline passed before the request was scored"));
                return;
            }
            version = answer.modelVersion();
            List<RecommendResponse.ScoredItem> items = new ArrayList<>(answer.items().size());
            for (SetRecService.Scored s : answer.items()) {
                items.add(new RecommendResponse.ScoredItem(s.itemId(), s.score()));
            }
            results.add(new RecommendResponse.Result(users.get(i), items, answer.knownItems()));
        }
        // one version for the whole response: entries scored in batches on both sides of a swap name the last one
        exchange.ok(new RecommendResponse(results, version));
    }

    void itemIds(Exchange exchange) throws ApiError {
        requireReady();
        ModelVersions.Version model = serving.lease();
        try {
            List<String> ids = model.service.itemIds();
            exchange.ok(new ItemIds(model.version(), ids.size(), ids));
        } finally {
            model.release();
        }
    }

    void onboard(Exchange exchange, ItemsRequest body) throws ApiError, IOException {
        requireReady();
        List<Serving.Onboarded> done = serving.onboard(requests.items(body.items(), System.currentTimeMillis()));
        List<ItemsResponse.Row> rows = new ArrayList<>(done.size());
        for (Serving.Onboarded o : done) {
            rows.add(new ItemsResponse.Row(o.itemId(), o.row(), o.change() == SetRecService.Change.ADDED,
                    o.change() == SetRecService.Change.RETOKENIZED));
        }
        exchange.ok(new ItemsResponse(serving.current().version(), rows));
    }

    void tokens(Exchange exchange, String encodedId) throws ApiError {
        requireReady();
        String id;
        try {
            id = URLDecoder.decode(encodedId.replace("+", "%2B"), StandardCharsets.UTF_8); // '+' is not a space here
        } catch (IllegalArgumentException e) {
            throw new ApiError(BAD_REQUEST, "the item id in the path is not percent-encoded properly: "
                    + e.getMessage());
        }
        ModelVersions.Version model = serving.lease();
        try {
            int row = model.service.row(id);
            if (row < 0) {
                throw new ApiError(NOT_FOUND, "unknown item " + id);
            }
            float[][] tokens = model.service.tokens(row);
            exchange.ok(new ItemTokens(model.version(), id, row, model.service.isCold(row), tokens[0],
                    Arrays.copyOfRange(tokens, 1, tokens.length)));
        } finally {
            model.release();
        }
    }

    private void requireReady() throws ApiError {
        if (!serving.ready()) {
            throw new ApiError(NOT_READY, "no model loaded yet");
        }
    }
}
