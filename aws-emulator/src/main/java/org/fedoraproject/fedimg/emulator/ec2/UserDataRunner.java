package org.fedoraproject.fedimg.emulator.ec2;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

import org.fedoraproject.fedimg.emulator.ebs.BlockStore;

/**
 * "Boots" instances: runs their user-data script with bash in a private directory, with a timeout, and
 * keeps what it prints as the console output, framed by cloud-init-like lines so success or failure shows
 * as it would on a real instance. Block device paths in the script ({@code /dev/sdf}, {@code /dev/xvdf},
 * {@code /dev/nvme1n1}, {@code /dev/disk/by-id/...}) are rewritten into the instance's directory, where they
 * are symlinks to the attached volumes' backing files, appearing on attach and disappearing on detach.
 * Power-management commands are stubs that stop the instance instead of the host. Public only as the type of
 * an instance's run in the model; {@link InstanceRuntime} drives it.
 */
public final class UserDataRunner {

    private static final Pattern DEVICE_PATH = Pattern.compile(
            "(?<![\\w./-])/dev/(?=(sd[b-z]|xvd[b-z]|nvme\\d+n1|disk/))");
    private static final Pattern BLOCK_TEST = Pattern.compile("((?:\\[\\[?|\\btest)\\s+(?:!\\s+)?)-b(\\s)");
    private static final Pattern POWER_PATHS = Pattern.compile("(?<![\\w./-])/(?:usr/)?s?bin/(shutdown|poweroff|halt|reboot|systemctl)\\b");

    private final Path root;
    private final Duration timeout;
    private final ExecutorService waiters = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "aws-emulator-instance");
        t.setDaemon(true);
        return t;
    });

    UserDataRunner(Path root, Duration timeout) {
        this.root = root;
        this.timeout = timeout;
    }

    /** One booted instance: its user-data script running on the host. */
    public final class Run extends InstanceRun {
        volatile Process process;

        Run(String instanceId, Path dir) {
            super(instanceId, dir);
        }

        Path devDir() {
            return dir.resolve("dev");
        }
    }

    /** Boots an instance: banner, then its script (if any) in the background. */
    Run boot(String instanceId, String userDataBase64, String instanceType, Consumer<Run> linkDevices,
            Consumer<String> onShutdown) {
        Path dir = root.resolve(instanceId);
        Run run = new Run(instanceId, dir);
        try {
            Files.createDirectories(dir.resolve("dev/disk/by-id"));
            Files.createDirectories(dir.resolve("home"));
            Files.createDirectories(dir.resolve("tmp"));
            writeStubs(dir.resolve("bin"));
            append(run, "[    0.000000] Linux version 6.x (aws-emulator) booting " + instanceId + " (" + instanceType
                    + ")\n[    1.234567] EXT4-fs (nvme0n1p1): mounted filesystem\n"
                    + "Cloud-init v. 24.1 running 'init' at " + Instant.now() + ". Up 5.00 seconds.\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        linkDevices.accept(run);
        String script = decode(userDataBase64);
        if (script == null || !script.startsWith("#!")) {
            String note = script == null ? "" : "Unhandled non-multipart (text/x-not-multipart) userdata: '"
                    + script.lines().findFirst().orElse("") + "...'\n";
            append(run, note + finishedLine());
            run.finished = true;
            return run;
        }
        waiters.submit(() -> execute(run, script, onShutdown));
        return run;
    }

    private void execute(Run run, String script, Consumer<String> onShutdown) {
        int exit;
        boolean shutdown = false;
        try {
            Path scriptFile = run.dir.resolve("user-data");
            Files.writeString(scriptFile, rewrite(script, run.dir));
            Files.setPosixFilePermissions(scriptFile, PosixFilePermissions.fromString("rwx------"));
            String interpreter = interpreter(script);
            ProcessBuilder pb = new ProcessBuilder(interpreter, scriptFile.toString())
                    .directory(run.dir.resolve("home").toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(run.console.toFile()));
            pb.environment().put("PATH", run.dir.resolve("bin") + ":" + System.getenv().getOrDefault("PATH",
                    "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"));
            pb.environment().put("HOME", run.dir.resolve("home").toString());
            pb.environment().put("TMPDIR", run.dir.resolve("tmp").toString());
            pb.environment().put("EMULATOR_INSTANCE_ID", run.instanceId);
            pb.environment().put("EMULATOR_POWER_MARKER", run.dir.resolve("power-off").toString());
            Process p = pb.start();
            run.process = p;
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!p.waitFor(200, TimeUnit.MILLISECONDS)) {
                run.consoleUpdated = Instant.now();
                if (Files.exists(run.dir.resolve("power-off"))) {
                    shutdown = true;
                    kill(p);
                    break;
                }
                if (System.nanoTime() > deadline) {
                    kill(p);
                    append(run, "aws-emulator: user-data script killed after " + timeout + "\n");
                    break;
                }
            }
            exit = p.waitFor();
            shutdown |= Files.exists(run.dir.resolve("power-off"));
        } catch (IOException e) {
            append(run, "aws-emulator: could not run user-data: " + e.getMessage() + "\n");
            exit = 127;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (exit != 0 && !shutdown) {
            append(run, "[   99.000000] cloud-init[1234]: " + Instant.now()
                    + " - cc_scripts_user.py[WARNING]: Failed to run module scripts-user (scripts in /var/lib/cloud/instance/scripts)\n"
                    + "[   99.000000] cloud-init[1234]: " + Instant.now()
                    + " - util.py[WARNING]: Running module scripts-user failed (script exit status " + exit + ")\n");
        }
        append(run, finishedLine());
        run.finished = true;
        run.consoleUpdated = Instant.now();
        if (shutdown) {
            onShutdown.accept(run.instanceId);
        }
    }

    /** Makes a volume visible to the script under every name Linux would give it. */
    void attach(Run run, String device, String volumeId, Path file, int nvmeIndex) {
        for (String alias : aliases(device, nvmeIndex, volumeId)) {
            link(run.devDir().resolve(alias), file);
        }
    }

    void detach(Run run, String device, String volumeId, Integer nvmeIndex) {
        for (String alias : aliases(device, nvmeIndex, volumeId)) {
            try {
                Files.deleteIfExists(run.devDir().resolve(alias));
            } catch (IOException e) {
                // gone already
            }
        }
    }

    private static java.util.List<String> aliases(String device, Integer nvmeIndex, String volumeId) {
        java.util.List<String> names = new java.util.ArrayList<>();
        String base = device.startsWith("/dev/") ? device.substring(5) : device;
        names.add(base);
        if (base.startsWith("sd")) {
            names.add("xvd" + base.substring(2));
        } else if (base.startsWith("xvd")) {
            names.add("sd" + base.substring(3));
        }
        if (nvmeIndex != null) {
            names.add("nvme" + nvmeIndex + "n1");
        }
        if (volumeId != null) {
            names.add("disk/by-id/nvme-Amazon_Elastic_Block_Store_" + volumeId.replace("-", ""));
        }
        return names;
    }

    private static void link(Path link, Path target) {
        try {
            Files.deleteIfExists(link);
            Files.createSymbolicLink(link, target);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void terminate(Run run) {
        Process p = run.process;
        if (p != null && p.isAlive()) {
            kill(p);
        }
        append(run, "[  999.000000] reboot: Power down\n");
    }

    void cleanup(Run run) {
        BlockStore.deleteTree(run.dir, true);
    }

    void close() {
        waiters.shutdownNow();
    }

    private static void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }

    static String rewrite(String script, Path dir) {
        String dev = Matcher.quoteReplacement(dir + "/dev/");
        String out = DEVICE_PATH.matcher(script).replaceAll(dev);
        out = POWER_PATHS.matcher(out).replaceAll(Matcher.quoteReplacement(dir + "/bin/") + "$1");
        return BLOCK_TEST.matcher(out).replaceAll("$1-e$2");
    }

    private static String interpreter(String script) {
        String first = script.lines().findFirst().orElse("#!/bin/bash").substring(2).trim();
        if (first.contains("python3")) {
            return "python3";
        }
        if (first.contains("python")) {
            return "python3";
        }
        return "bash";
    }

    private static String decode(String base64) {
        if (base64 == null || base64.isEmpty()) {
            return null;
        }
        byte[] raw;
        try {
            raw = java.util.Base64.getMimeDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            raw = base64.getBytes(StandardCharsets.UTF_8);
        }
        if (raw.length > 2 && (raw[0] & 0xff) == 0x1f && (raw[1] & 0xff) == 0x8b) {
            try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(raw))) {
                raw = in.readAllBytes();
            } catch (IOException e) {
                return null;
            }
        }
        return new String(raw, StandardCharsets.UTF_8);
    }

    private static String finishedLine() {
        return "Cloud-init v. 24.1 finished at " + Instant.now() + ". Datasource DataSourceEc2Local.  Up 60.00 seconds\n";
    }

    private static void append(Run run, String text) {
        try {
            Files.writeString(run.console, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            run.consoleUpdated = Instant.now();
        } catch (IOException e) {
            // the instance directory is gone: terminated
        }
    }

    private static void writeStubs(Path bin) throws IOException {
        Files.createDirectories(bin);
        String power = "#!/bin/bash\necho \"aws-emulator: $(basename \"$0\") $*: powering off\"\n"
                + "touch \"$EMULATOR_POWER_MARKER\"\nsleep 3600\n";
        for (String cmd : new String[] {"shutdown", "poweroff", "halt", "reboot"}) {
            stub(bin.resolve(cmd), power);
        }
        stub(bin.resolve("systemctl"), "#!/bin/bash\ncase \"$1\" in poweroff|halt|reboot) touch \"$EMULATOR_POWER_MARKER\"; sleep 3600;; esac\nexit 0\n");
        stub(bin.resolve("sudo"), "#!/bin/bash\nwhile [[ \"$1\" == -* ]]; do if [[ \"$1\" == -u ]]; then shift; fi; shift; done\nexec \"$@\"\n");
        stub(bin.resolve("udevadm"), "#!/bin/bash\nexit 0\n");
        stub(bin.resolve("partprobe"), "#!/bin/bash\nexit 0\n");
        stub(bin.resolve("blockdev"), "#!/bin/bash\nif [[ \"$1\" == --getsize64 ]]; then stat -L -c %s \"$2\"; exit $?; fi\n"
                + "if [[ \"$1\" == --getss ]]; then echo 512; exit 0; fi\nexit 0\n");
    }

    private static void stub(Path file, String content) throws IOException {
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
    }
}
