package dev.setrec.api;

/** POST /v1/model/load: the model directory to load, below the server's models root. */
public record LoadRequest(@Required String dir) {
}
