package dev.setrec.serve;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.regex.Pattern;

import static dev.setrec.serve.ApiError.Status.FORBIDDEN;
import static dev.setrec.serve.ApiError.Status.UNAUTHORIZED;

/**
 * Who may call what, and where the server may listen (docs/server.md, "Security defaults"):
 * <ul>
 * <li>no bind to a non-loopback address without a scoring token, unless the operator said
 *     {@value ServerConfig#INSECURE_NO_AUTH_FLAG};</li>
 * <li>scoring routes need the scoring token where one is set; model management needs the admin token, and with none
 *     set it is refused, except on a loopback server without any token (development); neither token grants the
 *     other's routes;</li>
 * <li>a loopback server without a scoring token answers only requests that name a loopback host: a web page whose
 *     name was re-bound to 127.0.0.1 (DNS rebinding) sends its own name and is refused.</li>
 * </ul>
 */
final class Access {
    /** An IP literal: parsed by InetAddress without a name lookup. */
    private static final Pattern IP_LITERAL = Pattern.compile("[0-9.]+|\\[?[0-9a-fA-F:.]+]?");

    private final byte[] scoring;
    private final byte[] admin;
    private final boolean loopback;

    private Access(ServerConfig.Auth auth, boolean loopback) {
        this.scoring = bearer(auth.token());
        this.admin = bearer(auth.adminToken());
        this.loopback = loopback;
    }

    /**
     * The access rules of a server bound to {@code host}.
     *
     * @throws IllegalArgumentException where the host does not resolve, or is not loopback and has no token
     *                                  without the operator's consent
     */
    static Access of(String host, ServerConfig.Auth auth) {
        boolean loopback = isLoopback(host);
        if (!loopback && auth.token() == null && !auth.insecureNoAuth()) {
            throw new IllegalArgumentException("refusing to listen on " + host + " without a bearer token: anyone "
                    + "who reaches it could score, onboard items and read metrics. Set " + ServerConfig.TOKEN_ENV
                    + " (or --token-file), or pass " + ServerConfig.INSECURE_NO_AUTH_FLAG + " to serve without one");
        }
        return new Access(auth, loopback);
    }

    private static boolean isLoopback(String host) {
        try {
            for (InetAddress address : InetAddress.getAllByName(host)) {
                if (!address.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("cannot listen on " + host + ": the name does not resolve");
        }
    }

    /** A line for the start-up log: how the server is protected. */
    String describe() {
        String admins = admin != null ? "admin token required for model management"
                : developmentServer() ? "model management open (loopback development server)"
                : "model management off (no " + ServerConfig.ADMIN_TOKEN_ENV + ")";
        return (scoring != null ? "bearer token required" : loopback ? "no token (loopback only)"
                : "WITHOUT authentication (" + ServerConfig.INSECURE_NO_AUTH_FLAG + ")") + "; " + admins;
    }

    /** Passes where the request may call {@code route}; else the 401 or 403 to answer. */
    void authorize(Request request, Route route) throws ApiError {
        if (scoring == null && loopback) {
            requireLoopbackOrigin(request);
        }
        String given = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        switch (route.scope) {
            case OPEN -> {
            }
            case SCORING -> {
                if (scoring != null && !matches(scoring, given)) {
                    throw matches(admin, given) ? new ApiError(FORBIDDEN, "the admin token grants model management "
                            + "only; this path takes the scoring token (" + ServerConfig.TOKEN_ENV + ")")
                            : unauthenticated(given);
                }
            }
            case ADMIN -> {
                if (admin == null) {
                    if (!developmentServer()) {
                        throw new ApiError(FORBIDDEN, "model management is off: start the server with an admin "
                                + "token (" + ServerConfig.ADMIN_TOKEN_ENV + " or --admin-token-file) to load models "
                                + "and roll back");
                    }
                } else if (!matches(admin, given)) {
                    throw matches(scoring, given) ? new ApiError(FORBIDDEN, "the scoring token does not grant model "
                            + "management; this path takes the admin token (" + ServerConfig.ADMIN_TOKEN_ENV + ")")
                            : unauthenticated(given);
                }
            }
        }
    }

    /** No token at all and reachable from this host only: model management is open, for development. */
    private boolean developmentServer() {
        return scoring == null && admin == null && loopback;
    }

    private static ApiError unauthenticated(String given) {
        return new ApiError(UNAUTHORIZED, given == null ? "this server needs an Authorization: Bearer token"
                : "wrong bearer token");
    }

    /**
     * Without a token, a loopback server is open to every local process, and to web pages in a local browser unless
     * they are told apart: a page whose name was re-bound to 127.0.0.1 still sends its own name as Host, and a page
     * posting across origins sends its Origin.
     */
    private static void requireLoopbackOrigin(Request request) throws ApiError {
        String host = request.getHttpURI().getHost();
        if (!isLoopbackName(host)) {
            throw new ApiError(FORBIDDEN, "a server without a token answers requests for localhost or a loopback "
                    + "address only, not for host " + host + " (a guard against DNS rebinding); set a token to "
                    + "serve others");
        }
        String origin = request.getHeaders().get(HttpHeader.ORIGIN);
        if (origin != null && !isLoopbackName(originHost(origin))) {
            throw new ApiError(FORBIDDEN, "a server without a token answers no web page of another host (Origin "
                    + origin + ")");
        }
    }

    private static String originHost(String origin) {
        try {
            return URI.create(origin).getHost();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static boolean isLoopbackName(String host) {
        return host != null && (host.equalsIgnoreCase("localhost") || isLoopbackLiteral(host));
    }

    private static boolean isLoopbackLiteral(String host) {
        if (!IP_LITERAL.matcher(host).matches()) {
            return false; // a name other than localhost: never looked up
        }
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static byte[] bearer(String token) {
        return token == null ? null : ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
    }

    private static boolean matches(byte[] expected, String given) {
        // constant-time: the comparison does not tell how much of a guess was right
        return expected != null && given != null
                && MessageDigest.isEqual(expected, given.getBytes(StandardCharsets.UTF_8));
    }
}
