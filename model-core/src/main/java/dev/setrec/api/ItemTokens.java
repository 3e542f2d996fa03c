package dev.setrec.api;

/** The answer of GET /v1/items/{item_id}: the item's token set under the current model. */
public record ItemTokens(@Required String modelVersion, @Required String itemId, int row, boolean cold,
                         @Required float[] cfToken, @Required float[][] semanticTokens) {
}
