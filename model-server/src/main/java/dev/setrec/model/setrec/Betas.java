package dev.setrec.model.setrec;

import dev.setrec.eval.Setting;

/**
 * The score mix of each setting, score = (1 - beta) * s_cf + beta * s_sem: for the whole catalogue, for its warm
 * items only and for its cold items only. Each is chosen on valid for its own setting ({@link BetaSweep}); a cold
 * item's CF token is only predicted from its text, so ranking cold items among themselves may want another mix.
 */
public record Betas(float all, float warm, float cold) {
    public Betas {
        for (float b : new float[] {all, warm, cold}) {
            if (!(b >= 0 && b <= 1)) {
                throw new IllegalArgumentException("beta must be in [0, 1], got " + b);
            }
        }
    }

    /** One beta for every setting. */
    public static Betas uniform(float beta) {
        return new Betas(beta, beta, beta);
    }

    /** The beta used to rank the items of {@code setting}. */
    public float of(Setting setting) {
        return switch (setting) {
            case ALL -> all;
            case WARM -> warm;
            case COLD -> cold;
        };
    }
}
