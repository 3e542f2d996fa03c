package dev.setrec.data;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.chrono.IsoChronology;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.time.temporal.TemporalAccessor;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Reads one file's timestamps as epoch milliseconds. How the file writes them is fixed up front or, by default,
 * decided by its first timestamp: a number below {@link #MILLIS_FROM} is epoch seconds (fractions allowed), a larger
 * one epoch milliseconds, anything else must be ISO-8601. Every later timestamp must then be written the same way;
 * a number of the other size is taken for a mix of units and refused.
 */
final class Timestamps {
    /** 1e11: as seconds the year 5138, as milliseconds 1973; real logs lie on one side of it in either unit. */
    static final long MILLIS_FROM = 100_000_000_000L;
    private static final Pattern NUMBER = Pattern.compile("-?\\d{1,18}(\\.\\d{1,9})?");
    /** A date, optionally a time ('T' or a space), optionally an offset; without one the time is UTC. */
    private static final DateTimeFormatter ISO = new DateTimeFormatterBuilder().parseCaseInsensitive()
            .append(DateTimeFormatter.ISO_LOCAL_DATE)
            .optionalStart().appendLiteral('T').append(DateTimeFormatter.ISO_LOCAL_TIME)
            .optionalStart().appendOffsetId().optionalEnd()
            .optionalEnd()
            .toFormatter(Locale.ROOT).withChronology(IsoChronology.INSTANCE).withResolverStyle(ResolverStyle.STRICT);

    /** The ways a file may write its timestamps. */
    enum Kind {
        EPOCH_SECONDS("epoch seconds"), EPOCH_MILLIS("epoch milliseconds"), ISO_8601("ISO-8601");

        final String words;

        Kind(String words) {
            this.words = words;
        }

        /** auto (null), seconds, millis or iso. */
        static Kind parse(String text) {
            return switch (text.toLowerCase(Locale.ROOT)) {
                case "auto" -> null;
                case "seconds" -> EPOCH_SECONDS;
                case "millis" -> EPOCH_MILLIS;
                case "iso" -> ISO_8601;
                default -> throw new IllegalArgumentException("unknown time format '" + text
                        + "' (expected auto, seconds, millis or iso)");
            };
        }
    }

    private final boolean detect;
    private Kind kind;
    private long decidedOnLine;

    /** @param kind the file's way of writing timestamps, or null to decide it from the first one */
    Timestamps(Kind kind) {
        this.kind = kind;
        this.detect = kind == null;
    }

    /** How the file writes its timestamps; null while no timestamp has been read. */
    Kind kind() {
        return kind;
    }

    /**
     * The timestamp as epoch milliseconds.
     *
     * @throws IllegalArgumentException with the reason the timestamp is refused
     */
    long millis(String text, long line) {
        if (kind == null) {
            kind = NUMBER.matcher(text).matches()
                    ? (Math.abs(number(text).longValue()) < MILLIS_FROM ? Kind.EPOCH_SECONDS : Kind.EPOCH_MILLIS)
                    : Kind.ISO_8601;
            decidedOnLine = line;
            try {
                return millis(text);
            } catch (IllegalArgumentException e) {
                kind = null; // a first timestamp that is none of the three decides nothing
                throw new IllegalArgumentException("timestamp '" + text
                        + "' is neither epoch seconds, epoch milliseconds nor ISO-8601");
            }
        }
        return millis(text);
    }

    private long millis(String text) {
        if (kind == Kind.ISO_8601) {
            return iso(text);
        }
        if (!NUMBER.matcher(text).matches()) {
            throw new IllegalArgumentException("timestamp '" + text + "' is not a number (this file's timestamps are "
                    + kind.words + source() + ")");
        }
        BigDecimal value = number(text);
        boolean large = value.abs().compareTo(BigDecimal.valueOf(MILLIS_FROM)) >= 0;
        if (detect && large != (kind == Kind.EPOCH_MILLIS)) {
            throw new IllegalArgumentException("timestamp " + text + " looks like "
                    + (large ? Kind.EPOCH_MILLIS : Kind.EPOCH_SECONDS).words + ", but this file's timestamps are "
                    + kind.words + source());
        }
        BigDecimal millis = kind == Kind.EPOCH_SECONDS ? value.movePointRight(3) : value;
        return millis.setScale(0, RoundingMode.FLOOR).longValueExact();
    }

    private String source() {
        return detect ? ", as its first timestamp on line " + decidedOnLine + " is" : ", as the options say";
    }

    private static BigDecimal number(String text) {
        return new BigDecimal(text);
    }

    private long iso(String text) {
        // "2014-01-31 12:00:00", as databases write it, means the same as the 'T' form
        String normalized = text.length() > 10 && text.charAt(10) == ' '
                ? text.substring(0, 10) + 'T' + text.substring(11) : text;
        TemporalAccessor parsed;
        try {
            parsed = ISO.parseBest(normalized, OffsetDateTime::from, LocalDateTime::from, LocalDate::from);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("timestamp '" + text + "' is not ISO-8601 (this file's timestamps are"
                    + " ISO-8601" + source() + "; e.g. 2014-01-31, 2014-01-31T12:00:00 or 2014-01-31T12:00:00Z)");
        }
        if (parsed instanceof OffsetDateTime odt) {
            return odt.toInstant().toEpochMilli();
        }
        if (parsed instanceof LocalDateTime ldt) {
            return ldt.toInstant(ZoneOffset.UTC).toEpochMilli();
        }
        return ((LocalDate) parsed).atStartOfDay().toInstant(ZoneOffset.UTC).toEpochMilli();
    }
}
