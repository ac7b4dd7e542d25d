package org.fedoraproject.fedimg.emulator.ec2;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.fedoraproject.fedimg.emulator.http.QueryBinder;
import org.fedoraproject.fedimg.emulator.state.Engine;
import org.fedoraproject.fedimg.emulator.state.LifeCycles;
import org.fedoraproject.fedimg.emulator.state.Model;
import org.fedoraproject.fedimg.emulator.state.RegionState;

import software.amazon.awssdk.services.ec2.model.DisableImageDeregistrationProtectionRequest;
import software.amazon.awssdk.services.ec2.model.DisableImageDeregistrationProtectionResponse;
import software.amazon.awssdk.services.ec2.model.DisableImageRequest;
import software.amazon.awssdk.services.ec2.model.DisableImageResponse;
import software.amazon.awssdk.services.ec2.model.EnableImageDeregistrationProtectionRequest;
import software.amazon.awssdk.services.ec2.model.EnableImageDeregistrationProtectionResponse;
import software.amazon.awssdk.services.ec2.model.EnableImageRequest;
import software.amazon.awssdk.services.ec2.model.EnableImageResponse;

/**
 * An AMI's life after publication, short of deprecation ({@link ImagePolicies}) and deregistration
 * ({@link Images}): DisableImage / EnableImage, and deregistration protection with its optional 24-hour cooldown.
 */
final class ImageLifecycle extends ResourceHandlers {

    /** How long protection enabled WithCooldown outlasts DisableImageDeregistrationProtection. */
    static final Duration COOLDOWN = Duration.ofHours(24);

    ImageLifecycle(Engine engine) {
        super(engine);
    }

    @Override
    void register(Map<String, Ec2Api.Handler> actions) {
        actions.put("DisableImage", this::disableImage);
        actions.put("EnableImage", this::enableImage);
        actions.put("EnableImageDeregistrationProtection", this::enableProtection);
        actions.put("DisableImageDeregistrationProtection", this::disableProtection);
    }

    /**
     * State {@code disabled}: it cannot be launched, loses every launch permission (public, accounts,
     * organizations, OUs), is hidden from DescribeImages unless IncludeDisabled, and still counts against the
     * AMIs quota. Disabling a disabled AMI changes nothing.
     */
    private DisableImageResponse disableImage(RegionState region, Map<String, String> form) {
        DisableImageRequest req = QueryBinder.bind(form, DisableImageRequest.builder());
        Model.AmiRec ami = Images.find(region, req.imageId());
        String state = life.imageState(ami);
        if (!state.equals("available") && !state.equals("disabled")) {
            throw Ec2Exception.incorrectState("Image " + ami.id + " is not in the available state (it is " + state
                    + ")");
        }
        ami.disabled = true;
        ami.launchGroups.clear();
        ami.launchUsers.clear();
        ami.launchOrganizations.clear();
        ami.launchOrganizationalUnits.clear();
        return DisableImageResponse.builder().returnValue(true).build();
    }

    /** Back to {@code available}, still private: the launch permissions DisableImage removed stay removed. */
    private EnableImageResponse enableImage(RegionState region, Map<String, String> form) {
        EnableImageRequest req = QueryBinder.bind(form, EnableImageRequest.builder());
        Images.find(region, req.imageId()).disabled = false;
        return EnableImageResponse.builder().returnValue(true).build();
    }

    private EnableImageDeregistrationProtectionResponse enableProtection(RegionState region, Map<String, String> form) {
        EnableImageDeregistrationProtectionRequest req = QueryBinder.bind(form,
                EnableImageDeregistrationProtectionRequest.builder());
        Model.AmiRec ami = Images.find(region, req.imageId());
        ami.deregistrationProtected = true;
        ami.protectionCooldown = Boolean.TRUE.equals(req.withCooldown());
        ami.protectedUntil = null;
        return EnableImageDeregistrationProtectionResponse.builder()
                .returnValue(LifeCycles.deregistrationProtection(ami)).build();
    }

    /** Off at once, or, for protection enabled WithCooldown, still enforced for 24 hours. */
    private DisableImageDeregistrationProtectionResponse disableProtection(RegionState region,
            Map<String, String> form) {
        DisableImageDeregistrationProtectionRequest req = QueryBinder.bind(form,
                DisableImageDeregistrationProtectionRequest.builder());
        Model.AmiRec ami = Images.find(region, req.imageId());
        if (ami.deregistrationProtected && ami.protectionCooldown) {
            ami.protectedUntil = Instant.now().plus(COOLDOWN);
        }
        ami.deregistrationProtected = false;
        ami.protectionCooldown = false;
        return DisableImageDeregistrationProtectionResponse.builder()
                .returnValue(LifeCycles.deregistrationProtection(ami)).build();
    }

    /** DeregisterImage refuses a protected AMI, and one whose protection is still cooling down. */
    static void checkDeregistrable(Model.AmiRec ami) {
        boolean cooling = LifeCycles.inProtectionCooldown(ami);
        if (ami.deregistrationProtected || cooling) {
            throw new Ec2Exception("OperationNotPermitted", "The AMI " + ami.id + " can't be deregistered because "
                    + "deregistration protection is " + LifeCycles.deregistrationProtection(ami) + ". To deregister "
                    + "it, first disable deregistration protection (DisableImageDeregistrationProtection)"
                    + (cooling || ami.protectionCooldown ? " and wait for its 24-hour cooldown to end." : "."));
        }
    }
}
