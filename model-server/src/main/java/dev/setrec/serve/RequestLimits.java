package dev.setrec.serve;

import java.time.Duration;

/**
 * How large a request may be; beyond a limit the request is refused with 400 (413 for the body) naming the field and
 * the limit, except a description, which is cut (it is only a fallback of the item text, see docs/server.md).
 *
 * @param maxK                largest k a request may ask for
 * @param maxHistories        most histories in one recommend request, and most items in one onboarding request
 * @param maxHistory          most items in one history (and in one exclude list)
 * @param maxBodyBytes        largest request body
 * @param maxIdBytes          longest item id, history entry, exclude entry or user, in UTF-8 bytes
 * @param maxTextBytes        longest title, brand or category level, in UTF-8 bytes
 * @param maxCategories       most category levels of one item
 * @param maxDescriptionBytes a longer description is cut to this many UTF-8 bytes (at a character boundary)
 * @param bodyTimeout         longest a request body may take to arrive (408 beyond): a client sending a byte now
 *                            and then is never idle, and would keep its connection for ever
 */
public record RequestLimits(int maxK, int maxHistories, int maxHistory, int maxBodyBytes, int maxIdBytes,
                            int maxTextBytes, int maxCategories, int maxDescriptionBytes, Duration bodyTimeout) {
    /** The defaults of {@code ./setrec serve}. */
    public static final RequestLimits DEFAULTS = new RequestLimits(1000, 512, 200, 1 << 20, 256, 4096, 32, 16_384,
            Duration.ofSeconds(30));

    public RequestLimits {
        if (maxK < 1 || maxHistories < 1 || maxHistory < 1 || maxBodyBytes < 1 || maxIdBytes < 1 || maxTextBytes < 1
                || maxCategories < 1 || maxDescriptionBytes < 1 || bodyTimeout.isNegative() || bodyTimeout.isZero()) {
            throw new IllegalArgumentException("every request limit must be positive");
        }
    }

    public RequestLimits withBodyTimeout(Duration bodyTimeout) {
        return new RequestLimits(maxK, maxHistories, maxHistory, maxBodyBytes, maxIdBytes, maxTextBytes, maxCategories,
                maxDescriptionBytes, bodyTimeout);
    }
}
