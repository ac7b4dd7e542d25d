package org.fedoraproject.fedimg.bundle;

import java.util.concurrent.CompletionStage;

/**
 * Where {@link BundleWriter} hands each finished part, in index order, on the bundling thread.
 *
 * <p>The sink starts its work (an S3 PutObject, say) and returns at once; the returned stage completes when
 * the part's bytes are no longer needed, normally or with the upload's failure. The writer keeps at most
 * {@code maxPartsInFlight} stages open and blocks the bundling (and so the image's decoding) until one
 * completes: that is the backpressure. A failed stage stops the bundle. A sink resuming an earlier attempt
 * may complete at once for a part that is already stored with the same SHA-1 ({@link BundlePart#sha1Base64()},
 * S3's {@code x-amz-checksum-sha1}).
 */
@FunctionalInterface
public interface PartSink {

    CompletionStage<?> accept(BundlePart part);
}
