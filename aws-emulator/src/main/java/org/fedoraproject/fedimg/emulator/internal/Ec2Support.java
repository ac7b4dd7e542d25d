package org.fedoraproject.fedimg.emulator.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/** Helpers shared by the EC2 action groups. */
final class Ec2Support {

    /** One EC2 action: binds its request from the form and returns the response model. */
    @FunctionalInterface
    interface Handler {
        SdkPojo handle(RegionState region, Map<String, String> form);
    }

    private Ec2Support() {
    }

    static List<Tag> tags(Map<String, String> tags) {
        List<Tag> out = new ArrayList<>();
        tags.forEach((k, v) -> out.add(Tag.builder().key(k).value(v).build()));
        return out;
    }

    /** Applies the TagSpecifications addressed to {@code resourceType}; checks the AWS tag limits. */
    static void applyTagSpecs(List<TagSpecification> specs, String resourceType, Map<String, String> into) {
        if (specs == null) {
            return;
        }
        for (TagSpecification spec : specs) {
            if (spec.resourceTypeAsString() == null) {
                throw Ec2Exception.invalidParameterValue("Tag specification resource type must have a value");
            }
            if (resourceType.equals(spec.resourceTypeAsString())) {
                for (Tag t : spec.tags()) {
                    putTag(into, t.key(), t.value());
                }
            }
        }
    }

    static void validateTagSpecTypes(List<TagSpecification> specs, String... allowed) {
        if (specs == null) {
            return;
        }
        List<String> ok = List.of(allowed);
        for (TagSpecification spec : specs) {
            if (!ok.contains(spec.resourceTypeAsString())) {
                throw Ec2Exception.invalidParameterValue("'" + spec.resourceTypeAsString()
                        + "' is not a valid taggable resource type for this operation.");
            }
        }
    }

    static void putTag(Map<String, String> into, String key, String value) {
        if (key == null || key.isEmpty() || key.length() > 128) {
            throw new Ec2Exception("InvalidParameterValue", "Tag key must be 1 to 128 characters: '" + key + "'");
        }
        if (key.startsWith("aws:")) {
            throw new Ec2Exception("InvalidParameterValue", "Tag keys starting with 'aws:' are reserved for internal use");
        }
        String v = value == null ? "" : value;
        if (v.length() > 256) {
            throw new Ec2Exception("InvalidParameterValue", "Tag value exceeds the maximum length of 256 characters");
        }
        if (!into.containsKey(key) && into.size() >= 50) {
            throw new Ec2Exception("TagLimitExceeded", "The maximum number of tags for a resource is 50");
        }
        into.put(key, v);
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

    static <T> T require(T value, String name) {
        if (value == null || value instanceof String s && s.isEmpty()) {
            throw Ec2Exception.missingParameter(name);
        }
        return value;
    }

    static String nz(String s, String dflt) {
        return s == null || s.isEmpty() ? dflt : s;
    }
}
