package dev.setrec.api;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The API's JSON: what the server sends and how it reads requests, for the server and its clients alike. */
class ApiJsonTest {
    @Test
    void writesSnakeCaseNamesInTheRecordsOrderAndLeavesOutAbsentFields() {
        RecommendResponse answer = new RecommendResponse(List.of(
                new RecommendResponse.Result(null, List.of(new RecommendResponse.ScoredItem("a", 0.1f)), 1),
                new RecommendResponse.Result("u", List.of(), 0)), "v1");
        // a float as the shortest text that reads back as it (0.1, not the double 0.10000000149011612)
        assertEquals("{\"results\":[{\"items\":[{\"item_id\":\"a\",\"score\":0.1}],\"known_items\":1},"
                + "{\"user\":\"u\",\"items\":[],\"known_items\":0}],\"model_version\":\"v1\"}", ApiJson.write(answer));
    }

    @Test
    void writesTheNullOfANullableField() {
        String info = ApiJson.write(new ModelInfo(true, "v2", null, "m", 3, 0L, 0.5f, 0.25f, 0f, "t"));
        assertTrue(info.contains("\"previous_version\":null"), info);
        assertEquals("{\"ready\":false,\"version\":\"\",\"items\":0}", ApiJson.write(ModelInfo.NotReady.ANSWER));
    }

    /** Ids and texts are data: sent as they are, not escaped for HTML pages the API never serves. */
    @Test
    void writesTextAsItIs() {
        assertEquals("{\"error\":\"unknown item <a href='x'>&\"}",
                ApiJson.write(new ErrorBody("unknown item <a href='x'>&")));
    }

    @Test
    void aClientSkipsFieldsItDoesNotKnow() {
        ItemIds ids = ApiJson.read("{\"model_version\":\"v\",\"shards\":[1],\"count\":1,\"item_ids\":[\"a\"]}",
                ItemIds.class);
        assertEquals(new ItemIds("v", 1, List.of("a")), ids);
    }

    @Test
    void theServerRefusesFieldsItDoesNotDefineNamingThemByTheirPath() {
        assertRefused("{\"requests\":[{\"history\":[]},{\"histroy\":[]}]}", RecommendRequest.class,
                "unknown field requests[1].histroy (known: exclude, history, user)");
        assertRefused("{\"to\":\"v1\"}", RollbackRequest.class, "unknown field to (this body takes no fields)");
    }

    @Test
    void theServerRefusesValuesOfAnotherJsonType() throws InvalidJson {
        assertRefused("{\"k\":\"5\",\"requests\":[]}", RecommendRequest.class, "k must be an integer, not \"5\"");
        assertRefused("{\"k\":2.5,\"requests\":[]}", RecommendRequest.class, "k must be an integer, not 2.5");
        assertRefused("{\"exclude_seen\":1,\"requests\":[]}", RecommendRequest.class,
                "exclude_seen must be true or false");
        assertRefused("{\"requests\":{}}", RecommendRequest.class, "requests must be a JSON array");
        assertRefused("{\"requests\":[7]}", RecommendRequest.class, "requests[0] must be a JSON object");
        assertRefused("{\"requests\":[{\"history\":[\"a\",3]}]}", RecommendRequest.class,
                "requests[0].history[1] must be a string");
        assertRefused("{\"requests\":[{\"history\":\"a\"}]}", RecommendRequest.class,
                "requests[0].history must be an array of strings");
        assertRefused("{\"dir\":\"m\\ud800\"}", LoadRequest.class,
                "dir is not valid Unicode: a lone surrogate at character 1");
        assertEquals(3, read("{\"k\":3.0,\"requests\":[]}", RecommendRequest.class).k());
    }

    /** Null is the value of a nullable field, and nothing else's: a null k or user would be taken for absent. */
    @Test
    void theServerTakesNullOnlyForANullableField() throws InvalidJson {
        Item item = read("{\"item_id\":\"i\",\"title\":null,\"categories\":null,\"brand\":\"b\"}", Item.class);
        assertEquals(new Item("i", null, null, "b", null), item);
        assertRefused("{\"k\":null,\"requests\":[]}", RecommendRequest.class, "k must be an integer, not null");
        assertRefused("{\"requests\":[{\"user\":null,\"history\":[]}]}", RecommendRequest.class,
                "requests[0].user must be a string");
        assertNull(read("{\"requests\":[]}", RecommendRequest.class).k(), "absent is null");
    }

    private static <T extends Record> T read(String json, Class<T> type) throws InvalidJson {
        return ApiJson.readStrict(json.getBytes(StandardCharsets.UTF_8), type);
    }

    private static void assertRefused(String json, Class<? extends Record> type, String reason) {
        assertEquals(reason, assertThrows(InvalidJson.class, () -> read(json, type), json).getMessage());
    }
}
