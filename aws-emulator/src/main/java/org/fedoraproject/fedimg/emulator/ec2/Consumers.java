package org.fedoraproject.fedimg.emulator.ec2;

import java.util.Set;

import org.fedoraproject.fedimg.emulator.state.Engine;
import org.fedoraproject.fedimg.emulator.state.Model;

/**
 * Calls made as another account than the owner (an access key mapped by {@code AwsEmulator.Builder#account}):
 * a consumer of the owner's AMIs, such as Terraform's {@code aws_ami} data source. It may describe what AWS
 * shows another account and nothing else: the emulator models the owner's resources only.
 */
final class Consumers {

    /** What a consumer may call: the lookups a consumer of public AMIs makes, none of which changes anything. */
    private static final Set<String> ALLOWED = Set.of("DescribeImages", "DescribeSnapshots", "DescribeRegions",
            "DescribeAvailabilityZones", "DescribeInstanceTypes", "DescribeInstanceTypeOfferings");

    private Consumers() {
    }

    static void checkAllowed(Engine engine, String account, String action) {
        if (!account.equals(engine.accountId()) && !ALLOWED.contains(action)) {
            throw new Ec2Exception(403, "UnauthorizedOperation", "You are not authorized to perform this operation. "
                    + "(account " + account + " is a consumer account in this emulator: it may call only "
                    + String.join(", ", ALLOWED.stream().sorted().toList()) + ")");
        }
    }

    /** Whether the account may launch (and so sees) the image: its owner, anyone if public, an account shared with. */
    static boolean canLaunch(Engine engine, Model.AmiRec ami, String account) {
        return account.equals(engine.accountId()) || ami.isPublic() || ami.launchUsers.contains(account);
    }
}
