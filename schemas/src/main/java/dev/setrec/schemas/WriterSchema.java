package dev.setrec.schemas;

import java.io.Serializable;

/** A writer schema a codec resolves, by its JSON text, with the name it goes by in messages ("v2", a file name). */
record WriterSchema(String label, String json) implements Serializable {
}
