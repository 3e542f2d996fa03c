package dev.setrec.data;

/** Bad input in a data dir: the message is one line, "file:line: reason" where a line is known. */
public class DataFormatException extends RuntimeException {
    public DataFormatException(String message) {
        super(message);
    }

    public static DataFormatException at(String file, long line, String reason) {
        return new DataFormatException(file + ":" + line + ": " + reason);
    }
}
