package dev.setrec.serve;

import java.util.List;

/**
 * The API's paths (openapi.yaml) as templates: what a request's path is matched against, the label it is counted
 * under in the metrics (so that the series stay as few as the routes, whatever paths clients send), who may call
 * it, and with which methods.
 */
enum Route {
    RECOMMEND("/v1/recommend", Scope.SCORING, "POST"),
    ITEMS("/v1/items", Scope.SCORING, "GET", "POST"),
    ITEM("/v1/items/{item_id}", Scope.SCORING, "GET"),
    MODEL("/v1/model", Scope.SCORING, "GET"),
    MODEL_LOAD("/v1/model/load", Scope.ADMIN, "POST"),
    MODEL_ROLLBACK("/v1/model/rollback", Scope.ADMIN, "POST"),
    LIVE("/health/live", Scope.OPEN, "GET"),
    READY("/health/ready", Scope.OPEN, "GET"),
    METRICS("/metrics", Scope.SCORING, "GET"),
    /** Every other path: one label for all of them. */
    UNMATCHED("unmatched", Scope.SCORING);

    /** Who may call a route. */
    enum Scope {
        /** Anyone (probes carry no token). */
        OPEN,
        /** Holders of the scoring token: scoring, onboarding, reading model info and metrics. */
        SCORING,
        /** Holders of the admin token: loading models and rolling back. */
        ADMIN
    }

    private static final String ITEM_PREFIX = "/v1/items/";

    final String template;
    final Scope scope;
    final List<String> methods;

    Route(String template, Scope scope, String... methods) {
        this.template = template;
        this.scope = scope;
        this.methods = List.of(methods);
    }

    /** The route of a (decoded) request path. */
    static Route of(String path) {
        if (path.startsWith(ITEM_PREFIX) && path.length() > ITEM_PREFIX.length()) {
            return ITEM;
        }
        for (Route route : values()) {
            if (route != ITEM && route.template.equals(path)) {
                return route;
            }
        }
        return UNMATCHED;
    }

    /** The value of an Allow header. */
    String allow() {
        return String.join(", ", methods);
    }
}
