package org.fedoraproject.fedimg.emulator.internal;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import org.fedoraproject.fedimg.emulator.Regions;

/** Everything that lives in one region. Guarded by the engine's lock. */
final class RegionState {
    final String name;
    final boolean optIn;
    final String vpcId;
    /** The default VPC's subnet per zone. */
    final Map<String, String> subnetsByZone = new LinkedHashMap<>();
    final Map<String, Model.VpcRec> vpcs = new LinkedHashMap<>();
    final Map<String, Model.SubnetRec> subnets = new LinkedHashMap<>();
    final Map<String, Model.AmiRec> images = new LinkedHashMap<>();
    final Map<String, Model.SnapRec> snapshots = new LinkedHashMap<>();
    final Map<String, Model.VolRec> volumes = new LinkedHashMap<>();
    final Map<String, Model.InstRec> instances = new LinkedHashMap<>();
    final Map<String, Model.KeyRec> keyPairs = new LinkedHashMap<>();
    final Map<String, Model.SgRec> securityGroups = new LinkedHashMap<>();
    /** "Action/token" -> what the first call with this token produced. */
    final Map<String, Model.Token> clientTokens = new LinkedHashMap<>();
    boolean blockPublicAccess;
    boolean ebsEncryptionByDefault;

    RegionState(String name) {
        this.name = name;
        this.optIn = Regions.isOptIn(name);
        this.vpcId = "vpc-" + Ids.stableHex(name + "/vpc", 17);
        Instant now = Instant.now();
        // AWS's default VPC: 172.31.0.0/16, one /20 per zone
        Model.VpcRec vpc = new Model.VpcRec(vpcId, name, now, Model.Cidr.parse("172.31.0.0/16"), true);
        vpcs.put(vpcId, vpc);
        int i = 0;
        for (char letter : Regions.zoneLetters(name).toCharArray()) {
            String zone = name + letter;
            String subnet = "subnet-" + Ids.stableHex(name + "/subnet/" + i, 17);
            subnetsByZone.put(zone, subnet);
            subnets.put(subnet, new Model.SubnetRec(subnet, name, now, vpcId,
                    Model.Cidr.parse("172.31." + (16 * i) + ".0/20"), zone, true));
            i++;
        }
        defaultGroup(vpc, "default VPC security group");
    }

    /** Every VPC comes with a security group named default that cannot be deleted. */
    void defaultGroup(Model.VpcRec vpc, String description) {
        Model.SgRec dflt = Ec2Misc.newGroup(this, "default", description, vpc.id);
        dflt.isDefault = true;
        vpc.defaultGroupId = dflt.id;
    }

    String defaultZone() {
        return subnetsByZone.keySet().iterator().next();
    }
}
