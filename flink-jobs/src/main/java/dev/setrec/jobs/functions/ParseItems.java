package dev.setrec.jobs.functions;

import dev.setrec.jobs.JobOptions;
import dev.setrec.jobs.records.ItemRecord;
import dev.setrec.jobs.records.RawRecord;
import dev.setrec.schemas.AvroCodec;
import dev.setrec.schemas.BadRecordException;
import dev.setrec.schemas.ItemEvent;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * ItemEvent messages with a valid id and some text (the semantic tokens come from it) pass, their text cleaned and
 * cut to the limits (see {@link Fields#text}); the rest are dead letters.
 */
public final class ParseItems extends ParseRecords<ItemEvent, ItemRecord> {
    private static final long serialVersionUID = 1L;

    public ParseItems(AvroCodec<ItemEvent> codec, InputLimits limits) {
        super(codec, limits, JobOptions.MAX_ITEM_BYTES.key(), limits.maxItemBytes());
    }

    @Override
    protected ItemRecord validate(ItemEvent item, RawRecord source) throws BadRecordException {
        String id = Fields.id(item.getItemId(), "itemId", limits.maxIdBytes());
        List<String> categories = new ArrayList<>();
        for (String category : item.getCategories()) {
            String clean = Fields.text(category, limits.maxTextBytes());
            if (!clean.isEmpty() && categories.size() < limits.maxCategories()) {
                categories.add(clean);
            }
        }
        ItemEvent clean = ItemEvent.newBuilder()
                .setItemId(id)
                .setTitle(Fields.text(item.getTitle(), limits.maxTextBytes()))
                .setCategories(categories)
                .setBrand(Fields.text(item.getBrand(), limits.maxTextBytes()))
                .setDescription(Fields.text(item.getDescription(), limits.maxDescriptionBytes()))
                .setEventTime(Instant.ofEpochMilli(eventTime(item.getEventTime().toEpochMilli())))
                .build();
        if (clean.getTitle().isEmpty() && clean.getBrand().isEmpty() && clean.getDescription().isEmpty()
                && categories.isEmpty()) {
            throw new BadRecordException("item " + Fields.shown(id) + " has no text (title, categories, brand or "
                    + "description): it cannot be tokenized");
        }
        return new ItemRecord(clean, source);
    }

    @Override
    protected String id(ItemEvent item) {
        return item.getItemId();
    }
}
