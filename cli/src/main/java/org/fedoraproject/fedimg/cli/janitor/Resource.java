package org.fedoraproject.fedimg.cli.janitor;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.fedoraproject.fedimg.aws.AwsTags;

/**
 * One AWS resource as the inventory saw it; plain data, so the rules can be tested without AWS.
 *
 * @param id         instance, volume, AMI, snapshot, key pair ({@code key-...}) or security group id
 * @param name       Name tag, AMI name, key name or group name; may be empty
 * @param created    launch or creation time; empty for security groups, which EC2 does not date
 * @param state      the EC2 state in lower case ({@code running}, {@code available}, ...); empty when EC2 has none
 * @param visibility for AMIs and snapshots; {@link Visibility#PRIVATE} for the other types
 * @param references ids this resource uses: an AMI's snapshots, an instance's security groups and key
 *                   name, a volume's instances
 */
public record Resource(
        String region,
        ResourceType type,
        String id,
        String name,
        Map<String, String> tags,
        Optional<Instant> created,
        String state,
        Visibility visibility,
        Set<String> references) {

    public Resource {
        name = name == null ? "" : name;
        tags = Map.copyOf(tags);
        state = state == null ? "" : state;
        references = Set.copyOf(references);
    }

    /** Carries {@code fedimg:created-by=fedimg}: the only resources the janitor may ever touch. */
    public boolean createdByFedimg() {
        return AwsTags.CREATED_BY_VALUE.equals(tags.get(AwsTags.CREATED_BY));
    }

    public Optional<String> imageKey() {
        return Optional.ofNullable(tags.get(AwsTags.IMAGE_KEY)).filter(k -> !k.isBlank());
    }

    public String purpose() {
        return tags.getOrDefault(AwsTags.PURPOSE, "");
    }

    public String tag(String key) {
        return tags.get(key);
    }

    public Resource withVisibility(Visibility v) {
        return new Resource(region, type, id, name, tags, created, state, v, references);
    }
}
