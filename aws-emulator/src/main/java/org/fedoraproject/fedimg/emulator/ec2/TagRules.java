package org.fedoraproject.fedimg.emulator.ec2;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/**
 * AWS's tag rules, for every resource that carries tags: TagSpecifications at creation, key and value limits,
 * 50 tags per resource. Public for EBS direct's StartSnapshot tags.
 */
public final class TagRules {

    private TagRules() {
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

    public static void putTag(Map<String, String> into, String key, String value) {
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
}
