package org.fedoraproject.fedimg.aws.support;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/** Tag maps (such as {@code AwsTags.forImage}) in the shapes the EC2 and EBS APIs take and give, and filters. */
public final class Ec2Tags {

    private Ec2Tags() {
    }

    public static List<Tag> ec2(Map<String, String> tags) {
        return tags.entrySet().stream().map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build()).toList();
    }

    public static List<software.amazon.awssdk.services.ebs.model.Tag> ebs(Map<String, String> tags) {
        return tags.entrySet().stream()
                .map(e -> software.amazon.awssdk.services.ebs.model.Tag.builder().key(e.getKey()).value(e.getValue())
                        .build())
                .toList();
    }

    /** Tags applied by the create call itself, so the resource never exists untagged. */
    public static TagSpecification spec(ResourceType type, Map<String, String> tags) {
        return TagSpecification.builder().resourceType(type).tags(ec2(tags)).build();
    }

    /** The tags EC2 reports, as a map in their order; null (some describe calls) is empty. */
    public static Map<String, String> map(List<Tag> tags) {
        Map<String, String> m = new LinkedHashMap<>();
        if (tags != null) {
            tags.forEach(t -> m.put(t.key(), t.value()));
        }
        return m;
    }

    /** One tag's value, or null. */
    public static String value(List<Tag> tags, String key) {
        return map(tags).get(key);
    }

    /** Resources whose tag {@code key} has one of these values. */
    public static Filter tag(String key, String... values) {
        return filter("tag:" + key, values);
    }

    public static Filter filter(String name, String... values) {
        return Filter.builder().name(name).values(values).build();
    }
}
