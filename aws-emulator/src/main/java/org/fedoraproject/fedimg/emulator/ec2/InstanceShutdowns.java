package org.fedoraproject.fedimg.emulator.ec2;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.fedoraproject.fedimg.emulator.http.QueryBinder;
import org.fedoraproject.fedimg.emulator.state.Engine;
import org.fedoraproject.fedimg.emulator.state.LifeCycles;
import org.fedoraproject.fedimg.emulator.state.Model;
import org.fedoraproject.fedimg.emulator.state.RegionState;

import software.amazon.awssdk.services.ec2.model.InstanceState;
import software.amazon.awssdk.services.ec2.model.InstanceStateChange;
import software.amazon.awssdk.services.ec2.model.StopInstancesRequest;
import software.amazon.awssdk.services.ec2.model.StopInstancesResponse;
import software.amazon.awssdk.services.ec2.model.TerminateInstancesRequest;
import software.amazon.awssdk.services.ec2.model.TerminateInstancesResponse;

/** StopInstances and TerminateInstances (the script is killed; DeleteOnTermination volumes go with the instance). */
final class InstanceShutdowns extends ResourceHandlers {

    InstanceShutdowns(Engine engine) {
        super(engine);
    }

    @Override
    void register(Map<String, Ec2Api.Handler> actions) {
        actions.put("TerminateInstances", this::terminateInstances);
        actions.put("StopInstances", this::stopInstances);
    }

    private TerminateInstancesResponse terminateInstances(RegionState region, Map<String, String> form) {
        TerminateInstancesRequest req = QueryBinder.bind(form, TerminateInstancesRequest.builder());
        if (req.instanceIds().isEmpty()) {
            throw Ec2Exception.missingParameter("InstanceId");
        }
        Instances.checkIds(region, req.instanceIds());
        List<InstanceStateChange> changes = new ArrayList<>();
        for (String id : req.instanceIds()) {
            Model.InstRec inst = Instances.find(region, id);
            String before = life.instanceState(inst);
            engine.instances().terminate(region, inst, "Client.UserInitiatedShutdown: User initiated shutdown");
            String after = life.instanceState(inst);
            changes.add(change(id, before, after));
        }
        return TerminateInstancesResponse.builder().terminatingInstances(changes).build();
    }

    private StopInstancesResponse stopInstances(RegionState region, Map<String, String> form) {
        StopInstancesRequest req = QueryBinder.bind(form, StopInstancesRequest.builder());
        Instances.checkIds(region, req.instanceIds());
        List<InstanceStateChange> changes = new ArrayList<>();
        for (String id : req.instanceIds()) {
            Model.InstRec inst = Instances.find(region, id);
            String before = life.instanceState(inst);
            if (inst.terminatedAt != null) {
                throw new Ec2Exception("IncorrectInstanceState", "This instance '" + id
                        + "' is not in a state from which it can be stopped.");
            }
            if (inst.instanceStoreRoot != null) {
                throw new Ec2Exception("UnsupportedOperation", "The instance '" + id + "' does not have an 'ebs' root "
                        + "device type and cannot be stopped.");
            }
            engine.instances().stop(inst);
            String after = life.instanceState(inst);
            changes.add(change(id, before, after));
        }
        return StopInstancesResponse.builder().stoppingInstances(changes).build();
    }

    private static InstanceStateChange change(String instanceId, String before, String after) {
        return InstanceStateChange.builder().instanceId(instanceId)
                .previousState(InstanceState.builder().code(LifeCycles.stateCode(before)).name(before).build())
                .currentState(InstanceState.builder().code(LifeCycles.stateCode(after)).name(after).build()).build();
    }
}
