package dev.setrec.jobs.functions;

import dev.setrec.jobs.records.Interaction;
import dev.setrec.jobs.records.RawRecord;
import dev.setrec.schemas.AvroCodec;
import dev.setrec.schemas.BadRecordException;
import dev.setrec.schemas.InteractionEvent;

/** InteractionEvent messages with a user, an item and a positive event time become {@link Interaction}s. */
public final class ParseInteractions extends ParseRecords<InteractionEvent, Interaction> {
    private static final long serialVersionUID = 1L;

    public ParseInteractions() {
        super(AvroCodec.of(InteractionEvent.class));
    }

    @Override
    protected Interaction validate(InteractionEvent event, RawRecord source) throws BadRecordException {
        String user = required(event.getUserId(), "userId");
        String item = required(event.getItemId(), "itemId");
        long eventTime = event.getEventTime().toEpochMilli();
        if (eventTime <= 0) {
            throw new BadRecordException("eventTime " + eventTime + " is not a positive epoch millisecond");
        }
        return new Interaction(user, item, eventTime, source);
    }
}
