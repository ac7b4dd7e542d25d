package org.fedoraproject.fedimg.replicator.api;

import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

import org.fedoraproject.fedimg.events.AmiPublished;
import org.fedoraproject.fedimg.events.ImagePublished;
import org.fedoraproject.fedimg.events.RegionOutcome;
import org.fedoraproject.fedimg.replicator.catalogue.AmiLifecycles;
import org.fedoraproject.fedimg.replicator.catalogue.PublishedStore;

import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/**
 * "Which AMI do I use?": the questions the original pointed users to datagrepper and the releng
 * dashboard for, answered from the compacted published topic.
 */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class CatalogueResource {

    @Inject
    PublishedStore store;
    @Inject
    AmiLifecycles lifecycles;

    /**
     * AMIs, newest first. Without {@code includeFailed} only usable ones (public, or shared for encrypted
     * variants). With {@code lifecycle} only those in that lifecycle state (public, shared, deprecated, private,
     * disabled, deregistered). With {@code latest=true} only the newest image per release, arch, variant and region.
     */
    @GET
    @Path("amis")
    public List<AmiView> amis(@QueryParam("release") String release, @QueryParam("arch") String arch,
            @QueryParam("region") String region, @QueryParam("compose") String compose,
            @QueryParam("variant") String variant, @QueryParam("subvariant") String subvariant,
            @QueryParam("includeFailed") @DefaultValue("false") boolean includeFailed,
            @QueryParam("latest") @DefaultValue("false") boolean latest,
            @QueryParam("lifecycle") String lifecycle) {
        Instant now = Instant.now();
        Predicate<AmiPublished> match = p -> (includeFailed || p.outcome() != RegionOutcome.FAILED)
                && eq(release, p.image() == null ? null : p.image().release())
                && archMatches(arch, p)
                && eq(region, p.region())
                && eq(compose, p.composeId())
                && eq(variant, p.sourceAmi() == null || p.sourceAmi().variant() == null ? null : p.sourceAmi().variant().slug())
                && eq(subvariant, p.image() == null ? null : p.image().subvariant())
                && eq(lifecycle, label(p, now));
        List<AmiPublished> found = store.allRecords().stream().filter(match)
                .sorted(Comparator.comparing(AmiPublished::time).reversed()
                        .thenComparing(AmiPublished::imageKey).thenComparing(AmiPublished::region))
                .toList();
        if (latest) {
            Map<String, AmiPublished> newest = new LinkedHashMap<>();
            for (AmiPublished p : found) {
                String k = (p.image() == null ? "" : p.image().release() + "|" + p.image().arch() + "|" + p.image().subvariant())
                        + "|" + p.sourceAmi().variant().slug() + "|" + p.region();
                newest.putIfAbsent(k, p);
            }
            found = List.copyOf(newest.values());
        }
        return found.stream().map(p -> AmiView.of(p, label(p, now))).toList();
    }

    /** Images known to the catalogue, optionally of one compose or release. */
    @GET
    @Path("images")
    public List<ImageView> images(@QueryParam("compose") String compose, @QueryParam("release") String release) {
        return store.imageKeys().stream().map(this::view).flatMap(Optional::stream)
                .filter(v -> eq(compose, v.composeId()) && eq(release, v.image() == null ? null : v.image().release()))
                .toList();
    }

    /** One image with every region's AMI; the key contains '/', send it URL-encoded (or as is). */
    @GET
    @Path("images/{imageKey: .+}")
    public ImageView image(@PathParam("imageKey") String imageKey) {
        return view(imageKey).orElseThrow(() -> new NotFoundException("no image " + imageKey + " in the catalogue"));
    }

    private Optional<ImageView> view(String imageKey) {
        List<AmiPublished> records = store.records(imageKey);
        Optional<ImagePublished> aggregate = store.image(imageKey);
        if (records.isEmpty() && aggregate.isEmpty()) {
            return Optional.empty();
        }
        List<AmiView> amis = records.stream()
                .sorted(Comparator.comparing((AmiPublished p) -> p.sourceAmi().variant().slug()).thenComparing(AmiPublished::region))
                .map(p -> AmiView.of(p, label(p, Instant.now()))).toList();
        AmiPublished any = records.isEmpty() ? null : records.get(0);
        return Optional.of(new ImageView(imageKey,
                aggregate.map(ImagePublished::composeId).orElse(any == null ? null : any.composeId()),
                aggregate.map(ImagePublished::image).orElse(any == null ? null : any.image()),
                aggregate.map(a -> a.outcome().name()).orElse("IN_PROGRESS"),
                aggregate.map(ImagePublished::reason).orElse(null),
                aggregate.map(ImagePublished::time).orElse(null),
                aggregate.map(a -> a.regions().stream().filter(r -> r.outcome() == RegionOutcome.FAILED).toList()).orElse(List.of()),
                amis));
    }

    private String label(AmiPublished p, Instant now) {
        AmiLifecycles.State state = lifecycles.state(p, now);
        return state == null ? null : state.label();
    }

    private static boolean eq(String wanted, String actual) {
        return wanted == null || wanted.isBlank() || wanted.equals(actual);
    }

    private static boolean archMatches(String wanted, AmiPublished p) {
        if (wanted == null || wanted.isBlank()) {
            return true;
        }
        if (p.image() == null) {
            return false;
        }
        return wanted.equals(p.image().arch()) || wanted.equals(p.image().ec2Architecture());
    }
}
