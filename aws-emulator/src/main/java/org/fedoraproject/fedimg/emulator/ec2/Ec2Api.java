package org.fedoraproject.fedimg.emulator.ec2;

import java.util.HashMap;
import java.util.Map;

import org.fedoraproject.fedimg.emulator.http.Ec2Xml;
import org.fedoraproject.fedimg.emulator.state.Engine;
import org.fedoraproject.fedimg.emulator.state.RegionState;

import software.amazon.awssdk.core.SdkPojo;

/**
 * The EC2 Query front: dispatches an Action to the handler of its resource family under the engine lock and
 * renders the XML. Each family registers its actions: images ({@link Images}, {@link ImageDescriptions},
 * {@link ImageCopies}, {@link ImageAttributes}, {@link ImagePolicies}), {@link Snapshots}, {@link Volumes},
 * instances ({@link RunInstances}, {@link Instances}, {@link InstanceMonitoring}, {@link InstanceShutdowns},
 * {@link InstanceTypes}), {@link KeyPairs}, {@link SecurityGroups}, {@link Networks}, {@link RegionsAndZones}
 * and {@link Tags}.
 */
public final class Ec2Api {

    /** One EC2 action: binds its request from the form and returns the response model. */
    @FunctionalInterface
    interface Handler {
        SdkPojo handle(RegionState region, Map<String, String> form);
    }

    private final Engine engine;
    private final Map<String, Handler> actions = new HashMap<>();

    public Ec2Api(Engine engine) {
        this.engine = engine;
        new Images(engine).register(actions);
        new ImageDescriptions(engine).register(actions);
        new ImageCopies(engine).register(actions);
        new ImageAttributes(engine).register(actions);
        new ImagePolicies(engine).register(actions);
        new Snapshots(engine).register(actions);
        new Volumes(engine).register(actions);
        Instances instances = new Instances(engine);
        instances.register(actions);
        new RunInstances(engine, instances).register(actions);
        new InstanceMonitoring(engine).register(actions);
        new InstanceShutdowns(engine).register(actions);
        InstanceTypes.register(actions);
        new KeyPairs().register(actions);
        new SecurityGroups(engine).register(actions);
        new Networks(engine).register(actions);
        new RegionsAndZones(engine).register(actions);
        new Tags().register(actions);
    }

    /** Runs an action; returns the response XML or throws {@link Ec2Exception}. */
    public String handle(String action, String region, Map<String, String> form, String requestId) {
        Handler handler = actions.get(action);
        if (handler == null) {
            throw new Ec2Exception("InvalidAction", "The action " + action + " is not valid for this web service.");
        }
        if ("true".equalsIgnoreCase(form.get("DryRun"))) {
            synchronized (engine) {
                engine.region(region);
            }
            throw new Ec2Exception(412, "DryRunOperation",
                    "Request would have succeeded, but DryRun flag is set.");
        }
        SdkPojo response;
        synchronized (engine) {
            response = handler.handle(engine.region(region), form);
        }
        return Ec2Xml.response(action, response, requestId);
    }
}
