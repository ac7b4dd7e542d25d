package org.fedoraproject.fedimg.e2e;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import org.fedoraproject.fedimg.aws.AwsTags;
import org.fedoraproject.fedimg.emulator.Inspector;
import org.fedoraproject.fedimg.emulator.Views;
import org.fedoraproject.fedimg.events.AmiRegistered;
import org.fedoraproject.fedimg.events.AmiTested;
import org.fedoraproject.fedimg.events.FedimgEvent;
import org.fedoraproject.fedimg.events.Stage;
import org.fedoraproject.fedimg.events.StageState;
import org.fedoraproject.fedimg.events.StageStatus;
import org.fedoraproject.fedimg.events.TestVerdict;

/**
 * "No AMI is public unless its test passed and its checksum matched", checked against EC2 itself: every
 * public AMI and every public snapshot in every region of the emulator must trace back, through the
 * pipeline's own events ({@code fedimg.amis.registered}, {@code fedimg.amis.tested}, {@code fedimg.status}),
 * to a base-region AMI that
 * <ul>
 * <li>the uploader registered with {@code checksumVerified} (size and SHA-256 matched the compose metadata),</li>
 * <li>the tester passed, with no FAILED verdict or TEST FAILED status for it anywhere,</li>
 * <li>and carries the same image SHA-256 (tag {@code fedimg:sha256}) as the events that vouch for it.</li>
 * </ul>
 * A public snapshot must be the snapshot of such a public AMI. Reusable by any suite that has the events
 * (e.g. a {@code PipelineWatcher}'s) and the emulator's inspector.
 */
final class InvariantCheck {

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    /** One public resource that should not be public, and why. */
    record Violation(String region, String resourceId, String problem) {
    }

    /** What was checked, and what was wrong. */
    record Result(int regions, int publicAmis, int publicSnapshots, List<Violation> violations) {
        boolean holds() {
            return violations.isEmpty();
        }
    }

    private InvariantCheck() {
    }

    static Result check(Inspector ec2, Collection<String> regions, String baseRegion, List<FedimgEvent> events) {
        Map<String, AmiTested> passed = new HashMap<>();
        Set<String> failed = new HashSet<>();
        Set<String> verifiedUploads = new HashSet<>();
        for (FedimgEvent e : events) {
            if (e instanceof AmiRegistered r && r.ami() != null && r.ami().checksumVerified()) {
                verifiedUploads.add(r.ami().amiId());
            } else if (e instanceof AmiTested t && t.ami() != null) {
                if (t.verdict() != TestVerdict.PASSED) {
                    failed.add(t.ami().amiId());
                } else if (t.ami().checksumVerified()) {
                    // only a verified pass vouches; an unverified one (refused by the replicator) must not hide it
                    passed.put(t.ami().amiId(), t);
                }
            } else if (e instanceof StageStatus s && s.stage() == Stage.TEST && s.state() == StageState.FAILED
                    && s.amiId() != null) {
                failed.add(s.amiId());
            }
        }
        List<Violation> violations = new ArrayList<>();
        int publicAmis = 0;
        int publicSnapshots = 0;
        for (String region : regions) {
            Map<String, Views.Image> vouchedSnapshots = new HashMap<>();
            for (Views.Image image : ec2.images(region)) {
                if (!image.isPublic() && !image.launchPermissionGroups().contains("all")) {
                    continue;
                }
                publicAmis++;
                String problem = problem(image, region, baseRegion, passed, failed, verifiedUploads);
                if (problem != null) {
                    violations.add(new Violation(region, image.imageId(), problem));
                } else {
                    image.blockDeviceMappings().forEach(b -> vouchedSnapshots.put(b.snapshotId(), image));
                }
            }
            for (Views.Snapshot snapshot : ec2.snapshots(region)) {
                if (!snapshot.createVolumePermissionGroups().contains("all")) {
                    continue;
                }
                publicSnapshots++;
                if (!vouchedSnapshots.containsKey(snapshot.snapshotId())) {
                    violations.add(new Violation(region, snapshot.snapshotId(),
                            "public snapshot that is not the snapshot of a public AMI with a passed, verified test"));
                }
            }
        }
        return new Result(regions.size(), publicAmis, publicSnapshots, List.copyOf(violations));
    }

    private static String problem(Views.Image image, String region, String baseRegion, Map<String, AmiTested> passed,
            Set<String> failed, Set<String> verifiedUploads) {
        String source = region.equals(baseRegion) ? image.imageId()
                : image.sourceImageId() != null ? image.sourceImageId() : image.tags().get(AwsTags.SOURCE_AMI);
        if (source == null) {
            return "public AMI with no base-region source";
        }
        AmiTested tested = passed.get(source);
        if (tested == null) {
            return "public, but its source " + source + " has no PASSED test verdict with a verified checksum";
        }
        if (failed.contains(source)) {
            return "public, but its source " + source + " also has a FAILED test verdict";
        }
        if (!verifiedUploads.contains(source)) {
            return "public, but the upload of its source " + source + " was not checksum-verified";
        }
        String sha = tested.image() == null ? null : tested.image().sha256();
        if (sha == null || !SHA256.matcher(sha.toLowerCase()).matches()) {
            return "public, but the test verdict of " + source + " carries no image SHA-256";
        }
        if (!sha.equalsIgnoreCase(image.tags().get(AwsTags.SHA256))) {
            return "public, but its " + AwsTags.SHA256 + " tag " + image.tags().get(AwsTags.SHA256)
                    + " is not the tested image's " + sha;
        }
        return null;
    }

    /** The figures as a markdown table row set. */
    static String markdown(Result r) {
        StringBuilder sb = new StringBuilder();
        sb.append("| regions checked | public AMIs | public snapshots | violations |\n|---|---|---|---|\n");
        sb.append("| ").append(r.regions()).append(" | ").append(r.publicAmis()).append(" | ")
                .append(r.publicSnapshots()).append(" | ").append(r.violations().size()).append(" |\n");
        for (Violation v : r.violations()) {
            sb.append("\n- ").append(v.region()).append(" ").append(v.resourceId()).append(": ").append(v.problem());
        }
        return sb.toString();
    }
}
