package dev.setrec.serve;

import dev.setrec.api.LoadRequest;
import dev.setrec.api.ModelInfo;
import dev.setrec.api.RollbackRequest;
import dev.setrec.model.setrec.ModelVersions;
import dev.setrec.model.setrec.ScoreMix;

import static dev.setrec.serve.ApiError.Status.CONFLICT;
import static dev.setrec.serve.ApiError.Status.MODEL_REFUSED;

/** The model's paths: what serves, loading another model directory, rolling back to the one before. */
final class ManagementApi {
    private final Serving serving;
    private final Requests requests;
    private final ModelsRoot modelsRoot;

    ManagementApi(Serving serving, Requests requests, ModelsRoot modelsRoot) {
        this.serving = serving;
        this.requests = requests;
        this.modelsRoot = modelsRoot;
    }

    void info(Exchange exchange) {
        ModelVersions.Version model = serving.current();
        if (model == null) {
            exchange.ok(ModelInfo.NotReady.ANSWER);
        } else {
            exchange.ok(info(model));
        }
    }

    void load(Exchange exchange, LoadRequest body) throws ApiError {
        try {
            serving.load(modelsRoot.resolve(requests.loadDir(body)));
        } catch (Serving.ModelRefused e) {
            throw new ApiError(MODEL_REFUSED, e.getMessage());
        }
        exchange.ok(info(serving.current()));
    }

    /** The body has no fields to act on: reading it strictly has refused any. */
    void rollback(Exchange exchange, RollbackRequest body) throws ApiError {
        if (!serving.rollback()) {
            throw new ApiError(CONFLICT, "no previous model version to roll back to");
        }
        exchange.ok(info(serving.current()));
    }

    private ModelInfo info(ModelVersions.Version model) {
        ModelVersions.Version previous = serving.previous();
        ScoreMix mix = model.service.mix();
        return new ModelInfo(true, model.version(), previous == null ? null : previous.version(),
                model.dir.toString(), model.service.numItems(), serving.onboardedItems(), mix.beta(), mix.betaCold(),
                mix.coldShift(), model.loadedAt.toString());
    }
}
