package dev.setrec.api;

import java.util.List;

/** POST /v1/items: the items to onboard, all in one update of the scoring tables. */
public record ItemsRequest(@Required List<Item> items) {
}
