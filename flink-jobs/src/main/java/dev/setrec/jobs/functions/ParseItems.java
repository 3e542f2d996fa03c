package dev.setrec.jobs.functions;

import dev.setrec.jobs.records.ItemRecord;
import dev.setrec.jobs.records.RawRecord;
import dev.setrec.schemas.AvroCodec;
import dev.setrec.schemas.BadRecordException;
import dev.setrec.schemas.ItemEvent;

/** ItemEvent messages with an id and some text (the semantic tokens come from it) pass; the rest are dead letters. */
public final class ParseItems extends ParseRecords<ItemEvent, ItemRecord> {
    private static final long serialVersionUID = 1L;

    public ParseItems() {
        super(AvroCodec.of(ItemEvent.class));
    }

    @Override
    protected ItemRecord validate(ItemEvent item, RawRecord source) throws BadRecordException {
        required(item.getItemId(), "itemId");
        boolean hasText = !item.getTitle().isBlank() || !item.getBrand().isBlank()
                || !item.getDescription().isBlank() || item.getCategories().stream().anyMatch(c -> !c.isBlank());
        if (!hasText) {
            throw new BadRecordException("item " + item.getItemId() + " has no text (title, categories, brand or "
                    + "description): it cannot be tokenized");
        }
        return new ItemRecord(item, source);
    }
}
