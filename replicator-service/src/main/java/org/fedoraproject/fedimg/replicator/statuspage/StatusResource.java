package org.fedoraproject.fedimg.replicator.statuspage;

import java.util.List;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** The data behind the status page ({@code /status/}): images in flight, recent results, dead letters. */
@Path("/status/api")
@Produces(MediaType.APPLICATION_JSON)
public class StatusResource {

    public record View(List<PipelineView.ImageRow> inFlight, List<PipelineView.ImageRow> recent,
            List<PipelineView.DeadLetterRow> deadLetters, List<PipelineView.LifecycleRow> lifecycle) {
    }

    @Inject
    PipelineView view;

    @GET
    @Path("view")
    public View view() {
        return new View(view.inFlight(), view.recent(), view.deadLetters(), view.lifecycle());
    }
}
