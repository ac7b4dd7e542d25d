package org.fedoraproject.fedimg.lifecycle.aws;

import org.fedoraproject.fedimg.aws.AwsTags;
import org.fedoraproject.fedimg.lifecycle.domain.ManagedAmi;

import io.smallrye.mutiny.Uni;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;

/**
 * CreateTags {@code fedimg:demoted-for=<new AMI>} on an AMI about to be made private for room under the public AMI
 * quota, before it is: whoever made it private and crashed before announcing it finds it again by the tag
 * ({@link ManagedAmis#demotedFor}) and announces it then. Idempotent; a later demotion for another AMI overwrites it.
 */
public final class MarkDemotion {

    private MarkDemotion() {
    }

    public static Uni<Void> apply(Ec2AsyncClient ec2, ManagedAmi ami, String forAmiId) {
        return Uni.createFrom().completionStage(() -> ec2.createTags(b -> b.resources(ami.amiId())
                        .tags(t -> t.key(AwsTags.DEMOTED_FOR).value(forAmiId))))
                .replaceWithVoid();
    }
}
