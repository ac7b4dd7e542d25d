package org.fedoraproject.fedimg.uploader.bench;

import java.io.BufferedInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.fedoraproject.fedimg.uploader.xz.ParallelXzInputStream;
import org.fedoraproject.fedimg.uploader.xz.XzDecoder;
import org.tukaani.xz.XZInputStream;

/** Decode-only throughput of a file (no network, no EBS): args file threads|seq. Part of the bench profile. */
public final class DecodeOnly {
    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        CpuUse cpu = CpuUse.start();
        long t0 = System.nanoTime();
        long total = 0;
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
                InputStream in = "seq".equals(args[1]) ? new XZInputStream(raw)
                        : ParallelXzInputStream.open(raw, Integer.parseInt(args[1]), 8,
                                XzDecoder.valueOf(System.getProperty("bench.decoder", "AUTO")))) {
            byte[] buf = new byte[512 * 1024];
            int n;
            while ((n = in.readNBytes(buf, 0, buf.length)) > 0) {
                total += n;
            }
        }
        System.out.printf("RESULT decode=%s seconds=%.2f bytes=%d cpuSeconds=%s%n", args[1], (System.nanoTime() - t0) / 1e9,
                total, cpu.report());
    }
}
