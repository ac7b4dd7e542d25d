package org.fedoraproject.fedimg.emulator.internal;

import java.util.LinkedHashMap;
import java.util.Map;

import org.fedoraproject.fedimg.emulator.Regions;

/** Everything that lives in one region. Guarded by the engine's lock. */
final class RegionState {
    final String name;
    final boolean optIn;
    final String vpcId;
    final Map<String, String> subnetsByZone = new LinkedHashMap<>();
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
        int i = 0;
        for (char letter : Regions.zoneLetters(name).toCharArray()) {
            subnetsByZone.put(name + letter, "subnet-" + Ids.stableHex(name + "/subnet/" + i++, 17));
        }
        Model.SgRec dflt = Ec2Misc.newGroup(this, "default", "default VPC security group");
        dflt.isDefault = true;
    }

    String defaultZone() {
        return subnetsByZone.keySet().iterator().next();
    }
}
