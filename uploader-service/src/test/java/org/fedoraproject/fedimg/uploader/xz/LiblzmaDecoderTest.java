package org.fedoraproject.fedimg.uploader.xz;

import org.junit.jupiter.api.Assumptions;

/** The decoder with liblzma through JNA, what the service uses wherever XZ Utils' library is installed. */
class LiblzmaDecoderTest extends ParallelXzInputStreamTest {
    LiblzmaDecoderTest() {
        super(XzDecoder.LIBLZMA);
        Assumptions.assumeTrue(XzDecoder.liblzmaUnavailableReason() == null,
                () -> "liblzma is not usable here: " + XzDecoder.liblzmaUnavailableReason());
    }
}
