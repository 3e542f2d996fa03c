package dev.setrec.api;

import java.util.List;

/** The answer of GET /v1/items: the ids of every rankable item. */
public record ItemIds(@Required String modelVersion, int count, @Required List<String> itemIds) {
}
