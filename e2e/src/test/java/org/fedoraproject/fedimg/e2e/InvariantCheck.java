package org.fedoraproject.fedimg.e2e;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.fedoraproject.fedimg.emulator.Inspector;
import org.fedoraproject.fedimg.emulator.Views;
import org.fedoraproject.fedimg.events.AmiTested;
import org.fedoraproject.fedimg.events.FedimgEvent;
import org.fedoraproject.fedimg.events.Stage;
import org.fedoraproject.fedimg.events.StageState;
import org.fedoraproject.fedimg.events.StageStatus;
import org.fedoraproject.fedimg.events.TestVerdict;

/**
 * "No AMI is public unless its test passed and its checksum matched", checked against EC2 and the composes
 * themselves, not against what fedimg wrote about them (its tags, its {@code checksumVerified} flags). Every
 * public AMI in every region of the emulator must
 * <ul>
 * <li>hold on its root snapshot, byte for byte, an image of one of the composes ({@link SnapshotContents}: the
 * snapshot's first bytes have the SHA-256 of the decompressed image),</li>
 * <li>whose compose lists, in images.json, the SHA-256 and size of the file actually served,</li>
 * <li>and come from a base-region AMI (itself, or the source image EC2 recorded for a copy) with a PASSED
 * {@code fedimg.amis.tested} verdict and no FAILED verdict or TEST FAILED status.</li>
 * </ul>
 * A public snapshot must be the snapshot of such a public AMI. Reusable by any suite that has the events (e.g. a
 * {@code PipelineWatcher}'s), the emulator's inspector and the composes it was sent.
 */
final class InvariantCheck {

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

    static Result check(Inspector ec2, SnapshotContents contents, Collection<String> regions, String baseRegion,
            List<FedimgEvent> events) {
        Set<String> passed = new HashSet<>();
        Set<String> failed = new HashSet<>();
        for (FedimgEvent e : events) {
            if (e instanceof AmiTested t && t.ami() != null) {
                (t.verdict() == TestVerdict.PASSED ? passed : failed).add(t.ami().amiId());
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
                String problem = problem(image, region, baseRegion, contents, passed, failed);
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
                            "public snapshot that is not the snapshot of a public AMI with a passed test and a matching checksum"));
                }
            }
        }
        return new Result(regions.size(), publicAmis, publicSnapshots, List.copyOf(violations));
    }

    private static String problem(Views.Image image, String region, String baseRegion, SnapshotContents contents,
            Set<String> passed, Set<String> failed) {
        SnapshotContents.Content content = contents.of(region, image.rootSnapshotId());
        if (!content.known()) {
            return "public, but its snapshot " + image.rootSnapshotId() + " " + content.problem();
        }
        ComposeTruth.Image truth = content.image();
        if (!truth.listingMatchesBytes()) {
            return "public, but it holds " + truth.key() + ", whose compose lists SHA-256 " + truth.listedSha256()
                    + " and size " + truth.listedSize() + " for a file of SHA-256 " + truth.fileSha256() + " and size "
                    + truth.fileSize();
        }
        String source = region.equals(baseRegion) ? image.imageId() : image.sourceImageId();
        if (source == null) {
            return "public, but EC2 records no source image for this copy";
        }
        if (!passed.contains(source)) {
            return "public, but its base-region AMI " + source + " has no PASSED test verdict";
        }
        if (failed.contains(source)) {
            return "public, but its base-region AMI " + source + " also has a FAILED test verdict";
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
