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
 * items.bin of a SETRec model dir: for every catalogue row its external id, cold flag, frozen CF embedding and
 * text embedding, from which the tokenizers make the item's token set. Kept with the model so that it scores
 * (and grows) without the training data.
 */
final class ItemTables {
    static final String FILE = "items.bin";
    private static final int MAGIC = 0x53455449; // "SETI"

    private ItemTables() {
    }

    static void write(Path dir, ItemInputs items) throws IOException {
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(
                Files.newOutputStream(dir.resolve(FILE))))) {
            out.writeInt(MAGIC);
            out.writeInt(items.numItems());
            out.writeInt(items.cfDim());
            out.writeInt(items.textDim());
            for (int i = 0; i < items.numItems(); i++) {
                out.writeUTF(items.ids()[i]);
                out.writeBoolean(items.cold()[i]);
                for (float f : items.cf()[i]) {
                    out.writeFloat(f);
                }
                for (float f : items.text()[i]) {
                    out.writeFloat(f);
                }
            }
        }
    }

    static ItemInputs read(Path dir, int expectedItems) throws IOException {
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
            String[] ids = new String[n];
            boolean[] cold = new boolean[n];
            float[][] cf = new float[n][cfDim];
            float[][] text = new float[n][textDim];
            for (int i = 0; i < n; i++) {
                ids[i] = in.readUTF();
                cold[i] = in.readBoolean();
                readFloats(in, cf[i]);
                readFloats(in, text[i]);
            }
            if (in.read() != -1) {
                throw new IOException(file + ": trailing bytes after " + n + " items");
            }
            return new ItemInputs(ids, cf, text, cold);
        } catch (EOFException e) {
            throw new IOException(file + ": truncated");
        }
    }

    private static void readFloats(DataInputStream in, float[] row) throws IOException {
        for (int j = 0; j < row.length; j++) {
            row[j] = in.readFloat();
        }
    }
}
