package org.fedoraproject.fedimg.uploader.aws;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

import org.fedoraproject.fedimg.aws.ClientTokens;
import org.fedoraproject.fedimg.aws.support.AwsClients;
import org.fedoraproject.fedimg.aws.support.Ec2Tags;
import org.fedoraproject.fedimg.errors.BadInputException;
import org.fedoraproject.fedimg.errors.EC2UtilityException;
import org.fedoraproject.fedimg.events.DeadLetterReason;
import org.fedoraproject.fedimg.events.ImageSpec;
import org.fedoraproject.fedimg.uploader.config.UploaderConfig;
import org.fedoraproject.fedimg.uploader.domain.ConsoleMarker;
import org.fedoraproject.fedimg.uploader.domain.UtilityScript;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.CreateSnapshotRequest;
import software.amazon.awssdk.services.ec2.model.DeleteVolumeRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.DetachVolumeRequest;
import software.amazon.awssdk.services.ec2.model.EbsBlockDevice;
import software.amazon.awssdk.services.ec2.model.GetConsoleOutputRequest;
import software.amazon.awssdk.services.ec2.model.HttpTokensState;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.ec2.model.ShutdownBehavior;
import software.amazon.awssdk.services.ec2.model.TerminateInstancesRequest;
import software.amazon.awssdk.services.ec2.model.VolumeType;

/**
 * The {@code utility-instance} method, the original fedimg process: launch the region's utility AMI for the
 * image's arch with a blank volume, let its user-data curl, verify, decompress and write the image to the
 * volume and print a marker, then detach the volume, snapshot it, delete it and terminate the instance.
 * Every resource is tagged; the instance is terminated on every path (its volume is delete-on-termination
 * until it is detached), and a failure raises {@link EC2UtilityException} with a bounded console excerpt.
 * RunInstances carries a client token, so a restarted job finds the instance it launched before.
 */
public final class UtilityInstanceEngine {

    public static final String PURPOSE_INSTANCE = "utility-instance";
    public static final String PURPOSE_VOLUME = "utility-volume";
    private static final Logger LOG = Logger.getLogger(UtilityInstanceEngine.class);

    public record Job(String region, String imageKey, ImageSpec image, int volumeSizeGib,
            Map<String, String> instanceTags, Map<String, String> volumeTags, Map<String, String> snapshotTags) {
    }

    private final AwsClients aws;
    private final Waits waits;
    private final UploaderConfig.Utility config;

    public UtilityInstanceEngine(AwsClients aws, Waits waits, UploaderConfig.Utility config) {
        this.aws = aws;
        this.waits = waits;
        this.config = config;
    }

    /** Writes the image into a new, completed snapshot and returns its id. */
    public Uni<String> write(Job job) {
        String ami = utilityAmi(job.region(), job.image().arch());
        String token = ClientTokens.of(job.imageKey(), String.valueOf(job.image().respin()), "utility-instance",
                job.region());
        String marker = UtilityScript.marker(token);
        return launch(job, ami, token, marker, null)
                .chain(instance -> runToSnapshot(job, instance, marker)
                        .onTermination().call(() -> terminate(job.region(), instance.instanceId())));
    }

    private Uni<String> runToSnapshot(Job job, Instance instance, String marker) {
        String region = job.region();
        String id = instance.instanceId();
        return waits.instanceRunning(region, id)
                .chain(() -> awaitMarker(region, id, marker))
                .chain(() -> describe(region, id))
                .chain(described -> {
                    String volumeId = described.blockDeviceMappings().stream()
                            .filter(m -> sameDevice(m.deviceName(), config.deviceName()))
                            .map(m -> m.ebs().volumeId()).findFirst()
                            .orElseThrow(() -> new EC2UtilityException("the utility instance " + id + " has no volume at "
                                    + config.deviceName(), null));
                    return Uni.createFrom().completionStage(() -> aws.ec2(region).detachVolume(
                            DetachVolumeRequest.builder().volumeId(volumeId).instanceId(id).build()))
                            .chain(() -> waits.volumeAvailable(region, volumeId))
                            .chain(() -> Uni.createFrom().completionStage(() -> aws.ec2(region).createSnapshot(
                                    CreateSnapshotRequest.builder().volumeId(volumeId)
                                            .description("fedimg " + job.image().fileName())
                                            .tagSpecifications(Ec2Tags.spec(ResourceType.SNAPSHOT, job.snapshotTags()))
                                            .build())))
                            .map(s -> s.snapshotId())
                            .invoke(s -> LOG.infof("CreateSnapshot %s from utility volume %s in %s", s, volumeId, region))
                            .call(s -> waits.snapshotCompleted(region, s))
                            .call(() -> Uni.createFrom().completionStage(() -> aws.ec2(region).deleteVolume(
                                    DeleteVolumeRequest.builder().volumeId(volumeId).build())));
                });
    }

    private Uni<Instance> launch(Job job, String ami, String token, String marker, String replaced) {
        String userData = Base64.getEncoder().encodeToString(
                UtilityScript.render(job.image(), config.deviceName(), marker).getBytes(StandardCharsets.UTF_8));
        String instanceType = "aarch64".equals(job.image().arch()) ? config.instanceType().aarch64()
                : config.instanceType().x8664();
        RunInstancesRequest.Builder req = RunInstancesRequest.builder()
                .imageId(ami)
                .instanceType(instanceType)
                .minCount(1).maxCount(1)
                .clientToken(replaced == null ? token : ClientTokens.of(token, "replaces", replaced))
                .userData(userData)
                .instanceInitiatedShutdownBehavior(ShutdownBehavior.TERMINATE)
                .metadataOptions(m -> m.httpTokens(HttpTokensState.REQUIRED))
                .blockDeviceMappings(BlockDeviceMapping.builder().deviceName(config.deviceName())
                        .ebs(EbsBlockDevice.builder().volumeSize(job.volumeSizeGib()).volumeType(VolumeType.GP3)
                                .deleteOnTermination(true).build())
                        .build())
                .tagSpecifications(Ec2Tags.spec(ResourceType.INSTANCE, job.instanceTags()),
                        Ec2Tags.spec(ResourceType.VOLUME, job.volumeTags()));
        config.subnetId().ifPresent(req::subnetId);
        config.securityGroupIds().ifPresent(req::securityGroupIds);
        RunInstancesRequest request = req.build();
        return Uni.createFrom().completionStage(() -> aws.ec2(job.region()).runInstances(request))
                .map(r -> r.instances().get(0))
                .chain(instance -> {
                    InstanceStateName state = instance.state() == null ? null : instance.state().name();
                    if (replaced == null && (state == InstanceStateName.TERMINATED
                            || state == InstanceStateName.SHUTTING_DOWN)) {
                        // the token's instance is from an earlier, finished attempt: launch a fresh one
                        return launch(job, ami, token, marker, instance.instanceId());
                    }
                    LOG.infof("utility instance %s (%s) in %s for %s", instance.instanceId(), ami, job.region(),
                            job.imageKey());
                    return Uni.createFrom().item(instance);
                });
    }

    private Uni<Void> awaitMarker(String region, String instanceId, String marker) {
        Instant deadline = Instant.now().plus(config.markerTimeout());
        return console(region, instanceId).chain(text -> {
            Optional<ConsoleMarker> found = ConsoleMarker.find(text, marker);
            String excerpt = ConsoleMarker.excerpt(text, config.consoleExcerptChars());
            if (found.isPresent() && found.get().success()) {
                return Uni.createFrom().voidItem();
            }
            if (found.isPresent()) {
                ConsoleMarker m = found.get();
                DeadLetterReason reason = reasonOf(m.code());
                String message = "utility instance " + instanceId + " failed: " + m.code() + " " + m.detail();
                return Uni.createFrom().failure(reason != null
                        ? new UtilityScriptFailure(reason, message, excerpt)
                        : new EC2UtilityException(message, excerpt));
            }
            if (Instant.now().isAfter(deadline)) {
                return Uni.createFrom().failure(new EC2UtilityException("utility instance " + instanceId
                        + " printed no marker within " + config.markerTimeout(), excerpt));
            }
            return Uni.createFrom().<Void>failure(new MarkerNotYet());
        }).onFailure(MarkerNotYet.class).retry().withBackOff(config.consolePollInterval(), config.consolePollInterval())
                .atMost(Long.MAX_VALUE);
    }

    private static final class MarkerNotYet extends RuntimeException {
        MarkerNotYet() {
            super("no marker yet", null, false, false);
        }
    }

    private Uni<String> console(String region, String instanceId) {
        return Uni.createFrom().completionStage(() -> aws.ec2(region).getConsoleOutput(
                GetConsoleOutputRequest.builder().instanceId(instanceId).latest(true).build()))
                .map(r -> r.output() == null ? "" : new String(Base64.getMimeDecoder().decode(r.output()),
                        StandardCharsets.UTF_8));
    }

    private Uni<Instance> describe(String region, String instanceId) {
        return Uni.createFrom().completionStage(() -> aws.ec2(region).describeInstances(
                DescribeInstancesRequest.builder().instanceIds(instanceId).build()))
                .map(r -> r.reservations().get(0).instances().get(0));
    }

    private Uni<Void> terminate(String region, String instanceId) {
        return Uni.createFrom().completionStage(() -> aws.ec2(region).terminateInstances(
                TerminateInstancesRequest.builder().instanceIds(instanceId).build()))
                .invoke(() -> LOG.infof("terminated utility instance %s in %s", instanceId, region))
                .replaceWithVoid()
                .onFailure().invoke(t -> LOG.warnf("terminating %s in %s failed: %s (the janitor finds it by tag)",
                        instanceId, region, t.toString()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    private String utilityAmi(String region, String arch) {
        UploaderConfig.ArchAmis amis = config.amis().get(region);
        Optional<String> ami = amis == null ? Optional.empty()
                : "aarch64".equals(arch) ? amis.aarch64() : amis.x8664();
        return ami.orElseThrow(() -> new BadInputException(DeadLetterReason.CONFIGURATION_ERROR,
                "no utility AMI for " + region + "/" + arch + " (fedimg.uploader.utility.amis." + region + "." + arch + ")"));
    }

    private static boolean sameDevice(String a, String b) {
        return norm(a).equals(norm(b));
    }

    private static String norm(String d) {
        String s = d.startsWith("/dev/") ? d.substring(5) : d;
        return s.startsWith("xvd") ? "sd" + s.substring(3) : s;
    }

    private static DeadLetterReason reasonOf(String code) {
        try {
            return DeadLetterReason.valueOf(code);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

}
