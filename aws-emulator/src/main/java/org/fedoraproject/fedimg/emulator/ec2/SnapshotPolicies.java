package org.fedoraproject.fedimg.emulator.ec2;

import java.util.Map;
import java.util.Set;

import org.fedoraproject.fedimg.emulator.http.QueryBinder;
import org.fedoraproject.fedimg.emulator.state.Engine;
import org.fedoraproject.fedimg.emulator.state.Model;
import org.fedoraproject.fedimg.emulator.state.RegionState;

import software.amazon.awssdk.services.ec2.model.DisableSnapshotBlockPublicAccessRequest;
import software.amazon.awssdk.services.ec2.model.DisableSnapshotBlockPublicAccessResponse;
import software.amazon.awssdk.services.ec2.model.EnableSnapshotBlockPublicAccessRequest;
import software.amazon.awssdk.services.ec2.model.EnableSnapshotBlockPublicAccessResponse;
import software.amazon.awssdk.services.ec2.model.GetSnapshotBlockPublicAccessStateRequest;
import software.amazon.awssdk.services.ec2.model.GetSnapshotBlockPublicAccessStateResponse;

/**
 * Block public access for snapshots, per region (EC2 API Reference, EnableSnapshotBlockPublicAccess):
 * {@code block-new-sharing} refuses new public sharing; {@code block-all-sharing} refuses it too and treats
 * snapshots that are already public as private, while their attribute still lists group {@code all}; back to
 * {@code block-new-sharing} or {@code unblocked}, they are public again.
 */
final class SnapshotPolicies extends ResourceHandlers {

    static final String UNBLOCKED = "unblocked";
    static final String BLOCK_ALL = "block-all-sharing";
    private static final Set<String> ENABLED_STATES = Set.of("block-new-sharing", BLOCK_ALL);

    SnapshotPolicies(Engine engine) {
        super(engine);
    }

    @Override
    void register(Map<String, Ec2Api.Handler> actions) {
        actions.put("GetSnapshotBlockPublicAccessState", this::getState);
        actions.put("EnableSnapshotBlockPublicAccess", this::enable);
        actions.put("DisableSnapshotBlockPublicAccess", this::disable);
    }

    private GetSnapshotBlockPublicAccessStateResponse getState(RegionState region, Map<String, String> form) {
        QueryBinder.bind(form, GetSnapshotBlockPublicAccessStateRequest.builder());
        return GetSnapshotBlockPublicAccessStateResponse.builder().state(region.snapshotBlockPublicAccess)
                .managedBy("account").build();
    }

    private EnableSnapshotBlockPublicAccessResponse enable(RegionState region, Map<String, String> form) {
        EnableSnapshotBlockPublicAccessRequest req = QueryBinder.bind(form,
                EnableSnapshotBlockPublicAccessRequest.builder());
        String state = Requests.require(req.stateAsString(), "State");
        if (!ENABLED_STATES.contains(state)) {
            throw Ec2Exception.invalidParameterValue("Value (" + state + ") for parameter State is invalid. "
                    + "Valid values: block-all-sharing, block-new-sharing (unblocked is set by "
                    + "DisableSnapshotBlockPublicAccess)");
        }
        region.snapshotBlockPublicAccess = state;
        return EnableSnapshotBlockPublicAccessResponse.builder().state(state).build();
    }

    private DisableSnapshotBlockPublicAccessResponse disable(RegionState region, Map<String, String> form) {
        QueryBinder.bind(form, DisableSnapshotBlockPublicAccessRequest.builder());
        region.snapshotBlockPublicAccess = UNBLOCKED;
        return DisableSnapshotBlockPublicAccessResponse.builder().state(UNBLOCKED).build();
    }

    /** Before a snapshot is shared publicly (createVolumePermission group all). */
    static void checkPublicSharing(RegionState region, Model.SnapRec snap) {
        if (!UNBLOCKED.equals(region.snapshotBlockPublicAccess)) {
            throw new Ec2Exception("OperationNotPermitted", "You can't publicly share snapshot " + snap.id
                    + " because block public access for snapshots is enabled (" + region.snapshotBlockPublicAccess
                    + ") for this account in " + region.name + ". To publicly share the snapshot, you must disable "
                    + "block public access for snapshots.");
        }
    }

    /** Whether the snapshot is publicly available: group all, unless block-all-sharing treats it as private. */
    static boolean isPublic(RegionState region, Model.SnapRec snap) {
        return snap.volumePermissionGroups.contains("all") && !BLOCK_ALL.equals(region.snapshotBlockPublicAccess);
    }
}
