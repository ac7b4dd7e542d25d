package org.fedoraproject.fedimg.emulator.ec2;

import org.fedoraproject.fedimg.emulator.Quota;
import org.fedoraproject.fedimg.emulator.state.Engine;
import org.fedoraproject.fedimg.emulator.state.Model;
import org.fedoraproject.fedimg.emulator.state.QuotaUsage;
import org.fedoraproject.fedimg.emulator.state.RegionState;

/**
 * The AMI quotas, enforced on the call that would exceed them with {@code ResourceLimitExceeded}: making an AMI
 * public (public AMIs), RegisterImage and CopyImage (AMIs), sharing with accounts, organizations or OUs (AMI
 * sharing). The public-AMI message is AWS's, as publishers have logged it; the other two follow its pattern.
 */
final class ImageQuotas {

    private ImageQuotas() {
    }

    /** Before an AMI that is not public becomes public. */
    static void checkPublic(Engine engine, RegionState region) {
        long quota = engine.quotas().value(region.name, Quota.PUBLIC_AMIS);
        if (engine.faults().publicAmiQuotaExceededIn(region.name) || QuotaUsage.publicAmis(region) >= quota) {
            throw new Ec2Exception("ResourceLimitExceeded", "You have reached your quota of " + quota
                    + " for the number of public images allowed in this Region. Deregister unused public images or "
                    + "make them private, or request an increase in your public AMIs quota.");
        }
    }

    /** Before RegisterImage or CopyImage adds an AMI to the region. */
    static void checkNewAmi(Engine engine, RegionState region) {
        long quota = engine.quotas().value(region.name, Quota.AMIS);
        if (QuotaUsage.amis(region, engine.life()) >= quota) {
            throw new Ec2Exception("ResourceLimitExceeded", "You have reached your quota of " + quota
                    + " for the number of images allowed in this Region. Deregister unused images, or request an "
                    + "increase in your AMIs quota.");
        }
    }

    /** Before a launch permission change leaves the AMI shared with {@code entities} accounts, organizations, OUs. */
    static void checkSharing(Engine engine, RegionState region, Model.AmiRec ami, int entities) {
        long quota = engine.quotas().value(region.name, Quota.AMI_SHARING);
        if (entities > quota && entities > ami.sharedEntities()) {
            throw new Ec2Exception("ResourceLimitExceeded", "You have reached your quota of " + quota
                    + " for the number of entities an image can be shared with in this Region. Share the image with "
                    + "an organization or organizational unit instead of separate accounts, or request an increase in "
                    + "your AMI sharing quota.");
        }
    }
}
