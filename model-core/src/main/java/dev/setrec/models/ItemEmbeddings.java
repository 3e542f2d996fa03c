package dev.setrec.models;

import com.google.gson.JsonObject;
import dev.setrec.data.Dataset;
import dev.setrec.data.ItemText;
import dev.setrec.text.CachedTextEncoder;
import dev.setrec.text.ItemTexts;
import dev.setrec.text.MiniLmEncoder;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;

/** The text embedding of every item of a data set, for SETRec's semantic tokenizer (cached on disk). */
final class ItemEmbeddings {
    private ItemEmbeddings() {
    }

    static float[][] of(Dataset data, Path cacheDir, JsonObject record, PrintStream log) {
        ItemText[] texts = data.itemTexts().orElse(null);
        if (texts == null) {
            log.println("no items.tsv in " + data.name() + ": every item has empty text, so the semantic tokens "
                    + "carry no item signal (cold items cannot be told apart); training goes on with CF tokens");
            record.addProperty("item_text", "none (no items.tsv)");
            texts = new ItemText[data.numItems()];
            Arrays.fill(texts, ItemText.EMPTY);
        }
        try (CachedTextEncoder encoder = cacheDir == null ? new CachedTextEncoder(new MiniLmEncoder(), log)
                : new CachedTextEncoder(new MiniLmEncoder(), cacheDir, log)) {
            if (!record.has("item_text")) {
                record.addProperty("item_text", "items.tsv via " + encoder.id());
            }
            return ItemTexts.embedAll(encoder, texts, log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
