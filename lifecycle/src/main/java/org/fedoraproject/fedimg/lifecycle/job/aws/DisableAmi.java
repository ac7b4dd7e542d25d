package org.fedoraproject.fedimg.lifecycle.job.aws;

import org.fedoraproject.fedimg.aws.support.AwsErrors;

import io.smallrye.mutiny.Uni;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;

/** DisableImage: the AMI can no longer be launched (and is private). Already disabled counts as done. */
public final class DisableAmi {

    private DisableAmi() {
    }

    public static Uni<Void> apply(Ec2AsyncClient ec2, String amiId) {
        return Uni.createFrom().completionStage(() -> ec2.disableImage(b -> b.imageId(amiId)))
                .replaceWithVoid()
                .onFailure(t -> AwsErrors.hasCode(t, "IncorrectState", "InvalidImage.Disabled")).recoverWithNull()
                .replaceWithVoid();
    }
}
