package org.exemplar.response;

import java.util.Locale;

/**
 * The six responses to removing training data (Bae et al. 2022, Table 1, App. E.2 and F.2), in the order the
 * five gaps chain them; each gap is the distance between two consecutive entries of
 * COLD_START, WARM_START, PROXIMAL, PBRF, LINEARIZED_PBRF and the influence estimate.
 */
public enum ResponseKind {
    /** Retrain J - eps L_z from theta^0, K + K/2 epochs, the first K on the base training's batch order. */
    COLD_START("cold_start"),
    /** Retrain J - eps L_z from theta^s (K/2 epochs, learning rate / 10). */
    WARM_START("warm_start"),
    /** J - eps L_z + (lambda/2) ||theta - theta^s||^2 from theta^s (eq. 7). */
    PROXIMAL("proximal"),
    /**
     * The proximal Bregman response function (eq. 8): (1/N) sum_i D_L(f(theta, x_i), f(theta^s, x_i)) - eps L_z
     * + (lambda/2) ||theta - theta^s||^2 from theta^s.
     */
    PBRF("pbrf"),
    /** The PBRF with f linearized and L expanded to second order at theta^s (eq. 11); optimum = eq. 49. */
    LINEARIZED_PBRF("linearized_pbrf"),
    /** theta^s + (warm retrain without z) - (warm retrain with all data), the same batches (App. F.2). */
    TWO_STAGE("two_stage");

    private final String externalName;

    ResponseKind(String externalName) {
        this.externalName = externalName;
    }

    /** The spelling in output files (cold_start, ..., two_stage). */
    public String externalName() {
        return externalName;
    }

    /** Parses an external name (case-insensitive, '-' accepted for '_'). */
    public static ResponseKind parse(String s) {
        String k = s.toLowerCase(Locale.ROOT).replace('-', '_');
        for (ResponseKind r : values()) {
            if (r.externalName.equals(k)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown response '" + s + "' (expected cold_start, warm_start, "
                + "proximal, pbrf, linearized_pbrf or two_stage)");
    }
}
