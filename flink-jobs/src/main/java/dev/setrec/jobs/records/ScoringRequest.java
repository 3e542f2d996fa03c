package dev.setrec.jobs.records;

/** One user's history (oldest first, bounded) after an interaction, to be ranked. */
public class ScoringRequest {
    public String userId;
    public String[] history;
    public long triggerEventTime;
    public long triggerRecordTime;

    public ScoringRequest() {
    }

    public ScoringRequest(String userId, String[] history, long triggerEventTime, long triggerRecordTime) {
        this.userId = userId;
        this.history = history;
        this.triggerEventTime = triggerEventTime;
        this.triggerRecordTime = triggerRecordTime;
    }
}
