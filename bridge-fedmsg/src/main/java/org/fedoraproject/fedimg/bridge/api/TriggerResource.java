package org.fedoraproject.fedimg.bridge.api;

import java.util.List;
import java.util.Map;

import org.fedoraproject.fedimg.bridge.compose.TransientFailure;
import org.fedoraproject.fedimg.bridge.job.InboundOutcome;
import org.fedoraproject.fedimg.bridge.job.ManualTrigger;
import org.fedoraproject.fedimg.errors.BadInputException;
import org.fedoraproject.fedimg.events.DeadLetterReason;

import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * {@code POST /api/v1/trigger/compose} and {@code /api/v1/trigger/image}. Responses: 202 with the emitted
 * image events, 409 when already handled (retry with force), 400/404 for bad input, 503 when a dependency
 * (compose server, Kafka) is failing, 401 without the configured bearer token, 403 when the trigger is off
 * (no token configured), 429 beyond the rate limit ({@link TriggerGuard}).
 */
@Path("/api/v1/trigger")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class TriggerResource {

    private final ManualTrigger trigger;
    private final TriggerGuard guard;

    public TriggerResource(ManualTrigger trigger, TriggerGuard guard) {
        this.trigger = trigger;
        this.guard = guard;
    }

    @POST
    @Path("/compose")
    public Uni<Response> compose(@HeaderParam("Authorization") String auth, @Context HttpServerRequest http,
            ManualTrigger.ComposeRequest request) {
        return run(auth, http, () -> trigger.compose(request == null
                ? new ManualTrigger.ComposeRequest(null, null, false, 0) : request));
    }

    @POST
    @Path("/image")
    public Uni<Response> image(@HeaderParam("Authorization") String auth, @Context HttpServerRequest http,
            ManualTrigger.ImageRequest request) {
        return run(auth, http, () -> request == null
                ? Uni.createFrom().failure(new BadInputException(DeadLetterReason.MALFORMED_MESSAGE, "empty request"))
                : trigger.image(request));
    }

    private Uni<Response> run(String auth, HttpServerRequest http, java.util.function.Supplier<Uni<InboundOutcome>> action) {
        var refusal = guard.check(auth, http == null || http.remoteAddress() == null ? null
                : http.remoteAddress().hostAddress());
        if (refusal.isPresent()) {
            return Uni.createFrom().item(switch (refusal.get()) {
                case RATE_LIMITED -> error(Response.Status.TOO_MANY_REQUESTS, "RATE_LIMITED",
                        "too many trigger requests; try again in a minute");
                case DISABLED -> error(Response.Status.FORBIDDEN, "TRIGGER_DISABLED", "the trigger is off: no token "
                        + "or client certificates are configured (docs/security.md)");
                case UNAUTHORIZED -> error(Response.Status.UNAUTHORIZED, "UNAUTHORIZED",
                        "a valid bearer token is required");
            });
        }
        return Uni.createFrom().<InboundOutcome>deferred(action::get).map(TriggerResource::toResponse)
                .onFailure(BadInputException.class).recoverWithItem(e -> {
                    BadInputException b = (BadInputException) e;
                    Response.Status status = b.reason() == DeadLetterReason.UNKNOWN_COMPOSE
                            || b.reason() == DeadLetterReason.METADATA_NOT_FOUND
                            || b.reason() == DeadLetterReason.IMAGE_NOT_FOUND
                                    ? Response.Status.NOT_FOUND : Response.Status.BAD_REQUEST;
                    return error(status, b.reason().name(), b.getMessage());
                })
                .onFailure(TransientFailure.class).recoverWithItem(e -> error(Response.Status.SERVICE_UNAVAILABLE,
                        "UNAVAILABLE", e.getMessage()));
    }

    private static Response toResponse(InboundOutcome o) {
        Response.Status status = o.kind() == InboundOutcome.Kind.DUPLICATE ? Response.Status.CONFLICT
                : Response.Status.ACCEPTED;
        List<Map<String, Object>> images = o.images().stream().map(e -> Map.<String, Object>of(
                "imageKey", e.imageKey(), "eventId", e.eventId(), "url", e.image().url(),
                "sha256", e.image().sha256(), "sizeBytes", e.image().sizeBytes(), "arch", e.image().arch(),
                "force", e.force(), "respin", e.image().respin())).toList();
        return Response.status(status).entity(Map.of("outcome", o.kind().name(), "detail", o.detail(),
                "images", images)).build();
    }

    private static Response error(Response.Status status, String code, String message) {
        return Response.status(status).entity(Map.of("outcome", "REJECTED", "reason", code, "detail",
                message == null ? "" : message)).build();
    }
}
