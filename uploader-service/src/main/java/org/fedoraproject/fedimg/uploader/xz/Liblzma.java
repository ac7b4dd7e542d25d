package org.fedoraproject.fedimg.uploader.xz;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * The few liblzma (XZ Utils) functions the block decoder needs, bound with JNA direct mapping. liblzma
 * decodes about twice as fast as xz-java, which is what lets a single-block image ingest at the speed of
 * {@code xz -dc}. Loaded once; when the library is missing (or not 64-bit), {@link #available()} is false
 * and the decoder falls back to xz-java.
 */
final class Liblzma {

    static final int LZMA_OK = 0;
    static final int LZMA_STREAM_END = 1;
    static final int LZMA_MEM_ERROR = 5;
    static final int LZMA_DATA_ERROR = 9;
    static final int LZMA_BUF_ERROR = 10;
    static final int LZMA_RUN = 0;
    static final int LZMA_FINISH = 3;
    static final long LZMA_FILTER_LZMA2 = 0x21;
    static final long LZMA_VLI_UNKNOWN = -1L;

    /** {@code lzma_stream} on LP64: offsets of the fields used, and its size (136) rounded up. */
    static final int STREAM_SIZE = 256;
    static final int NEXT_IN = 0;
    static final int AVAIL_IN = 8;
    static final int NEXT_OUT = 24;
    static final int AVAIL_OUT = 32;
    /** {@code lzma_options_lzma}: dict_size is its first field; the rest stays zero for decoding. */
    static final int OPTIONS_SIZE = 128;

    private static final String UNAVAILABLE = load();

    private Liblzma() {
    }

    static native int lzma_raw_decoder(Pointer strm, Pointer filters);

    static native int lzma_code(Pointer strm, int action);

    static native void lzma_end(Pointer strm);

    static native long lzma_crc64(Pointer buf, long size, long crc);

    static native String lzma_version_string();

    static boolean available() {
        return UNAVAILABLE == null;
    }

    /** Why liblzma cannot be used, or null when it can. */
    static String unavailableReason() {
        return UNAVAILABLE;
    }

    private static String load() {
        try {
            if (Native.POINTER_SIZE != 8 || Native.SIZE_T_SIZE != 8) {
                return "the liblzma binding needs a 64-bit JVM";
            }
        } catch (LinkageError e) {
            return "JNA is not usable: " + e;
        }
        Throwable last = null;
        for (String name : new String[] {"lzma", "liblzma.so.5"}) {
            try {
                Native.register(Liblzma.class, NativeLibrary.getInstance(name));
                return null;
            } catch (LinkageError | IllegalArgumentException e) {
                last = e;
            }
        }
        return "liblzma is not loadable: " + last.getMessage();
    }
}
