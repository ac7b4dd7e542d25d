/**
 * The EC2 Query actions, one handler file per resource family, registered by
 * {@link org.fedoraproject.fedimg.emulator.ec2.Ec2Api}: images, snapshots, volumes, instances (with
 * {@link org.fedoraproject.fedimg.emulator.ec2.InstanceRuntime}, which boots them by running their user-data),
 * instance types, key pairs, security groups, VPCs and subnets, regions and zones, tags; the AMI quotas
 * ({@code ImageQuotas}) and what another account may call and see ({@code Consumers}). Handlers run under the
 * engine's lock (RegisterImage from a bundle takes it itself around reading S3) and answer errors by throwing
 * {@link org.fedoraproject.fedimg.emulator.ec2.Ec2Exception}.
 * Instance-store AMIs ({@link org.fedoraproject.fedimg.emulator.ec2.InstanceStoreImages}) are read from S3 with the
 * X.509 material of {@link org.fedoraproject.fedimg.emulator.ec2.BundleCertificates}.
 * Public: {@code Ec2Api}, {@code Ec2Exception}, {@code InstanceRuntime} and {@code BundleCertificates} (for the
 * engine), {@code TagRules} (for EBS direct's tags) and {@code UserDataRunner} (the type of an instance's run).
 * Not an API.
 */
package org.fedoraproject.fedimg.emulator.ec2;
