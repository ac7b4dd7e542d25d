package org.fedoraproject.fedimg.bridge.cli;

import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code fedimg-trigger}: submits a compose or a single image to a running bridge's trigger endpoint (the
 * successor of fedimg's {@code trigger_upload.py}). JDK classes only, so it runs from the bridge's jar alone:
 * <pre>
 * java -cp bridge-fedmsg.jar org.fedoraproject.fedimg.bridge.cli.TriggerCli compose Fedora-41-20241027.0
 * java -cp bridge-fedmsg.jar org.fedoraproject.fedimg.bridge.cli.TriggerCli image URL --sha256 HEX --force --respin 1
 * </pre>
 * Exit status: 0 accepted, 1 already handled (use --force), 2 usage error, 3 rejected, 4 bridge unreachable
 * or unavailable.
 */
public final class TriggerCli {

    static final String USAGE = """
            usage: fedimg-trigger [--bridge URL] [--token TOKEN] compose (COMPOSE_ID | LOCATION_URL) [--force] [--respin N]
                   fedimg-trigger [--bridge URL] [--token TOKEN] image IMAGE_URL --sha256 HEX [--size BYTES]
                                  [--compose-id ID] [--arch ARCH] [--release REL] [--force] [--respin N]
              --bridge  the bridge's base URL (default $FEDIMG_BRIDGE_URL or http://localhost:8080)
              --token   bearer token (default $FEDIMG_TRIGGER_TOKEN)
              --force   reprocess even if the compose or image was already handled
              --respin  with --force: the respin in AMI names, so the new AMIs do not collide with the old ones
            """;

    private TriggerCli() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), System.out, System.err));
    }

    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        String bridge = env.getOrDefault("FEDIMG_BRIDGE_URL", "http://localhost:8080");
        String token = env.get("FEDIMG_TRIGGER_TOKEN");
        Map<String, Object> body = new LinkedHashMap<>();
        List<String> positional = new ArrayList<>();
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--bridge" -> bridge = value(args, ++i, a);
                    case "--token" -> token = value(args, ++i, a);
                    case "--force" -> body.put("force", true);
                    case "--respin" -> body.put("respin", Integer.parseInt(value(args, ++i, a)));
                    case "--sha256" -> body.put("sha256", value(args, ++i, a));
                    case "--size" -> body.put("sizeBytes", Long.parseLong(value(args, ++i, a)));
                    case "--compose-id" -> body.put("composeId", value(args, ++i, a));
                    case "--arch" -> body.put("arch", value(args, ++i, a));
                    case "--release" -> body.put("release", value(args, ++i, a));
                    case "-h", "--help" -> {
                        out.print(USAGE);
                        return 0;
                    }
                    default -> {
                        if (a.startsWith("--")) {
                            throw new IllegalArgumentException("unknown option " + a);
                        }
                        positional.add(a);
                    }
                }
            }
            if (positional.size() != 2) {
                throw new IllegalArgumentException("expected a command and one argument");
            }
        } catch (IllegalArgumentException e) {
            err.println("fedimg-trigger: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
        String command = positional.get(0);
        String target = positional.get(1);
        switch (command) {
            case "compose" -> body.put(target.contains("://") ? "location" : "composeId", target);
            case "image" -> {
                if (!body.containsKey("sha256")) {
                    err.println("fedimg-trigger: image needs --sha256");
                    return 2;
                }
                body.put("url", target);
            }
            default -> {
                err.println("fedimg-trigger: unknown command " + command);
                err.print(USAGE);
                return 2;
            }
        }
        String base = bridge.endsWith("/") ? bridge.substring(0, bridge.length() - 1) : bridge;
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/api/v1/trigger/" + command))
                .timeout(Duration.ofMinutes(5)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json(body)));
        if (token != null && !token.isBlank()) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            HttpResponse<String> response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()
                    .send(request.build(), HttpResponse.BodyHandlers.ofString());
            (response.statusCode() < 300 ? out : err).println(response.body());
            return switch (response.statusCode()) {
                case 200, 201, 202 -> 0;
                case 409 -> 1;
                case 503 -> 4;
                default -> 3;
            };
        } catch (ConnectException e) {
            err.println("fedimg-trigger: cannot reach the bridge at " + base);
            return 4;
        } catch (Exception e) {
            err.println("fedimg-trigger: " + e);
            return 4;
        }
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    static String json(Map<String, Object> body) {
        StringBuilder sb = new StringBuilder("{");
        body.forEach((k, v) -> {
            if (sb.length() > 1) {
                sb.append(',');
            }
            sb.append(quote(k)).append(':');
            sb.append(v instanceof String s ? quote(s) : String.valueOf(v));
        });
        return sb.append('}').toString();
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
