package org.fedoraproject.fedimg.emulator.ec2;

import static org.fedoraproject.fedimg.emulator.ec2.Requests.require;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import org.fedoraproject.fedimg.emulator.http.QueryBinder;
import org.fedoraproject.fedimg.emulator.state.Engine;
import org.fedoraproject.fedimg.emulator.state.Model;
import org.fedoraproject.fedimg.emulator.state.RegionState;

import software.amazon.awssdk.services.ec2.model.DisableImageBlockPublicAccessRequest;
import software.amazon.awssdk.services.ec2.model.DisableImageBlockPublicAccessResponse;
import software.amazon.awssdk.services.ec2.model.DisableImageDeprecationRequest;
import software.amazon.awssdk.services.ec2.model.DisableImageDeprecationResponse;
import software.amazon.awssdk.services.ec2.model.EnableImageBlockPublicAccessRequest;
import software.amazon.awssdk.services.ec2.model.EnableImageBlockPublicAccessResponse;
import software.amazon.awssdk.services.ec2.model.EnableImageDeprecationRequest;
import software.amazon.awssdk.services.ec2.model.EnableImageDeprecationResponse;
import software.amazon.awssdk.services.ec2.model.GetImageBlockPublicAccessStateRequest;
import software.amazon.awssdk.services.ec2.model.GetImageBlockPublicAccessStateResponse;

/** Image deprecation (Enable/DisableImageDeprecation) and the region's image block public access. */
final class ImagePolicies extends ResourceHandlers {

    ImagePolicies(Engine engine) {
        super(engine);
    }

    @Override
    void register(Map<String, Ec2Api.Handler> actions) {
        actions.put("EnableImageDeprecation", this::enableImageDeprecation);
        actions.put("DisableImageDeprecation", this::disableImageDeprecation);
        actions.put("GetImageBlockPublicAccessState", this::getBpa);
        actions.put("EnableImageBlockPublicAccess", this::enableBpa);
        actions.put("DisableImageBlockPublicAccess", this::disableBpa);
    }

    private EnableImageDeprecationResponse enableImageDeprecation(RegionState region, Map<String, String> form) {
        EnableImageDeprecationRequest req = QueryBinder.bind(form, EnableImageDeprecationRequest.builder());
        Model.AmiRec ami = Images.find(region, req.imageId());
        Instant at = require(req.deprecateAt(), "DeprecateAt");
        if (at.isBefore(Instant.now().minusSeconds(60))) {
            throw Ec2Exception.invalidParameterValue("The deprecation time cannot be in the past");
        }
        if (at.isAfter(Instant.now().plus(Duration.ofDays(365 * 10 + 3)))) {
            throw Ec2Exception.invalidParameterValue("The deprecation time cannot be more than 10 years in the future");
        }
        // AWS rounds the deprecation time down to the minute.
        ami.deprecationTime = at.truncatedTo(ChronoUnit.MINUTES);
        return EnableImageDeprecationResponse.builder().returnValue(true).build();
    }

    private DisableImageDeprecationResponse disableImageDeprecation(RegionState region, Map<String, String> form) {
        DisableImageDeprecationRequest req = QueryBinder.bind(form, DisableImageDeprecationRequest.builder());
        Images.find(region, req.imageId()).deprecationTime = null;
        return DisableImageDeprecationResponse.builder().returnValue(true).build();
    }

    /** Whether making an image public is blocked in the region: its setting, unless a fault overrides it. */
    static boolean blockPublicAccess(Engine engine, RegionState region) {
        return engine.faults().blockPublicAccessOverride(region.name).orElse(region.blockPublicAccess);
    }

    private GetImageBlockPublicAccessStateResponse getBpa(RegionState region, Map<String, String> form) {
        QueryBinder.bind(form, GetImageBlockPublicAccessStateRequest.builder());
        boolean on = blockPublicAccess(engine, region);
        return GetImageBlockPublicAccessStateResponse.builder()
                .imageBlockPublicAccessState(on ? "block-new-sharing" : "unblocked").managedBy("account").build();
    }

    private EnableImageBlockPublicAccessResponse enableBpa(RegionState region, Map<String, String> form) {
        EnableImageBlockPublicAccessRequest req = QueryBinder.bind(form, EnableImageBlockPublicAccessRequest.builder());
        if (!"block-new-sharing".equals(req.imageBlockPublicAccessStateAsString())) {
            throw Ec2Exception.invalidParameterValue("ImageBlockPublicAccessState must be block-new-sharing");
        }
        region.blockPublicAccess = true;
        return EnableImageBlockPublicAccessResponse.builder().imageBlockPublicAccessState("block-new-sharing").build();
    }

    private DisableImageBlockPublicAccessResponse disableBpa(RegionState region, Map<String, String> form) {
        QueryBinder.bind(form, DisableImageBlockPublicAccessRequest.builder());
        region.blockPublicAccess = false;
        return DisableImageBlockPublicAccessResponse.builder().imageBlockPublicAccessState("unblocked").build();
    }
}
