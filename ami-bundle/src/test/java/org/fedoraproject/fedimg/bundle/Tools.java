package org.fedoraproject.fedimg.bundle;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The command-line tools the AMI tools drive ({@code tar}, {@code gzip}, {@code openssl}), run without a shell
 * on files of the test's own temporary directory. Tests that need one skip, with the reason, when it is absent.
 */
final class Tools {

    private Tools() {
    }

    record Result(int exit, String stdout, String stderr) {
    }

    static void assumeInstalled(String... tools) {
        for (String tool : tools) {
            boolean found = List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)).stream()
                    .anyMatch(dir -> Files.isExecutable(Path.of(dir, tool)));
            assumeTrue(found, tool + " is not installed: skipping the check against it");
        }
    }

    /** Runs {@code command}; stdin from {@code in} and stdout to {@code out} when given. */
    static Result run(Path in, Path out, String... command) throws IOException, InterruptedException {
        Path err = Files.createTempFile("tool", ".err");
        Path captured = out != null ? out : Files.createTempFile("tool", ".out");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectError(err.toFile())
                    .redirectOutput(captured.toFile());
            if (in != null) {
                pb.redirectInput(in.toFile());
            } else {
                pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            }
            Process p = pb.start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(command[0] + " did not finish in 60 s");
            }
            String stdout = out != null ? "" : Files.readString(captured, StandardCharsets.ISO_8859_1);
            return new Result(p.exitValue(), stdout, Files.readString(err, StandardCharsets.ISO_8859_1));
        } finally {
            Files.deleteIfExists(err);
            if (out == null) {
                Files.deleteIfExists(captured);
            }
        }
    }

    static Result ok(Path in, Path out, String... command) throws IOException, InterruptedException {
        Result r = run(in, out, command);
        if (r.exit() != 0) {
            throw new AssertionError(String.join(" ", command) + " exited " + r.exit() + ": " + r.stderr());
        }
        return r;
    }
}
