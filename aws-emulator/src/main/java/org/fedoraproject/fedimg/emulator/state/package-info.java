/**
 * The emulator's state: the resources ({@link org.fedoraproject.fedimg.emulator.state.Model}, per region
 * {@link org.fedoraproject.fedimg.emulator.state.RegionState}), their life cycles derived from timestamps
 * ({@link org.fedoraproject.fedimg.emulator.state.LifeCycles}), AWS-shaped ids, and the
 * {@link org.fedoraproject.fedimg.emulator.state.Engine} that holds it all under one lock and counts calls.
 * Public only so the {@code http}, {@code ec2} and {@code ebs} packages can share it: not an API. Tests and
 * services use the root package ({@code AwsEmulator}, {@code Inspector}, {@code Views}, ...).
 */
package org.fedoraproject.fedimg.emulator.state;
