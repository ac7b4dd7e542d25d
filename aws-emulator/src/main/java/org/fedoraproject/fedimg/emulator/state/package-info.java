/**
 * The emulator's state: the resources ({@link org.fedoraproject.fedimg.emulator.state.Model}, per region
 * {@link org.fedoraproject.fedimg.emulator.state.RegionState}), their life cycles derived from timestamps
 * ({@link org.fedoraproject.fedimg.emulator.state.LifeCycles}), AWS-shaped ids, and the
 * {@link org.fedoraproject.fedimg.emulator.state.Engine} that holds it all under one lock, counts calls and knows
 * the calling account, and the use of the AMI quotas ({@link org.fedoraproject.fedimg.emulator.state.QuotaUsage}).
 * Public only so the {@code http}, {@code ec2}, {@code ebs}, {@code s3} and {@code quotas} packages can share it:
 * not an API.
 * Tests and services use the root package ({@code AwsEmulator}, {@code Inspector}, {@code Views}, ...).
 */
package org.fedoraproject.fedimg.emulator.state;
