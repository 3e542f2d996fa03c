package dev.setrec.jobs.functions;

import dev.setrec.schemas.BadRecordException;

/**
 * The rules for the fields of input messages. An id is kept exactly or refused: a user or item must never be split
 * in two by an invisible character, so ids with control or invisible (format) characters, a replacement character
 * (what invalid UTF-8 decodes to), leading or trailing white space, or more bytes than the limit are refused. Text
 * is only cleaned: control characters become spaces, invisible ones go, and it is cut to its limit.
 */
final class Fields {
    /** How much of an offending value a dead letter's reason quotes. */
    private static final int SHOWN_CODE_POINTS = 64;

    private Fields() {
    }

    static String id(String value, String field, int maxBytes) throws BadRecordException {
        if (value == null || value.isEmpty()) {
            throw new BadRecordException("missing " + field);
        }
        int bytes = utf8Length(value);
        if (bytes > maxBytes) {
            throw new BadRecordException(field + " is " + bytes + " bytes, over the limit of " + maxBytes + ": "
                    + shown(value));
        }
        for (int i = 0; i < value.length(); ) {
            int c = value.codePointAt(i);
            String problem = problem(c);
            if (problem != null) {
                throw new BadRecordException(field + " holds " + problem + " at character " + i + ": " + shown(value));
            }
            i += Character.charCount(c);
        }
        if (isBlank(value.codePointAt(0)) || isBlank(value.codePointBefore(value.length()))) {
            throw new BadRecordException(field + " has leading or trailing white space: " + shown(value));
        }
        return value;
    }

    /** What is wrong with a code point in an id, or null. */
    private static String problem(int c) {
        if (c == 0xFFFD) {
            return "U+FFFD (invalid UTF-8 in the message, or a replacement character)";
        }
        return switch (Character.getType(c)) {
            case Character.CONTROL -> "the control character " + codePoint(c);
            case Character.FORMAT -> "the invisible character " + codePoint(c);
            case Character.SURROGATE -> "an unpaired surrogate " + codePoint(c);
            default -> null;
        };
    }

    /**
     * The text with control characters as spaces, invisible (format) characters removed, white space at both ends
     * trimmed, cut to {@code maxBytes} of UTF-8 at a character boundary. Never null.
     */
    static String text(String value, int maxBytes) {
        if (value == null) {
            return "";
        }
        StringBuilder clean = null;
        for (int i = 0; i < value.length(); ) {
            int c = value.codePointAt(i);
            int type = Character.getType(c);
            boolean drop = type == Character.FORMAT || type == Character.SURROGATE;
            boolean space = type == Character.CONTROL;
            if ((drop || space) && clean == null) {
                clean = new StringBuilder(value.length()).append(value, 0, i);
            }
            if (clean != null && !drop) {
                clean.appendCodePoint(space ? ' ' : c);
            }
            i += Character.charCount(c);
        }
        String text = (clean == null ? value : clean.toString()).strip();
        return cut(text, maxBytes);
    }

    /** The longest prefix of at most {@code maxBytes} UTF-8 bytes that does not split a character. */
    static String cut(String text, int maxBytes) {
        if (text.length() * 3L <= maxBytes || utf8Length(text) <= maxBytes) {
            return text;
        }
        int bytes = 0;
        int end = 0;
        while (end < text.length()) {
            int c = text.codePointAt(end);
            int size = utf8Length(c);
            if (bytes + size > maxBytes) {
                break;
            }
            bytes += size;
            end += Character.charCount(c);
        }
        return text.substring(0, end);
    }

    /** A value as a reason quotes it: its first characters, invisible ones escaped, and its size where cut. */
    static String shown(String value) {
        StringBuilder shown = new StringBuilder("'");
        int count = 0;
        int i = 0;
        for (; i < value.length() && count < SHOWN_CODE_POINTS; count++) {
            int c = value.codePointAt(i);
            if (problem(c) != null || c == '\'') {
                shown.append(String.format("\\u%04X", c));
            } else {
                shown.appendCodePoint(c);
            }
            i += Character.charCount(c);
        }
        shown.append('\'');
        if (i < value.length()) {
            shown.append("... (").append(utf8Length(value)).append(" bytes)");
        }
        return shown.toString();
    }

    static int utf8Length(CharSequence text) {
        int bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3; // a lone surrogate is encoded as '?' by Java, but counting it as 3 is the safe side
            }
        }
        return bytes;
    }

    private static int utf8Length(int codePoint) {
        return codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
    }

    private static boolean isBlank(int c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c);
    }

    private static String codePoint(int c) {
        return String.format("U+%04X", c);
    }
}
