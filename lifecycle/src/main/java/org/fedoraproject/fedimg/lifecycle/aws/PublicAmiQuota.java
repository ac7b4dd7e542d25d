package org.fedoraproject.fedimg.lifecycle.aws;

import io.smallrye.mutiny.Uni;
import software.amazon.awssdk.services.servicequotas.ServiceQuotasAsyncClient;

/** GetServiceQuota of EC2's "Public AMIs" quota (L-0E3CBAB9) in the client's region. */
public final class PublicAmiQuota {

    public static final String CODE = "L-0E3CBAB9";
    /** AWS's default, used only when a test or operator configures nothing and Service Quotas cannot be read. */
    public static final long AWS_DEFAULT = 5;

    private PublicAmiQuota() {
    }

    public static Uni<Long> read(ServiceQuotasAsyncClient quotas) {
        return Uni.createFrom().completionStage(() -> quotas.getServiceQuota(b -> b.serviceCode("ec2").quotaCode(CODE)))
                .map(r -> r.quota().value().longValue());
    }
}
