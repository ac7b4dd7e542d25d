package org.fedoraproject.fedimg.cli.local;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The compose local mode announces: one it generates, a compose directory on this machine (both served by local
 * mode's HTTP server, {@link LocalCompose}) or a compose at a URL ({@link RemoteCompose}).
 */
public interface ComposeSource extends AutoCloseable {

    ComposeMetadata metadata();

    /** The compose location as pungi sends it: the directory that holds {@code metadata/images.json}. */
    String location();

    /** Where it comes from, for people. */
    String describe();

    /** The URL prefixes the bridge and the uploader fetch this compose's metadata and images from. */
    default List<String> fetchedFrom() {
        return List.of(location() + "/");
    }

    /** A file of the compose ({@code metadata/rpms.json}), or empty where it has none. */
    Optional<InputStream> read(String path) throws IOException;

    /** The pungi FINISHED message for this compose. */
    default Map<String, Object> finishedMessageBody() {
        return metadata().finishedMessageBody(location());
    }

    @Override
    void close();
}
