package org.fedoraproject.fedimg.emulator.ec2;

import java.util.Objects;

import org.fedoraproject.fedimg.emulator.state.Model;
import org.fedoraproject.fedimg.emulator.state.RegionState;

/** What every EC2 handler does with its request: required parameters, defaults, client-token idempotency. */
final class Requests {

    private Requests() {
    }

    static <T> T require(T value, String name) {
        if (value == null || value instanceof String s && s.isEmpty()) {
            throw Ec2Exception.missingParameter(name);
        }
        return value;
    }

    static String nz(String s, String dflt) {
        return s == null || s.isEmpty() ? dflt : s;
    }

    /**
     * Client-token idempotency: the same token with the same parameters returns the first result; with other
     * parameters it is an IdempotentParameterMismatch. Returns the earlier result id, or null if new.
     */
    static String replayed(RegionState region, String action, String token, String fingerprint) {
        if (token == null || token.isEmpty()) {
            return null;
        }
        if (token.length() > 64) {
            throw Ec2Exception.invalidParameterValue("Value (" + token + ") for parameter clientToken is invalid. "
                    + "Length exceeds maximum of 64");
        }
        Model.Token earlier = region.clientTokens.get(action + "/" + token);
        if (earlier == null) {
            return null;
        }
        if (!Objects.equals(earlier.paramsFingerprint(), fingerprint)) {
            throw new Ec2Exception("IdempotentParameterMismatch", "The client token you have provided is associated "
                    + "with a resource that is already deleted or has different parameters. Please use a different client token.");
        }
        return earlier.resultId();
    }

    static void remember(RegionState region, String action, String token, String fingerprint, String resultId) {
        if (token != null && !token.isEmpty()) {
            region.clientTokens.put(action + "/" + token, new Model.Token(fingerprint, resultId));
        }
    }
}
