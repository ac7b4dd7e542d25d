package org.fedoraproject.fedimg.emulator.ec2;

import static org.fedoraproject.fedimg.emulator.ec2.Requests.require;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.fedoraproject.fedimg.emulator.http.QueryBinder;
import org.fedoraproject.fedimg.emulator.state.Engine;
import org.fedoraproject.fedimg.emulator.state.LifeCycles;
import org.fedoraproject.fedimg.emulator.state.Model;
import org.fedoraproject.fedimg.emulator.state.RegionState;

import software.amazon.awssdk.services.ec2.model.DescribeInstanceStatusRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstanceStatusResponse;
import software.amazon.awssdk.services.ec2.model.GetConsoleOutputRequest;
import software.amazon.awssdk.services.ec2.model.GetConsoleOutputResponse;
import software.amazon.awssdk.services.ec2.model.InstanceState;
import software.amazon.awssdk.services.ec2.model.InstanceStatus;
import software.amazon.awssdk.services.ec2.model.InstanceStatusDetails;
import software.amazon.awssdk.services.ec2.model.InstanceStatusSummary;

/** What an instance shows: DescribeInstanceStatus (status checks) and GetConsoleOutput (what its user-data printed). */
final class InstanceMonitoring extends ResourceHandlers {

    InstanceMonitoring(Engine engine) {
        super(engine);
    }

    @Override
    void register(Map<String, Ec2Api.Handler> actions) {
        actions.put("DescribeInstanceStatus", this::describeInstanceStatus);
        actions.put("GetConsoleOutput", this::getConsoleOutput);
    }

    private DescribeInstanceStatusResponse describeInstanceStatus(RegionState region, Map<String, String> form) {
        DescribeInstanceStatusRequest req = QueryBinder.bind(form, DescribeInstanceStatusRequest.builder());
        Set<String> wanted = new LinkedHashSet<>(req.instanceIds());
        Instances.checkIds(region, wanted);
        boolean all = Boolean.TRUE.equals(req.includeAllInstances());
        List<InstanceStatus> out = new ArrayList<>();
        for (Model.InstRec inst : region.instances.values()) {
            if (!wanted.isEmpty() && !wanted.contains(inst.id)) {
                continue;
            }
            String state = life.instanceState(inst);
            if (!all && !state.equals("running")) {
                continue;
            }
            String check = life.statusCheck(inst);
            String reach = switch (check) {
                case "ok" -> "passed";
                case "impaired" -> "failed";
                case "initializing" -> "initializing";
                default -> null;
            };
            InstanceStatusSummary.Builder instanceStatus = InstanceStatusSummary.builder().status(check);
            InstanceStatusSummary.Builder systemStatus = InstanceStatusSummary.builder()
                    .status(check.equals("impaired") ? "ok" : check);
            if (reach != null) {
                instanceStatus.details(InstanceStatusDetails.builder().name("reachability").status(reach).build());
                systemStatus.details(InstanceStatusDetails.builder().name("reachability")
                        .status(reach.equals("failed") ? "passed" : reach).build());
            }
            InstanceStatus status = InstanceStatus.builder()
                    .instanceId(inst.id)
                    .availabilityZone(inst.availabilityZone)
                    .instanceState(InstanceState.builder().code(LifeCycles.stateCode(state)).name(state).build())
                    .instanceStatus(instanceStatus.build())
                    .systemStatus(systemStatus.build())
                    .build();
            if (Filters.matches(req.filters(), Map.of(), f -> switch (f) {
                case "instance-state-name" -> List.of(state);
                case "instance-status.status" -> List.of(check);
                case "system-status.status" -> List.of(status.systemStatus().statusAsString());
                case "instance-status.reachability" -> Filters.of(reach);
                case "availability-zone" -> List.of(inst.availabilityZone);
                default -> null;
            })) {
                out.add(status);
            }
        }
        return DescribeInstanceStatusResponse.builder().instanceStatuses(out).build();
    }

    private GetConsoleOutputResponse getConsoleOutput(RegionState region, Map<String, String> form) {
        GetConsoleOutputRequest req = QueryBinder.bind(form, GetConsoleOutputRequest.builder());
        Model.InstRec inst = Instances.find(region, require(req.instanceId(), "InstanceId"));
        GetConsoleOutputResponse.Builder b = GetConsoleOutputResponse.builder().instanceId(inst.id);
        String state = life.instanceState(inst);
        boolean buffered = !Boolean.TRUE.equals(req.latest());
        if (inst.run == null || buffered && (state.equals("pending") || state.equals("running"))) {
            // Not booted yet, or (without Latest) only the buffer AWS posts after a state transition, which
            // holds nothing the user-data printed until the instance stops or terminates: no Output element.
            return b.timestamp(Instant.now()).build();
        }
        String text = engine.instances().console(inst);
        return b.timestamp(inst.run.consoleTime())
                .output(Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8))).build();
    }
}
