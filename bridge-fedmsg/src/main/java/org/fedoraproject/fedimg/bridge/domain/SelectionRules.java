package org.fedoraproject.fedimg.bridge.domain;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import org.fedoraproject.fedimg.errors.BadInputException;
import org.fedoraproject.fedimg.events.DeadLetterReason;

/**
 * Which images of a compose are EC2 images. Every list must match; the preferred marker narrows the
 * selection only where the compose has such files (Fedora 40+ ships a separate {@code AmazonEC2} raw.xz
 * beside the Generic one; older composes have only the Cloud_Base raw.xz).
 */
public record SelectionRules(List<String> variants, List<String> subvariants, List<String> types,
        List<String> arches, Optional<String> preferFileNameContaining) {

    private static final Pattern SHA256 = Pattern.compile("^[0-9a-f]{64}$");

    /** The selected images, in images.json order; invalid checksum or size of a selected image is bad metadata. */
    public List<ComposeImage> select(List<ComposeImage> all) {
        List<ComposeImage> matching = new ArrayList<>();
        for (ComposeImage image : all) {
            if (variants.contains(image.variant()) && subvariants.contains(image.subvariant())
                    && types.contains(image.type()) && arches.contains(image.arch())) {
                matching.add(image);
            }
        }
        if (preferFileNameContaining.isPresent() && !preferFileNameContaining.get().isBlank()) {
            String marker = preferFileNameContaining.get();
            List<ComposeImage> preferred = matching.stream().filter(i -> i.fileName().contains(marker)).toList();
            if (!preferred.isEmpty()) {
                matching = new ArrayList<>(preferred);
            }
        }
        for (ComposeImage image : matching) {
            if (image.sha256() == null || !SHA256.matcher(image.sha256()).matches()) {
                throw new BadInputException(DeadLetterReason.METADATA_INVALID,
                        image.path() + " has no valid sha256 checksum in images.json");
            }
            if (image.size() <= 0) {
                throw new BadInputException(DeadLetterReason.METADATA_INVALID,
                        image.path() + " has no valid size in images.json");
            }
            if (!isImagePath(image.path())) {
                throw new BadInputException(DeadLetterReason.METADATA_INVALID, "the path '" + image.path()
                        + "' in images.json is not a file path under the compose location");
            }
        }
        return List.copyOf(matching);
    }

    /**
     * The image URL is the compose location + "/" + path: the path must be a relative URL path (no spaces or bad
     * escapes, no scheme or host, no ".." out of the compose) naming a file.
     */
    static boolean isImagePath(String path) {
        try {
            URI uri = new URI(path);
            return uri.getScheme() == null && uri.getRawAuthority() == null && !path.endsWith("/")
                    && Arrays.stream(path.split("/")).noneMatch(".."::equals);
        } catch (URISyntaxException e) {
            return false;
        }
    }
}
