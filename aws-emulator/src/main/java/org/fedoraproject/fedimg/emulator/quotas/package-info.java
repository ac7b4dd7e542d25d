/**
 * A minimal Service Quotas API (AWS JSON 1.1, {@code X-Amz-Target: ServiceQuotasV20190624.*}) on the same
 * endpoint, over the EC2 AMI quotas the emulator enforces:
 * {@link org.fedoraproject.fedimg.emulator.quotas.ServiceQuotasApi}.
 * Not an API of the emulator itself: clients use the SDK's ServiceQuotas client.
 */
package org.fedoraproject.fedimg.emulator.quotas;
