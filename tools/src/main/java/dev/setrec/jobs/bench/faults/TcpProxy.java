package dev.setrec.jobs.bench.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A TCP proxy on a local port, in front of a server the test starts, stops and starts again on other ports, so that
 * a client configured once (the job's model-server URL) meets every state of that server:
 * <ul>
 *   <li>forwarding to the server's port: the server as it is;</li>
 *   <li>forwarding to a port nothing listens on (the server is down or was never started): each connection the
 *       proxy accepts is reset at once, which is what a client sees of a server that is gone;</li>
 *   <li>paused: connections stay open and new ones are accepted, but not a byte goes through either way (a hung
 *       server, a network that drops packets) until {@link #resume()}.</li>
 * </ul>
 */
public final class TcpProxy implements AutoCloseable {
    private static final int CONNECT_TIMEOUT_MILLIS = 2_000;
    /** No server to forward to yet: every connection is reset. */
    private static final int NOWHERE = -1;

    private final ServerSocket listener;
    private final ExecutorService threads = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "tcp-proxy");
        thread.setDaemon(true);
        return thread;
    });
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Object gate = new Object();
    private boolean paused;
    private volatile int upstreamPort = NOWHERE;

    private TcpProxy(ServerSocket listener) {
        this.listener = listener;
    }

    /** Listens on an ephemeral port of 127.0.0.1, forwarding nowhere until {@link #forwardTo}. */
    public static TcpProxy start() throws IOException {
        TcpProxy proxy = new TcpProxy(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
        proxy.threads.execute(proxy::acceptAll);
        return proxy;
    }

    /** {@code http://127.0.0.1:<port>}: the URL clients are given instead of the server's. */
    public URI uri() {
        return URI.create("http://127.0.0.1:" + listener.getLocalPort());
    }

    /** New connections go to {@code port} of 127.0.0.1; open ones stay with the server they were made to. */
    public void forwardTo(int port) {
        upstreamPort = port;
    }

    /** Stops forwarding: what arrives on either side waits, and connections stay open. */
    public void pause() {
        synchronized (gate) {
            paused = true;
        }
    }

    /** Forwards again, what waited first. */
    public void resume() {
        synchronized (gate) {
            paused = false;
            gate.notifyAll();
        }
    }

    private void acceptAll() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                open.add(client);
                threads.execute(() -> connect(client));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void connect(Socket client) {
        Socket upstream = new Socket();
        open.add(upstream);
        try {
            if (upstreamPort == NOWHERE) {
                throw new IOException("no server to forward to");
            }
            upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), upstreamPort),
                    CONNECT_TIMEOUT_MILLIS);
        } catch (IOException refused) {
            reset(client);
            close(upstream);
            return;
        }
        threads.execute(() -> pump(client, upstream));
        pump(upstream, client);
    }

    /** Copies one direction until either side closes, then closes both. */
    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[8192];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                awaitForwarding();
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException | InterruptedException closed) {
            // either side went away (or the proxy closes): the other side learns it below
        } finally {
            close(from);
            close(to);
        }
    }

    private void awaitForwarding() throws InterruptedException {
        synchronized (gate) {
            while (paused) {
                gate.wait();
            }
        }
    }

    /** Closes with an RST instead of a FIN: the client's next read fails instead of seeing a clean end. */
    private void reset(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException alreadyClosed) {
            // closed either way
        }
        close(socket);
    }

    private void close(Socket socket) {
        open.remove(socket);
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing to release
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        resume(); // waiting pumps write into sockets closed below, and end
        open.forEach(this::close);
        threads.shutdownNow();
    }
}
