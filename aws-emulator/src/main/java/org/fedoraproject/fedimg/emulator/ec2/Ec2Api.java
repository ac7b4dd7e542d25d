package org.fedoraproject.fedimg.emulator.ec2;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.fedoraproject.fedimg.emulator.http.Ec2Xml;
import org.fedoraproject.fedimg.emulator.state.Engine;
import org.fedoraproject.fedimg.emulator.state.RegionState;

import software.amazon.awssdk.core.SdkPojo;

/**
 * The EC2 Query front: dispatches an Action to the handler of its resource family under the engine lock and
 * renders the XML. Each family ({@link ResourceHandlers}: images, snapshots, volumes, instances, key pairs,
 * security groups, networks, regions and zones, tags) registers its actions here.
 */
public final class Ec2Api {

    /** One EC2 action: binds its request from the form and returns the response model. */
    @FunctionalInterface
    interface Handler {
        SdkPojo handle(RegionState region, Map<String, String> form);
    }

    /**
     * An action with slow work outside the lock (RegisterImage reading a bundle from S3): it takes the engine's
     * lock itself around what touches the resources.
     */
    @FunctionalInterface
    interface UnlockedHandler {
        SdkPojo handle(String region, Map<String, String> form);
    }

    private final Engine engine;
    private final Map<String, Handler> actions = new HashMap<>();
    private final Map<String, UnlockedHandler> unlocked = new HashMap<>();

    public Ec2Api(Engine engine) {
        this.engine = engine;
        Instances instances = new Instances(engine);
        List<ResourceHandlers> families = List.of(new Images(engine), new ImageDescriptions(engine),
                new ImageCopies(engine), new ImageAttributes(engine), new ImagePolicies(engine), new Snapshots(engine),
                new Volumes(engine), instances, new RunInstances(engine, instances), new InstanceMonitoring(engine),
                new InstanceShutdowns(engine), new KeyPairs(engine), new SecurityGroups(engine), new Networks(engine),
                new RegionsAndZones(engine), new Tags(engine), new ImageLifecycle(engine),
                new SnapshotPolicies(engine));
        families.forEach(family -> family.register(actions));
        families.forEach(family -> family.registerUnlocked(unlocked));
        InstanceTypes.register(actions);
    }

    /**
     * Runs an action for the account the access key maps to; returns the response XML or throws
     * {@link Ec2Exception}.
     */
    public String handle(String action, String region, String accessKey, Map<String, String> form, String requestId) {
        Handler handler = actions.get(action);
        UnlockedHandler unlockedHandler = unlocked.get(action);
        if (handler == null && unlockedHandler == null) {
            throw new Ec2Exception("InvalidAction", "The action " + action + " is not valid for this web service.");
        }
        String account = engine.accountFor(accessKey);
        Consumers.checkAllowed(engine, account, action);
        if ("true".equalsIgnoreCase(form.get("DryRun"))) {
            synchronized (engine) {
                engine.region(region);
            }
            throw new Ec2Exception(412, "DryRunOperation",
                    "Request would have succeeded, but DryRun flag is set.");
        }
        SdkPojo response;
        if (unlockedHandler != null) {
            // only the owner gets here (Consumers allows no unlocked action), the caller the engine assumes
            response = unlockedHandler.handle(region, form);
        } else {
            synchronized (engine) {
                RegionState state = engine.region(region);
                engine.caller(account);
                try {
                    response = handler.handle(state, form);
                } finally {
                    engine.caller(engine.accountId());
                }
            }
        }
        return Ec2Xml.response(action, response, requestId);
    }
}
