/**
 * The model server's HTTP/JSON contract (model-server/src/main/resources/openapi.yaml) as records, and
 * {@link dev.setrec.api.ApiJson}, their JSON for the server and its clients. Depends on Gson and the JDK only.
 */
package dev.setrec.api;
