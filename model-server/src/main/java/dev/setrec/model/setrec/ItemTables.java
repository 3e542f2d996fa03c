package dev.setrec.model.setrec;

import dev.setrec.model.ModelManifest;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * items.bin of a SETRec model dir: every item's frozen inputs, the CF embedding and the text embedding, from which
 * the tokenizers make the item's token set. Kept with the model so that it scores without the training data.
 */
final class ItemTables {
    static final String FILE = "items.bin";
    private static final int MAGIC = 0x53455449; // "SETI"

    private ItemTables() {
    }

    static void write(Path dir, SetRec.ItemInputs items) throws IOException {
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(
                Files.newOutputStream(dir.resolve(FILE))))) {
            out.writeInt(MAGIC);
            out.writeInt(items.numItems());
            out.writeInt(items.cfDim());
            out.writeInt(items.textDim());
            for (int i = 0; i < items.numItems(); i++) {
                for (float f : items.cf()[i]) {
                    out.writeFloat(f);
                }
                for (float f : items.text()[i]) {
                    out.writeFloat(f);
                }
            }
        }
    }

    static SetRec.ItemInputs read(Path dir, int expectedItems) throws IOException {
        Path file = ModelManifest.requireFile(dir, FILE);
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            if (in.readInt() != MAGIC) {
                throw new IOException(file + ": not a SETRec item table");
            }
            int n = in.readInt();
            int cfDim = in.readInt();
            int textDim = in.readInt();
            if (n != expectedItems || cfDim <= 0 || textDim <= 0) {
                throw new IOException(file + ": holds " + n + " items of widths " + cfDim + "/" + textDim
                        + ", model.json says " + expectedItems + " items");
            }
            float[][] cf = new float[n][cfDim];
            float[][] text = new float[n][textDim];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < cfDim; j++) {
                    cf[i][j] = in.readFloat();
                }
                for (int j = 0; j < textDim; j++) {
                    text[i][j] = in.readFloat();
                }
            }
            if (in.read() != -1) {
                throw new IOException(file + ": trailing bytes after " + n + " items");
            }
            return new SetRec.ItemInputs(cf, text);
        } catch (EOFException e) {
            throw new IOException(file + ": truncated");
        }
    }
}
