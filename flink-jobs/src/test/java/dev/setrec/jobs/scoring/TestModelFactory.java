package dev.setrec.jobs.scoring;

import java.io.Serializable;

/**
 * The factory of a stand-in test model: its key, and a serializable creator (the operator under test is serialized
 * with its factory, as on a cluster).
 */
record TestModelFactory(String key, Creator creator) implements SetRecOperator.Factory {
    private static final long serialVersionUID = 1L;

    /** Builds the stand-in model; a lambda of this type is serializable. */
    interface Creator extends Serializable {
        SetRecOperator create();
    }

    @Override
    public SetRecOperator create() {
        return creator.create();
    }
}
