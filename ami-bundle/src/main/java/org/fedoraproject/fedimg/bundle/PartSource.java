package org.fedoraproject.fedimg.bundle;

import java.io.IOException;
import java.io.InputStream;

/** Where {@link BundleReader} finds the parts a manifest lists: beside the manifest, by file name. */
@FunctionalInterface
public interface PartSource {

    /**
     * Opens the part stored under {@code fileName} next to the manifest.
     *
     * @throws java.nio.file.NoSuchFileException or {@link java.io.FileNotFoundException} when there is no such
     *     part; the reader reports it as a {@link MissingPartException}. Other failures pass through as they are.
     */
    InputStream open(String fileName) throws IOException;
}
