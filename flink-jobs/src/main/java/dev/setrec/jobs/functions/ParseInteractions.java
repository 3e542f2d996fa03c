package dev.setrec.jobs.functions;

import dev.setrec.jobs.JobOptions;
import dev.setrec.jobs.records.Interaction;
import dev.setrec.jobs.records.RawRecord;
import dev.setrec.schemas.AvroCodec;
import dev.setrec.schemas.BadRecordException;
import dev.setrec.schemas.InteractionEvent;

/** InteractionEvent messages with a valid user id, item id and event time become {@link Interaction}s. */
public final class ParseInteractions extends ParseRecords<InteractionEvent, Interaction> {
    private static final long serialVersionUID = 1L;

    public ParseInteractions(AvroCodec<InteractionEvent> codec, InputLimits limits) {
        super(codec, limits, JobOptions.MAX_INTERACTION_BYTES.key(), limits.maxInteractionBytes());
    }

    @Override
    protected Interaction validate(InteractionEvent event, RawRecord source) throws BadRecordException {
        String user = Fields.id(event.getUserId(), "userId", limits.maxIdBytes());
        String item = Fields.id(event.getItemId(), "itemId", limits.maxIdBytes());
        return new Interaction(user, item, eventTime(event.getEventTime().toEpochMilli()), source);
    }

    @Override
    protected String id(InteractionEvent event) {
        return event.getUserId();
    }
}
