package org.fedoraproject.fedimg.emulator.state;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import org.fedoraproject.fedimg.emulator.Regions;

import software.amazon.awssdk.services.ec2.model.IpPermission;
import software.amazon.awssdk.services.ec2.model.IpRange;

/** Everything that lives in one region. Guarded by the engine's lock; public for the handler packages, not API. */
public final class RegionState {
    public final String name;
    public final boolean optIn;
    public final String vpcId;
    /** The default VPC's subnet per zone. */
    public final Map<String, String> subnetsByZone = new LinkedHashMap<>();
    public final Map<String, Model.VpcRec> vpcs = new LinkedHashMap<>();
    public final Map<String, Model.SubnetRec> subnets = new LinkedHashMap<>();
    public final Map<String, Model.AmiRec> images = new LinkedHashMap<>();
    public final Map<String, Model.SnapRec> snapshots = new LinkedHashMap<>();
    public final Map<String, Model.VolRec> volumes = new LinkedHashMap<>();
    public final Map<String, Model.InstRec> instances = new LinkedHashMap<>();
    public final Map<String, Model.KeyRec> keyPairs = new LinkedHashMap<>();
    public final Map<String, Model.SgRec> securityGroups = new LinkedHashMap<>();
    /** "Action/token" -> what the first call with this token produced. */
    public final Map<String, Model.Token> clientTokens = new LinkedHashMap<>();
    public boolean blockPublicAccess;
    /** Block public access for snapshots: {@code unblocked}, {@code block-new-sharing} or {@code block-all-sharing}. */
    public String snapshotBlockPublicAccess = "unblocked";
    public boolean ebsEncryptionByDefault;

    RegionState(String name) {
        this.name = name;
        this.optIn = Regions.isOptIn(name);
        this.vpcId = "vpc-" + Ids.stableHex(name + "/vpc", 17);
        Instant now = Instant.now();
        // AWS's default VPC: 172.31.0.0/16, one /20 per zone
        Model.VpcRec vpc = new Model.VpcRec(vpcId, name, now, Cidr.parse("172.31.0.0/16"), true);
        vpcs.put(vpcId, vpc);
        int i = 0;
        for (char letter : Regions.zoneLetters(name).toCharArray()) {
            String zone = name + letter;
            String subnet = "subnet-" + Ids.stableHex(name + "/subnet/" + i, 17);
            subnetsByZone.put(zone, subnet);
            subnets.put(subnet, new Model.SubnetRec(subnet, name, now, vpcId,
                    Cidr.parse("172.31." + (16 * i) + ".0/20"), zone, true));
            i++;
        }
        defaultGroup(vpc, "default VPC security group");
    }

    /** Every VPC comes with a security group named default that cannot be deleted. */
    public void defaultGroup(Model.VpcRec vpc, String description) {
        Model.SgRec dflt = newGroup("default", description, vpc.id);
        dflt.isDefault = true;
        vpc.defaultGroupId = dflt.id;
    }

    /** A new security group in a VPC of this region, allowing all egress as AWS's do. */
    public Model.SgRec newGroup(String name, String description, String vpcId) {
        Model.SgRec sg = new Model.SgRec(Ids.next("sg"), this.name, Instant.now());
        sg.name = name;
        sg.description = description;
        sg.vpcId = vpcId;
        sg.egress.add(IpPermission.builder().ipProtocol("-1").ipRanges(IpRange.builder().cidrIp("0.0.0.0/0").build())
                .build());
        securityGroups.put(sg.id, sg);
        return sg;
    }

    public String defaultZone() {
        return subnetsByZone.keySet().iterator().next();
    }
}
