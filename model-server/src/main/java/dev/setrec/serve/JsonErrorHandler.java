package dev.setrec.serve;

import dev.setrec.api.ApiJson;
import dev.setrec.api.ErrorBody;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The answers Jetty gives itself, before the API sees a request (a malformed URI, headers over the limit, a body
 * too slow), as the API's {"error": reason} JSON instead of an HTML page.
 */
final class JsonErrorHandler extends ErrorHandler {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int status = response.getStatus();
        String message = request.getAttribute(ERROR_MESSAGE) instanceof String m ? m : HttpStatus.getMessage(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, ByteBuffer.wrap(json(message)), callback);
        return true;
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, "application/json");
        return ByteBuffer.wrap(json(reason != null ? reason : HttpStatus.getMessage(status)));
    }

    private static byte[] json(String message) {
        return ApiJson.write(new ErrorBody(message)).getBytes(StandardCharsets.UTF_8);
    }
}
