package org.fedoraproject.fedimg.aws.support;

import java.util.Set;

import org.fedoraproject.fedimg.aws.support.Waiter.Condition;

import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceStatus;
import software.amazon.awssdk.services.ec2.model.Snapshot;
import software.amazon.awssdk.services.ec2.model.Volume;

/**
 * The EC2 states the services wait for, with the states that end a wait badly: the SDK's waiter
 * definitions (ImageAvailable, SnapshotCompleted, VolumeAvailable, InstanceRunning, InstanceTerminated,
 * InstanceStatusOk), plus the image states pubsys also treats as final. The describe calls stay with each
 * service's AWS steps.
 */
public final class Ec2Conditions {

    public static final Condition<Image> IMAGE_AVAILABLE = new Condition<>("available", Image::stateAsString,
            Set.of("available"), Set.of("failed", "error", "invalid", "deregistered", "disabled"),
            i -> i.stateReason() == null ? null : i.stateReason().message());

    public static final Condition<Snapshot> SNAPSHOT_COMPLETED = new Condition<>("completed", Snapshot::stateAsString,
            Set.of("completed"), Set.of("error"), Snapshot::stateMessage);

    public static final Condition<Volume> VOLUME_AVAILABLE = new Condition<>("available", Volume::stateAsString,
            Set.of("available"), Set.of("deleting", "deleted", "error"), null);

    public static final Condition<Instance> INSTANCE_RUNNING = new Condition<>("running", Ec2Conditions::state,
            Set.of("running"), Set.of("shutting-down", "terminated", "stopping"), Ec2Conditions::reason);

    /** An instance EC2 no longer knows is terminated too. */
    public static final Condition<Instance> INSTANCE_TERMINATED = new Condition<>("terminated", Ec2Conditions::state,
            Set.of("terminated", Waiter.NOT_FOUND), Set.of("pending", "stopping"), Ec2Conditions::reason);

    /** The instance status check (the system check is not part of it, as in the SDK's waiter). */
    public static final Condition<InstanceStatus> INSTANCE_STATUS_OK = new Condition<>("status ok",
            s -> s.instanceStatus() == null ? "unknown" : s.instanceStatus().statusAsString(), Set.of("ok"), Set.of(),
            null);

    private Ec2Conditions() {
    }

    private static String state(Instance i) {
        return i.state() == null ? "unknown" : i.state().nameAsString();
    }

    private static String reason(Instance i) {
        return i.stateReason() == null ? null : i.stateReason().message();
    }
}
