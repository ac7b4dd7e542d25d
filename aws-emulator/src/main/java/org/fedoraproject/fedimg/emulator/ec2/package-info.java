/**
 * The EC2 Query actions, one handler file per resource family, registered by
 * {@link org.fedoraproject.fedimg.emulator.ec2.Ec2Api}: images, snapshots, volumes, instances (with
 * {@link org.fedoraproject.fedimg.emulator.ec2.InstanceRuntime}, which boots them by running their user-data),
 * instance types, key pairs, security groups, VPCs and subnets, regions and zones, tags. Handlers run under the
 * engine's lock and answer errors by throwing {@link org.fedoraproject.fedimg.emulator.ec2.Ec2Exception}.
 * Public: {@code Ec2Api}, {@code Ec2Exception}, {@code InstanceRuntime} (for the engine), {@code TagRules}
 * (for EBS direct's tags) and {@code UserDataRunner} (the type of an instance's run). Not an API.
 */
package org.fedoraproject.fedimg.emulator.ec2;
