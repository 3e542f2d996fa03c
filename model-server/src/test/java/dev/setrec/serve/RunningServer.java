package dev.setrec.serve;

import dev.setrec.serve.ApiClient.Reply;
import dev.setrec.testing.TinyModels;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;

/** A model server of tiny models (hash text encoder) on a free port, with a client; closed after its test. */
final class RunningServer implements AutoCloseable {
    final ModelServer server;
    final ApiClient api;
    private final ByteArrayOutputStream log;

    private RunningServer(ModelServer server, ByteArrayOutputStream log) {
        this.server = server;
        this.api = new ApiClient(server.uri());
        this.log = log;
    }

    static RunningServer start(Path model, ServerConfig config) throws IOException {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        return new RunningServer(ModelServer.start(model, config, new TinyModels.HashEncoder(),
                new PrintStream(log, true)), log);
    }

    Reply call(String method, String path, String body, String token) throws IOException, InterruptedException {
        return api.call(method, path, body, token);
    }

    Reply call(String method, String path, String body) throws IOException, InterruptedException {
        return api.call(method, path, body, null);
    }

    int port() {
        return server.port();
    }

    String log() {
        return log.toString();
    }

    @Override
    public void close() {
        server.close();
    }
}
