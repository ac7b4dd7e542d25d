package org.fedoraproject.fedimg.uploader.xz;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;

import org.tukaani.xz.CorruptedInputException;
import org.tukaani.xz.UnsupportedOptionsException;
import org.tukaani.xz.XZFormatException;
import org.tukaani.xz.XZInputStream;
import org.tukaani.xz.check.Check;

/**
 * Decompresses an .xz stream with one thread per xz block, in order, with bounded memory.
 *
 * <p>A reader thread walks the container without decoding: block headers, then the LZMA2 chunk headers
 * (each says its packed size), so it finds every block's end even when the encoder did not store sizes
 * in the block header (xz-java, single-threaded xz). It hands each block's compressed bytes to a decoder
 * task through a small pipe. Up to {@code threads} blocks decode at once; each holds at most
 * {@code chunksPerBlock} decoded MiB ahead of the consumer, and at most {@code threads + 1} blocks are
 * open, so memory does not grow with the image. A single-block file still decodes on its own thread,
 * overlapped with the download and the caller's hashing. The index, footers, block checks and sizes are
 * all verified; any problem is an {@link XzFormatException} (NOT_XZ or TRUNCATED_XZ). Errors of the
 * underlying stream (e.g. a checksum mismatch of the download) come out unchanged.
 */
public final class ParallelXzInputStream extends InputStream {

    /**
     * Decoded chunks: direct buffers for liblzma (decoded into in place, no copy on the decoder's thread),
     * heap arrays below G1's humongous threshold even with 1 MiB regions for xz-java; recycled either way,
     * so decoding allocates almost nothing.
     */
    static final int CHUNK = 256 * 1024;
    private static final int CHUNKS_PER_MIB = (1 << 20) / CHUNK;

    static {
        // reuse LZMA2 dictionaries and buffers between blocks instead of allocating them per block
        org.tukaani.xz.ArrayCache.setDefaultCache(org.tukaani.xz.BasicArrayCache.getInstance());
    }
    private static final int SEGMENT = 256 * 1024;
    private static final int PIPE_SEGMENTS = 8;
    private static final Object END = new Object();
    private static final AtomicInteger IDS = new AtomicInteger();

    private final InputStream in;
    private final XzDecoder decoder;
    private final ExecutorService decoders;
    private final Semaphore openBlocks;
    private final BlockingQueue<Object> order = new LinkedBlockingQueue<>();
    private final int chunksPerBlock;
    private final BlockingQueue<ByteBuffer> freeChunks;
    private final Thread reader;

    private Block current;
    private Chunk chunk;
    private int chunkPos;
    private boolean eof;
    private volatile boolean closed;

    private record Chunk(ByteBuffer buf, int len) {
    }

    private record Segment(byte[] buf, int len) {
    }

    private record Failure(Throwable error) {
    }

    /**
     * Opens {@code compressed} for reading. Streams whose first block is not LZMA2-only (BCJ or delta
     * filters) fall back to xz-java's sequential decoder.
     */
    public static InputStream open(InputStream compressed, int threads, int bufferPerThreadMib, XzDecoder decoder)
            throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(compressed, 1 << 16);
        buffered.mark(12 + 1024 + 8);
        byte[] head = buffered.readNBytes(12);
        if (head.length < MAGIC_LEN || !XzHeaders.isMagic(Arrays.copyOf(head, 12))) {
            throw XzFormatException.notXz(head.length < MAGIC_LEN ? "only " + head.length + " bytes" : "bad magic bytes");
        }
        if (head.length < 12) {
            throw XzFormatException.truncated("stream header cut short");
        }
        XzHeaders.streamHeaderCheckType(head);
        int first = buffered.read();
        boolean lzma2Only = true;
        if (first > 0) {
            byte[] bh = new byte[(first + 1) * 4];
            bh[0] = (byte) first;
            if (buffered.readNBytes(bh, 1, bh.length - 1) == bh.length - 1) {
                lzma2Only = XzHeaders.blockHeader(bh) != null;
            }
        }
        buffered.reset();
        if (!lzma2Only) {
            return new SequentialXz(buffered);
        }
        return new ParallelXzInputStream(buffered, threads, Math.max(1, bufferPerThreadMib), decoder.resolve());
    }

    private static final int MAGIC_LEN = 6;

    private ParallelXzInputStream(InputStream in, int threads, int chunksPerBlock, XzDecoder decoder) {
        this.in = in;
        this.decoder = decoder;
        int n = Math.max(1, threads);
        int id = IDS.incrementAndGet();
        AtomicInteger t = new AtomicInteger();
        this.decoders = Executors.newFixedThreadPool(n, r -> {
            Thread th = new Thread(r, "xz-decode-" + id + "-" + t.incrementAndGet());
            th.setDaemon(true);
            return th;
        });
        this.openBlocks = new Semaphore(n + 1);
        this.chunksPerBlock = chunksPerBlock * CHUNKS_PER_MIB;
        this.freeChunks = new ArrayBlockingQueue<>((n + 1) * (this.chunksPerBlock + 2));
        this.reader = new Thread(this::readContainer, "xz-reader-" + id);
        this.reader.setDaemon(true);
        this.reader.start();
    }

    // ---- consumer side ----

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (!eof) {
            if (closed) {
                throw new IOException("stream closed");
            }
            if (chunk != null && chunkPos < chunk.len) {
                int n = Math.min(len, chunk.len - chunkPos);
                chunk.buf.get(chunkPos, buf, off, n);
                chunkPos += n;
                return n;
            }
            if (chunk != null) {
                freeChunks.offer(chunk.buf);
                chunk = null;
            }
            try {
                if (current == null) {
                    Object next = order.take();
                    if (next instanceof Failure f) {
                        throw rethrow(f.error);
                    }
                    if (next == END) {
                        eof = true;
                        break;
                    }
                    current = (Block) next;
                }
                Object item = current.out.take();
                if (item == END) {
                    current.verify();
                    current = null;
                    openBlocks.release();
                } else if (item instanceof Failure f) {
                    throw rethrow(f.error);
                } else {
                    chunk = (Chunk) item;
                    chunkPos = 0;
                    // the block's check runs here, beside the decoder, not on its thread
                    current.check.update(chunk.buf, chunk.len);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while decompressing");
            }
        }
        return -1;
    }

    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            reader.interrupt();
            decoders.shutdownNow();
            try {
                // the caller may read the underlying stream afterwards (to verify the download): not concurrently
                reader.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static IOException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return t instanceof IOException io ? io : new IOException(t);
    }

    // ---- reader thread: walks the container, feeds decoders ----

    private void readContainer() {
        Block block = null;
        try {
            boolean firstStream = true;
            while (true) {
                byte[] header = new byte[12];
                if (firstStream) {
                    readFully(header, 0, 12, "stream header");
                } else if (!nextStreamHeader(header)) {
                    break;
                }
                firstStream = false;
                int checkType = XzHeaders.streamHeaderCheckType(header);
                int checkSize = checkSize(checkType);
                List<long[]> records = new ArrayList<>();
                while (true) {
                    int b = readByte("block header or index");
                    if (b == 0) {
                        long indexSize = readIndex(records);
                        readFooter(header, indexSize);
                        break;
                    }
                    byte[] bh = new byte[(b + 1) * 4];
                    bh[0] = (byte) b;
                    readFully(bh, 1, bh.length - 1, "block header");
                    XzHeaders.BlockHeader h = XzHeaders.blockHeader(bh);
                    if (h == null) {
                        throw XzFormatException.notXz("a later block uses a filter chain other than LZMA2 alone");
                    }
                    openBlocks.acquire();
                    block = new Block(decoder, h.dictSize(), BlockCheck.of(checkType), chunksPerBlock, freeChunks);
                    order.put(block);
                    decoders.execute(block);
                    long[] sizes = scanLzma2(block);
                    long compressed = sizes[0];
                    long uncompressed = sizes[1];
                    int pad = (int) ((4 - (h.headerSize() + compressed) % 4) % 4);
                    byte[] padding = new byte[pad];
                    readFully(padding, 0, pad, "block padding");
                    for (byte p : padding) {
                        if (p != 0) {
                            throw XzFormatException.corrupt("non-zero block padding");
                        }
                    }
                    byte[] check = new byte[checkSize];
                    readFully(check, 0, checkSize, "block check");
                    // the size first: whoever sees the check completed sees the size too
                    block.expectedSize = uncompressed;
                    block.expectedCheck.complete(check);
                    if ((h.compressedSize() >= 0 && h.compressedSize() != compressed)
                            || (h.uncompressedSize() >= 0 && h.uncompressedSize() != uncompressed)) {
                        throw XzFormatException.corrupt("block sizes differ from its header");
                    }
                    block = null;
                    records.add(new long[] {h.headerSize() + compressed + checkSize, uncompressed});
                }
            }
            order.put(END);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            if (block != null) {
                block.pipe.fail(t);
                block.expectedCheck.completeExceptionally(t);
            }
            order.add(new Failure(t));
        }
    }

    /** Copies one block's LZMA2 data to its decoder; returns {compressed bytes, uncompressed bytes}. */
    private long[] scanLzma2(Block block) throws IOException, InterruptedException {
        byte[] seg = new byte[SEGMENT];
        int segLen = 0;
        long compressed = 0;
        long uncompressed = 0;
        while (true) {
            int control = readByte("LZMA2 chunk");
            int headerLen;
            int dataLen;
            byte[] h = new byte[6];
            h[0] = (byte) control;
            if (control == 0x00) {
                headerLen = 1;
                dataLen = 0;
            } else if (control == 0x01 || control == 0x02) {
                readFully(h, 1, 2, "LZMA2 chunk header");
                headerLen = 3;
                dataLen = ((h[1] & 0xFF) << 8 | (h[2] & 0xFF)) + 1;
                uncompressed += dataLen;
            } else if (control >= 0x80) {
                boolean props = control >= 0xC0;
                headerLen = props ? 6 : 5;
                readFully(h, 1, headerLen - 1, "LZMA2 chunk header");
                uncompressed += (((control & 0x1F) << 16) | ((h[1] & 0xFF) << 8) | (h[2] & 0xFF)) + 1;
                dataLen = ((h[3] & 0xFF) << 8 | (h[4] & 0xFF)) + 1;
            } else {
                throw XzFormatException.corrupt("invalid LZMA2 control byte " + control);
            }
            int total = headerLen + dataLen;
            if (segLen + total > seg.length) {
                block.pipe.put(seg, segLen);
                seg = new byte[Math.max(SEGMENT, total)];
                segLen = 0;
            }
            System.arraycopy(h, 0, seg, segLen, headerLen);
            readFully(seg, segLen + headerLen, dataLen, "LZMA2 chunk data");
            segLen += total;
            compressed += total;
            if (control == 0x00) {
                block.pipe.put(seg, segLen);
                block.pipe.end();
                return new long[] {compressed, uncompressed};
            }
        }
    }

    private long readIndex(List<long[]> blocks) throws IOException {
        CRC32 crc = new CRC32();
        crc.update(0);
        long[] size = {1};
        long count = readVarint(crc, size);
        if (count != blocks.size()) {
            throw XzFormatException.corrupt("index lists " + count + " blocks, the stream has " + blocks.size());
        }
        for (long[] record : blocks) {
            long unpadded = readVarint(crc, size);
            long uncompressed = readVarint(crc, size);
            if (unpadded != record[0] || uncompressed != record[1]) {
                throw XzFormatException.corrupt("index record differs from the block");
            }
        }
        while (size[0] % 4 != 0) {
            int p = readByte("index padding");
            if (p != 0) {
                throw XzFormatException.corrupt("non-zero index padding");
            }
            crc.update(p);
            size[0]++;
        }
        byte[] stored = new byte[4];
        readFully(stored, 0, 4, "index CRC32");
        if (XzHeaders.le32(stored, 0) != crc.getValue()) {
            throw XzFormatException.corrupt("index CRC32 mismatch");
        }
        return size[0] + 4;
    }

    private long readVarint(CRC32 crc, long[] size) throws IOException {
        long value = 0;
        for (int i = 0; i < 9; i++) {
            int x = readByte("index");
            crc.update(x);
            size[0]++;
            value |= (long) (x & 0x7F) << (7 * i);
            if ((x & 0x80) == 0) {
                return value;
            }
        }
        throw XzFormatException.corrupt("index integer too long");
    }

    private void readFooter(byte[] streamHeader, long indexSize) throws IOException {
        byte[] f = new byte[12];
        readFully(f, 0, 12, "stream footer");
        if (f[10] != 'Y' || f[11] != 'Z') {
            throw XzFormatException.corrupt("bad stream footer magic");
        }
        if (XzHeaders.crc32(f, 4, 6) != XzHeaders.le32(f, 0)) {
            throw XzFormatException.corrupt("stream footer CRC32 mismatch");
        }
        if ((XzHeaders.le32(f, 4) + 1) * 4 != indexSize) {
            throw XzFormatException.corrupt("backward size does not match the index");
        }
        if (f[8] != streamHeader[6] || f[9] != streamHeader[7]) {
            throw XzFormatException.corrupt("stream footer flags differ from the header");
        }
    }

    /** After a stream: stream padding, then EOF (false) or the next stream's header (true). */
    private boolean nextStreamHeader(byte[] header) throws IOException {
        while (true) {
            int n = in.readNBytes(header, 0, 4);
            if (n == 0) {
                return false;
            }
            if (n < 4) {
                throw XzFormatException.truncated("stream padding cut short");
            }
            if (header[0] == 0 && header[1] == 0 && header[2] == 0 && header[3] == 0) {
                continue;
            }
            readFully(header, 4, 8, "stream header");
            if (!XzHeaders.isMagic(header)) {
                throw XzFormatException.corrupt("garbage after the end of an xz stream");
            }
            return true;
        }
    }

    private int readByte(String what) throws IOException {
        int b = in.read();
        if (b < 0) {
            throw XzFormatException.truncated("end of file inside the " + what);
        }
        return b;
    }

    private void readFully(byte[] b, int off, int len, String what) throws IOException {
        int n = in.readNBytes(b, off, len);
        if (n < len) {
            throw XzFormatException.truncated("end of file inside the " + what);
        }
    }

    private static int checkSize(int checkType) throws XzFormatException {
        try {
            return Check.getInstance(checkType).getSize();
        } catch (UnsupportedOptionsException e) {
            throw XzFormatException.notXz("unsupported integrity check type " + checkType);
        }
    }

    // ---- one xz block: a pipe in, decoded chunks out ----

    private static final class Block implements Runnable {
        final Pipe pipe = new Pipe();
        final BlockingQueue<Object> out;
        final CompletableFuture<byte[]> expectedCheck = new CompletableFuture<>();
        final XzDecoder decoder;
        final int dictSize;
        /** Updated by the consumer with every chunk it takes, verified when it takes END. */
        final BlockCheck check;
        final BlockingQueue<ByteBuffer> free;
        volatile long expectedSize = -1;
        /** Written by the decoder before it puts END, read by the consumer after taking it. */
        private long decoded;

        Block(XzDecoder decoder, int dictSize, BlockCheck check, int chunks, BlockingQueue<ByteBuffer> free) {
            this.decoder = decoder;
            this.dictSize = dictSize;
            this.check = check;
            this.out = new ArrayBlockingQueue<>(chunks + 1);
            this.free = free;
        }

        @Override
        public void run() {
            try {
                long total = 0;
                try (BlockDecoder lz = BlockDecoder.open(decoder, pipe, dictSize)) {
                    while (true) {
                        ByteBuffer recycled = free.poll();
                        ByteBuffer buf = recycled != null ? recycled : BlockDecoder.allocateChunk(decoder, CHUNK);
                        int len = lz.fill(buf);
                        if (len > 0) {
                            total += len;
                            out.put(new Chunk(buf, len));
                        }
                        if (len < CHUNK) {
                            if (len == 0) {
                                free.offer(buf);
                            }
                            break;
                        }
                    }
                }
                decoded = total;
                out.put(END);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Throwable t) {
                out.offer(new Failure(t));
            }
        }

        /** On the consumer's thread, once every chunk of the block went through {@link #check}. */
        void verify() throws IOException, InterruptedException {
            byte[] expected;
            try {
                expected = expectedCheck.get();
            } catch (ExecutionException e) {
                throw rethrow(e.getCause());
            }
            if (!Arrays.equals(check.finish(), expected)) {
                throw XzFormatException.corrupt("block integrity check mismatch");
            }
            long size = expectedSize;
            if (size >= 0 && decoded != size) {
                throw XzFormatException.corrupt("block decoded to " + decoded + " bytes, expected " + size);
            }
        }
    }

    /** Compressed bytes from the reader thread to one decoder, bounded. */
    private static final class Pipe extends InputStream {
        private static final byte[] EOF = new byte[0];
        private final BlockingQueue<Object> segments = new ArrayBlockingQueue<>(PIPE_SEGMENTS + 2);
        private byte[] seg;
        private int segLen;
        private int pos;
        private boolean done;

        void put(byte[] buf, int len) throws InterruptedException {
            if (len > 0) {
                segments.put(new Segment(buf, len));
            }
        }

        void end() throws InterruptedException {
            segments.put(EOF);
        }

        void fail(Throwable t) {
            segments.clear();
            segments.offer(new Failure(t));
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (seg == null || pos >= segLen) {
                if (done) {
                    return -1;
                }
                Object next;
                try {
                    next = segments.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException();
                }
                if (next == EOF) {
                    done = true;
                    return -1;
                }
                if (next instanceof Failure f) {
                    throw rethrow(f.error);
                }
                Segment c = (Segment) next;
                seg = c.buf;
                segLen = c.len;
                pos = 0;
            }
            int n = Math.min(len, segLen - pos);
            System.arraycopy(seg, pos, b, off, n);
            pos += n;
            return n;
        }
    }

    /** xz-java's sequential decoder with its errors mapped to NOT_XZ / TRUNCATED_XZ. */
    private static final class SequentialXz extends InputStream {
        private final InputStream raw;
        private XZInputStream xz;

        SequentialXz(InputStream raw) {
            this.raw = raw;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                if (xz == null) {
                    xz = new XZInputStream(raw);
                }
                return xz.read(b, off, len);
            } catch (XZFormatException e) {
                throw XzFormatException.notXz(e.getMessage());
            } catch (CorruptedInputException | UnsupportedOptionsException e) {
                throw XzFormatException.corrupt(e.getMessage(), e);
            } catch (EOFException e) {
                throw XzFormatException.truncated("end of file inside the stream");
            }
        }

        @Override
        public void close() {
            // the underlying download belongs to the caller, who may still verify it
        }
    }
}
