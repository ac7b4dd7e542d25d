package org.fedoraproject.fedimg.emulator.ec2;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * One booted instance as a backend runs it: a private directory and a console file. The bash backend
 * ({@link UserDataRunner}) runs its user-data on the host; the qemu backend ({@link QemuRunner}) boots its root
 * disk in a virtual machine. Public only as the type of an instance's run in the model.
 */
public abstract class InstanceRun {

    /** GetConsoleOutput keeps the latest 64 KiB, as AWS does. */
    static final int CONSOLE_LIMIT = 64 * 1024;

    final String instanceId;
    final Path dir;
    final Path console;
    /** The user-data has run (bash), or the guest has shut down (qemu). */
    volatile boolean finished;
    volatile Instant consoleUpdated = Instant.now();

    InstanceRun(String instanceId, Path dir) {
        this.instanceId = instanceId;
        this.dir = dir;
        this.console = dir.resolve("console.log");
    }

    /**
     * The status checks as this run decides them ({@code initializing}, {@code ok}, {@code impaired}), or null
     * when they follow the emulator's delays (the bash backend).
     */
    String statusCheck() {
        return null;
    }

    /** When the console last changed, for GetConsoleOutput's timestamp. */
    Instant consoleTime() {
        return consoleUpdated;
    }

    /** The console as GetConsoleOutput returns it: the latest 64 KiB. */
    String consoleTail() {
        try {
            if (!Files.exists(console)) {
                return "";
            }
            try (RandomAccessFile f = new RandomAccessFile(console.toFile(), "r")) {
                long len = f.length();
                long from = Math.max(0, len - CONSOLE_LIMIT);
                byte[] buf = new byte[(int) (len - from)];
                f.seek(from);
                f.readFully(buf);
                return new String(buf, StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            return "";
        }
    }
}
