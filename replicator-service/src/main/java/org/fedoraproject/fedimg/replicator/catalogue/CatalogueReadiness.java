package org.fedoraproject.fedimg.replicator.catalogue;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Ready once the catalogue has read the published topic to its end: before that it would answer wrongly. */
@Readiness
@ApplicationScoped
public class CatalogueReadiness implements HealthCheck {

    @Inject
    PublishedStore store;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("catalogue loaded from fedimg.amis.published")
                .status(store.isLoaded())
                .withData("images", store.imageKeys().size())
                .build();
    }
}
