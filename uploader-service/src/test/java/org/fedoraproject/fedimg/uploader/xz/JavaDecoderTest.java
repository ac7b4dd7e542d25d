package org.fedoraproject.fedimg.uploader.xz;

/** The decoder with xz-java, where liblzma cannot be loaded. */
class JavaDecoderTest extends ParallelXzInputStreamTest {
    JavaDecoderTest() {
        super(XzDecoder.JAVA);
    }
}
