package org.fedoraproject.fedimg.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.fedoraproject.fedimg.events.FedimgEvent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Requests to the running bridge's manual trigger without, with a wrong and with a timing-probed token, then a
 * flood. Every request names a compose of its own (whose images.json is missing): had one got through, it would be
 * answered 404 and its id would show on Kafka. Asserts: all refused 401 (the flood 401 or 429) with an error
 * code and without the token in the answer; the refusal counter rose by as many; the real token gets through (so
 * the 401s mean something); nothing of a probe reached Kafka; the bridge stays healthy. The response times per
 * length of the right prefix are reported, not asserted (a loaded machine's noise is larger than any
 * difference a constant-time compare could leave). Writes {@code 41-trigger.md}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class TriggerProbes {

    /** The bridge's trigger rate on the hostile pipeline: above the probes, below the flood. */
    static final int RATE_PER_MINUTE = 300;
    private static final int TIMING_SAMPLES = 25;
    private static final int FLOOD = 2 * RATE_PER_MINUTE;

    private HostilePipeline p;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final List<Probe> probes = new ArrayList<>();
    private final Map<Integer, List<Long>> timing = new TreeMap<>();
    private final List<Integer> flood = new ArrayList<>();
    private double refusedBefore;
    private double refusedAfter;
    private int rightToken;
    private int n;

    private record Probe(String kind, String authorization, String composeId, int status, String body) {
    }

    @BeforeAll
    void probe() throws Exception {
        p = HostilePipeline.get();
        refusedBefore = refused("unauthorized");
        String token = HostilePipeline.TRIGGER_TOKEN;
        send("no Authorization header", null);
        // not "Bearer <token> ": HTTP strips whitespace around a field value (RFC 9110 5.5), so that is the token
        
        for (String a : List.of("", "Bearer", "Bearer ", "Basic " + java.util.Base64.getEncoder().encodeToString(
                ("fedimg:" + token).getBytes()), "bearer " + token, "Bearer  " + token,
                "Bearer " + token + "\u0000", "Bearer " + token.toUpperCase(), "Bearer \"" + token + "\"",
                "Bearer " + token.substring(0, token.length() - 1), "Bearer " + token + "x", token)) {
            send("malformed or near-miss header", a);
        }
        SplittableRandom random = new SplittableRandom(19);
        for (int i = 0; i < 10; i++) {
            send("wrong token", "Bearer " + randomToken(random, token.length()));
        }
        // a timing attack guesses one more character at a time: the right prefix of k characters, then noise
        int[] prefixes = {0, token.length() / 2, token.length() - 1};
        for (int s = 0; s < TIMING_SAMPLES; s++) {
            for (int k : prefixes) {
                String guess = token.substring(0, k) + wrongRest(random, token.substring(k));
                long start = System.nanoTime();
                send("timing probe (right prefix of " + k + " characters)", "Bearer " + guess);
                timing.computeIfAbsent(k, x -> new ArrayList<>()).add(System.nanoTime() - start);
            }
        }
        refusedAfter = refused("unauthorized");
        rightToken = post("Bearer " + token, "Fedora-Allowed-" + BadInputs.RELEASE + "-" + BadInputs.DATE + ".0")
                .statusCode();
        for (int i = 0; i < FLOOD; i++) {
            flood.add(post("Bearer " + randomToken(random, token.length()), marker()).statusCode());
        }
    }

    private void send(String kind, String authorization) throws Exception {
        String composeId = marker();
        HttpResponse<String> r = post(authorization, composeId);
        probes.add(new Probe(kind, authorization, composeId, r.statusCode(), r.body()));
    }

    private String marker() {
        return "Fedora-Probe" + String.format("%04d", n++) + "-" + BadInputs.RELEASE + "-" + BadInputs.DATE + ".0";
    }

    private HttpResponse<String> post(String authorization, String composeId) throws Exception {
        String body = "{\"composeId\":\"" + composeId + "\",\"location\":\"" + p.baseUrl() + "/bad/" + composeId
                + "/compose\"}";
        HttpRequest.Builder b = HttpRequest.newBuilder(p.bridgeUri().resolve("/api/v1/trigger/compose"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            // the JDK client refuses a NUL or a bare "" value: those go as they can
            String value = authorization.replace("\u0000", "%00");
            if (!value.isEmpty()) {
                b.header("Authorization", value);
            }
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Noise in place of the token's {@code rest}, wrong from its first character on: a random last character matched
     * the token's one time in 37 per probe, and that probe got through (the trigger answered 404, a CI failure).
     */
    private static String wrongRest(SplittableRandom random, String rest) {
        String noise;
        do {
            noise = randomToken(random, rest.length());
        } while (noise.charAt(0) == rest.charAt(0));
        return noise;
    }

    private static String randomToken(SplittableRandom random, int length) {
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789-";
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < length; i++) {
            s.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return s.toString();
    }

    /** {@code fedimg_bridge_trigger_refused_total{reason=...}} of the bridge, 0 when absent. */
    private double refused(String reason) throws Exception {
        String metrics = http.send(HttpRequest.newBuilder(p.bridgeUri().resolve("/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("(?m)^fedimg_bridge_trigger_refused_total\\{[^}]*reason=\"" + reason
                + "\"[^}]*} ([0-9.E+]+)$").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    @Test
    void everyProbeIsRefused401WithItsCodeAndWithoutTheToken() {
        assertThat(probes).isNotEmpty().allSatisfy(pr -> {
            assertThat(pr.status()).as(pr.kind() + ": " + pr.authorization()).isEqualTo(401);
            assertThat(pr.body()).as(pr.kind()).contains("\"UNAUTHORIZED\"").doesNotContain(HostilePipeline.TRIGGER_TOKEN);
        });
    }

    @Test
    void everyRefusalIsCounted() {
        assertThat(refusedAfter - refusedBefore).isEqualTo(probes.size());
    }

    @Test
    void theRightTokenGetsThroughSoTheRefusalsMeanSomething() {
        // its compose has no images.json: 404 from behind the guard
        assertThat(rightToken).isEqualTo(404);
    }

    @Test
    void aFloodIsRateLimited() {
        assertThat(flood).allSatisfy(s -> assertThat(s).isIn(401, 429));
        assertThat(flood).contains(429);
    }

    @Test
    void nothingOfAProbeReachesKafka() {
        List<String> seen = p.watcher.seen().stream().map(FedimgEvent::composeId)
                .filter(id -> id != null && id.startsWith("Fedora-Probe")).toList();
        assertThat(seen).isEmpty();
    }

    @Test
    void theBridgeStaysHealthy() throws Exception {
        assertThat(p.health()).allSatisfy((name, health) -> assertThat(health).as(name).isEqualTo("UP"));
    }

    @AfterAll
    void report() {
        if (p == null) {
            return;
        }
        StringBuilder md = new StringBuilder("## Trigger probes\n\n");
        md.append("Requests to the running bridge's `POST /api/v1/trigger/compose` (token set, ")
                .append(RATE_PER_MINUTE).append(" requests per minute), each naming a compose of its own.\n\n")
                .append("| probe | requests | answers |\n| --- | --- | --- |\n");
        Map<String, List<Probe>> byKind = probes.stream().collect(Collectors.groupingBy(Probe::kind, LinkedHashMap::new,
                Collectors.toList()));
        byKind.forEach((kind, list) -> md.append("| ").append(kind).append(" | ").append(list.size()).append(" | ")
                .append(count(list.stream().map(Probe::status).toList())).append(" |\n"));
        md.append("| the right token | 1 | ").append(rightToken).append(" (past the guard: the compose has no images.json) |\n");
        md.append("| flood of wrong tokens | ").append(flood.size()).append(" | ").append(count(flood)).append(" |\n");
        md.append("\nRefusals counted (`fedimg_bridge_trigger_refused_total{reason=\"unauthorized\"}`): ")
                .append((long) (refusedAfter - refusedBefore)).append(" for ").append(probes.size()).append(" probes.\n\n");
        md.append("Response time by length of the right prefix (").append(TIMING_SAMPLES)
                .append(" each, interleaved; reported, not asserted): ");
        md.append(timing.entrySet().stream().map(e -> e.getKey() + " chars: median " + median(e.getValue()) + " ms")
                .collect(Collectors.joining(", "))).append(".\n");
        ReportFragment.write("41-trigger.md", md.toString());
    }

    private static String count(List<Integer> statuses) {
        return statuses.stream().collect(Collectors.groupingBy(s -> s, TreeMap::new, Collectors.counting())).entrySet()
                .stream().map(e -> e.getValue() + " × " + e.getKey()).collect(Collectors.joining(", "));
    }

    private static String median(List<Long> nanos) {
        long[] a = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
        return String.format("%.2f", a[a.length / 2] / 1e6);
    }
}
