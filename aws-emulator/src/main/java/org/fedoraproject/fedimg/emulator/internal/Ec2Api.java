package org.fedoraproject.fedimg.emulator.internal;

import java.util.HashMap;
import java.util.Map;

import software.amazon.awssdk.core.SdkPojo;

/** The EC2 Query front: dispatches an Action to its group under the engine lock and renders the XML. */
final class Ec2Api {

    private final Engine engine;
    private final Map<String, Ec2Support.Handler> actions = new HashMap<>();

    Ec2Api(Engine engine) {
        this.engine = engine;
        new Ec2Images(engine).register(actions);
        new Ec2Storage(engine).register(actions);
        new Ec2Instances(engine).register(actions);
        new Ec2Misc(engine).register(actions);
        new Ec2Network(engine).register(actions);
    }

    boolean knows(String action) {
        return actions.containsKey(action);
    }

    /** Runs an action; returns the response XML or throws {@link Ec2Exception}. */
    String handle(String action, String region, Map<String, String> form, String requestId) {
        Ec2Support.Handler handler = actions.get(action);
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
