package org.fedoraproject.fedimg.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BiFunction;

import org.fedoraproject.fedimg.events.DeadLetterReason;
import org.fedoraproject.fedimg.messaging.EventJson;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Seeded generator of bad input for the running pipeline: compose messages on AMQP and fedmsg (malformed,
 * fuzzed, unsigned, forged), broken images.json files and broken xz images on the compose server. Every input
 * carries a unique compose id (its marker, found again in its dead letter) and says which dead-letter reason
 * it must end with. Input {@code n} is of class {@code n % classes}, so any count covers the classes evenly.
 */
final class BadInputs {

    enum Channel {
        AMQP, FEDMSG
    }

    /**
     * @param marker   the compose id, unique per input; also in the payload or AMQP headers of every message
     * @param frames   fedmsg frames (topic, envelope, ...); for AMQP the single body
     */
    record BadInput(int n, String category, String inputClass, Channel channel, DeadLetterReason expected,
            String marker, List<byte[]> frames, AmqpProperties amqp) {

        BadInput(int n, String category, String inputClass, Channel channel, DeadLetterReason expected, String marker,
                List<byte[]> frames) {
            this(n, category, inputClass, channel, expected, marker, frames, AmqpProperties.FEDORA_MESSAGING);
        }
    }

    /** The AMQP properties an input is published with (fedora-messaging's, or hostile ones). */
    record AmqpProperties(String contentType, String contentEncoding, Map<String, Object> headers) {
        static final AmqpProperties FEDORA_MESSAGING = new AmqpProperties("application/json", "utf-8", Map.of());
    }

    /**
     * Where the inputs go.
     *
     * @param topic           the pungi topic (AMQP routing key, fedmsg topic frame)
     * @param served          directory the compose server serves at {@code baseUrl}
     * @param signedEnvelopes real X.509-signed fedmsg envelopes (../shared); empty when absent
     * @param fedmsgValidated whether the bridge checks fedmsg signatures (then unsigned input is BAD_SIGNATURE)
     * @param redirector      the hostile compose host (redirects, oversized bodies); null: no such inputs
     * @param bounds          the pipeline's input bounds the generator must exceed
     */
    record Target(String topic, Path served, String baseUrl, List<ObjectNode> signedEnvelopes, boolean fedmsgValidated,
            Redirector redirector, Bounds bounds) {
    }

    /**
     * The pipeline's bounds: {@code fedimg.bridge.compose.max-metadata-bytes}, {@code max-images},
     * {@code fedimg.sources.max-redirects} and the uploader's {@code ebs.max-volume-size-gib}.
     */
    record Bounds(long maxMetadataBytes, int maxImages, int maxRedirects, int maxVolumeGib) {
    }

    private record Case(String category, String name, Channel channel, BiFunction<Gen, SplittableRandom, BadInput> make) {
    }

    static final String DATE = "20261201";
    static final String RELEASE = "43";
    private static final byte[] XZ = validXz();
    private static final DeadLetterReason MALFORMED = DeadLetterReason.MALFORMED_MESSAGE;
    private static final DeadLetterReason INVALID = DeadLetterReason.METADATA_INVALID;
    private static final DeadLetterReason UNTRUSTED = DeadLetterReason.UNTRUSTED_SOURCE;

    private final Target target;
    private final long seed;

    BadInputs(Target target, long seed) {
        this.target = target;
        this.seed = seed;
    }

    /** The number of input classes: a sample of this size has one input of each. */
    int classes() {
        return cases().size();
    }

    List<BadInput> generate(int count) {
        List<Case> cases = cases();
        List<BadInput> inputs = new ArrayList<>();
        for (int n = 0; n < count; n++) {
            Case c = cases.get(n % cases.size());
            SplittableRandom random = new SplittableRandom(seed * 1_000_003L + n);
            inputs.add(c.make().apply(new Gen(n, c), random));
        }
        return inputs;
    }

    /** Where the compose of an input (by its marker) is served. */
    String location(String marker) {
        return target.baseUrl() + "/bad/" + marker + "/compose";
    }

    /** Input number {@code n} (its marker) made as one of the class named, whatever class {@code n} would be. */
    BadInput one(String inputClass, int n) {
        Case c = cases().stream().filter(k -> k.name().equals(inputClass)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no input class " + inputClass));
        return c.make().apply(new Gen(n, c), new SplittableRandom(seed * 1_000_003L + n));
    }

    private List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        for (Channel ch : Channel.values()) {
            messageCases(cases, ch);
        }
        fedmsgCases(cases);
        amqpCases(cases);
        metadataCases(cases);
        xzCases(cases);
        if (target.redirector() != null) {
            hostileHostCases(cases);
        }
        return cases;
    }

    // --- compose messages, on both buses ---

    private void messageCases(List<Case> cases, Channel ch) {
        boolean signed = ch == Channel.FEDMSG && target.fedmsgValidated();
        // on a validating bridge every JSON object without a signature is refused before it is parsed
        DeadLetterReason objectReason = signed ? DeadLetterReason.BAD_SIGNATURE : null;
        if (ch == Channel.AMQP) {
            // the marker is in the AMQP headers (fedmsg has none, and an empty frame names nothing)
            cases.add(new Case("message", "empty body", ch, (g, r) -> g.raw(MALFORMED, new byte[0])));
        }
        cases.add(new Case("message", "not JSON (random bytes)", ch, (g, r) -> {
            byte[] noise = new byte[1 + r.nextInt(512)];
            r.nextBytes(noise);
            noise[0] = (byte) 0xff; // never starts a JSON document
            return g.message(MALFORMED, concat(noise, g.marker.getBytes(StandardCharsets.UTF_8)));
        }));
        cases.add(new Case("message", "truncated JSON", ch, (g, r) -> {
            byte[] whole = json(ch == Channel.FEDMSG ? g.envelope(g.finished(null)) : g.finished(null));
            // cut after the marker, so the dead letter's payload still names the input
            int from = indexOf(whole, g.marker.getBytes(StandardCharsets.UTF_8)) + g.marker.length();
            return g.raw(MALFORMED, Arrays.copyOf(whole, from + r.nextInt(whole.length - from)));
        }));
        cases.add(new Case("message", "JSON that is not an object", ch, (g, r) -> {
            String[] shapes = {"[\"" + g.marker + "\"]", "\"" + g.marker + "\"", "[{\"compose_id\":\"" + g.marker + "\"}]"};
            return g.message(MALFORMED, shapes[r.nextInt(shapes.length)].getBytes(StandardCharsets.UTF_8));
        }));
        cases.add(new Case("message", "invalid UTF-8 inside a JSON string", ch, (g, r) -> {
            byte[] body = json(g.finished(null));
            int at = indexOf(body, g.marker.getBytes(StandardCharsets.UTF_8)) + g.marker.length();
            byte[] bad = concat(Arrays.copyOf(body, at), new byte[] {(byte) 0xc3, (byte) 0x28}, // a broken 2-byte sequence
                    Arrays.copyOfRange(body, at, body.length));
            return g.message(MALFORMED, bad);
        }));
        cases.add(new Case("message", "nested 5000 levels deep", ch, (g, r) -> {
            String deep = "[".repeat(5000) + "\"" + g.marker + "\"" + "]".repeat(5000);
            // beyond Jackson's nesting limit (1000): unreadable before any field is looked at, on either bus
            return g.raw(MALFORMED, ("{\"compose_id\":\"" + g.marker + "\",\"status\":" + deep + "}")
                    .getBytes(StandardCharsets.UTF_8));
        }));
        cases.add(new Case("message", "no status", ch, (g, r) -> {
            ObjectNode body = g.finished(null);
            body.remove("status");
            return g.message(or(objectReason, MALFORMED), json(body));
        }));
        cases.add(new Case("message", "status of the wrong type", ch, (g, r) -> {
            ObjectNode body = g.finished(null);
            int kind = r.nextInt(3);
            if (kind == 0) {
                body.putArray("status").add("FINISHED");
            } else if (kind == 1) {
                body.putObject("status").put("value", "FINISHED");
            } else {
                body.put("status", r.nextInt(1000)); // a number reads as its text: not a known status
            }
            return g.message(or(objectReason, kind == 2 ? DeadLetterReason.UNKNOWN_STATUS : MALFORMED), json(body));
        }));
        cases.add(new Case("message", "unknown status", ch, (g, r) -> {
            String[] statuses = {"finished", "FINISHED ", "FINISHED_" + r.nextInt(100), "DONE", "", "\u0000"};
            ObjectNode body = g.finished(null);
            body.put("status", statuses[r.nextInt(statuses.length)]);
            return g.message(or(objectReason, DeadLetterReason.UNKNOWN_STATUS), json(body));
        }));
        cases.add(new Case("message", "no or blank compose_id", ch, (g, r) -> {
            ObjectNode body = g.finished(null);
            int kind = r.nextInt(4);
            if (kind == 0) {
                body.remove("compose_id");
            } else if (kind == 1) {
                body.put("compose_id", "   ");
            } else if (kind == 2) {
                body.putArray("compose_id").add(g.marker);
            } else {
                body.putObject("compose_id").put("id", g.marker);
            }
            body.put("fuzz", g.marker); // the marker, since compose_id no longer holds it
            return g.message(or(objectReason, MALFORMED), json(body));
        }));
        cases.add(new Case("message", "wrapped envelope with a broken inner message", ch, (g, r) -> {
            ObjectNode inner = g.finished(null);
            inner.remove("status");
            ObjectNode envelope = EventJson.MAPPER.createObjectNode();
            envelope.put("topic", target.topic());
            envelope.put("msg_id", DATE.substring(0, 4) + "-" + g.marker);
            envelope.set("msg", inner);
            JsonNode outer = envelope;
            if (r.nextBoolean()) {
                ObjectNode hub = EventJson.MAPPER.createObjectNode();
                hub.put("topic", target.topic());
                hub.set("body", envelope);
                outer = hub;
            }
            return g.message(or(objectReason, MALFORMED), json(outer));
        }));
        // nothing is fetched from a location outside fedimg.sources.allowed (docs/security.md)
        cases.add(new Case("message", "location that is not an http URL", ch, (g, r) -> {
            String[] locations = {"not a url", "ftp://127.0.0.1/compose", "file:///etc", "relative/compose",
                    "http://[::1", "javascript:alert(1)", "jar:file:///x.jar!/compose", "gopher://127.0.0.1/"};
            return g.message(or(objectReason, UNTRUSTED), json(g.finished(locations[r.nextInt(locations.length)])));
        }));
        cases.add(new Case("message", "untrusted host or internal address", ch, (g, r) -> {
            String[] locations = {"http://169.254.169.254/latest/meta-data/iam/", "http://[fd00::1]/compose",
                    "http://10.0.0.1/compose/" + g.marker, "http://192.168.1.1/compose", "http://172.16.0.1/",
                    "https://evil.example/compose/" + g.marker, "https://kojipkgs.fedoraproject.org.evil.example/compose/",
                    "http://kojipkgs.fedoraproject.org@169.254.169.254/compose/", "http://0.0.0.0/compose",
                    "http://[::ffff:169.254.169.254]/compose", "http://100.64.0.1/compose"};
            return g.message(or(objectReason, UNTRUSTED), json(g.finished(locations[r.nextInt(locations.length)])));
        }));
        cases.add(new Case("message", "location climbing out of the compose server's prefix", ch, (g, r) -> {
            String[] tails = {"/../../etc/passwd", "/%2e%2e/%2e%2e/etc", "/..%2f..%2fetc", "/./compose", "/%00/compose"};
            return g.message(or(objectReason, UNTRUSTED),
                    json(g.finished(target.baseUrl() + "/bad/" + g.marker + tails[r.nextInt(tails.length)])));
        }));
        cases.add(new Case("message", "shell metacharacters in every string field", ch, (g, r) -> {
            String[] shell = {"'; touch /tmp/fedimg-pwned; '", "$(touch /tmp/fedimg-pwned)", "`touch /tmp/fedimg-pwned`",
                    "\"; touch /tmp/fedimg-pwned; \"", "a\nb\u0000c", "${IFS}|&;<>*?!", "%s%n%x"};
            ObjectNode body = g.finished(g.location());
            for (String field : List.of("compose_label", "release_short", "release_type", "release_name",
                    "compose_date", "release_version")) {
                body.put(field, shell[r.nextInt(shell.length)]);
            }
            // still a compose whose metadata is not served: the strings are only ever data
            return g.message(or(objectReason, DeadLetterReason.METADATA_NOT_FOUND), json(body));
        }));
        if (ch == Channel.AMQP) {
            // on fedmsg the generator's envelope would re-serialize the body, losing the second key
            cases.add(new Case("message", "a key given twice", ch, (g, r) -> {
                String body = new String(json(g.finished(g.location())), StandardCharsets.UTF_8);
                String[] twice = {"\"status\":\"FINISHED\",\"status\":\"DOOMED\",", "\"location\":\"https://evil.example/\",",
                        "\"compose_id\":\"" + g.marker + "\","};
                // parsers disagree on which one wins: refused whichever it is
                return g.raw(MALFORMED, ("{" + twice[r.nextInt(twice.length)] + body.substring(1))
                        .getBytes(StandardCharsets.UTF_8));
            }));
            // fedmsg's socket drops such a frame before it is read (ZMQ_MAXMSGSIZE): no dead letter there
            cases.add(new Case("message", "message over max-message-bytes", ch, (g, r) -> {
                ObjectNode body = g.finished(g.location());
                body.put("padding", "x".repeat(1_048_576 + r.nextInt(4096)));
                return g.message(DeadLetterReason.INPUT_TOO_LARGE, json(body));
            }));
        }
        cases.add(new Case("message", "unknown compose (no location, nowhere to be found)", ch,
                (g, r) -> g.message(or(objectReason, DeadLetterReason.UNKNOWN_COMPOSE), json(g.finished(null)))));
        cases.add(new Case("message", "location without images.json (404)", ch,
                (g, r) -> g.message(or(objectReason, DeadLetterReason.METADATA_NOT_FOUND), json(g.finished(g.location())))));
    }

    // --- fedmsg only: frames and signatures ---

    private void fedmsgCases(List<Case> cases) {
        Channel ch = Channel.FEDMSG;
        cases.add(new Case("fedmsg", "one frame", ch, (g, r) -> new BadInput(g.n, "fedmsg", g.name, ch, MALFORMED,
                g.marker, List.of((target.topic() + "." + g.marker).getBytes(StandardCharsets.UTF_8)))));
        cases.add(new Case("fedmsg", "three frames", ch, (g, r) -> new BadInput(g.n, "fedmsg", g.name, ch, MALFORMED,
                g.marker, List.of(target.topic().getBytes(StandardCharsets.UTF_8), json(g.envelope(g.finished(null))),
                        g.marker.getBytes(StandardCharsets.UTF_8)))));
        if (target.signedEnvelopes().isEmpty()) {
            return;
        }
        DeadLetterReason bad = DeadLetterReason.BAD_SIGNATURE;
        cases.add(new Case("signature", "forged: a signed envelope with a compose message put in", ch, (g, r) -> {
            ObjectNode env = g.signed(r);
            env.put("topic", target.topic());
            env.set("msg", g.finished(g.location()));
            return g.fedmsg(bad, env);
        }));
        cases.add(new Case("signature", "signature bytes altered", ch, (g, r) -> {
            ObjectNode env = g.signed(r);
            env.set("msg", g.finished(g.location()));
            byte[] sig = java.util.Base64.getMimeDecoder().decode(env.get("signature").asText());
            sig[r.nextInt(sig.length)] ^= (byte) (1 + r.nextInt(255));
            env.put("signature", java.util.Base64.getEncoder().encodeToString(sig));
            return g.fedmsg(bad, env);
        }));
        cases.add(new Case("signature", "certificate that is not a certificate", ch, (g, r) -> {
            ObjectNode env = g.signed(r);
            byte[] junk = new byte[64 + r.nextInt(512)];
            r.nextBytes(junk);
            env.put("certificate", java.util.Base64.getEncoder().encodeToString(junk));
            env.put("fuzz", g.marker);
            return g.fedmsg(bad, env);
        }));
        cases.add(new Case("signature", "certificate removed", ch, (g, r) -> {
            ObjectNode env = g.signed(r);
            env.remove("certificate");
            env.put("fuzz", g.marker);
            return g.fedmsg(bad, env);
        }));
        cases.add(new Case("signature", "another crypto backend", ch, (g, r) -> {
            ObjectNode env = g.signed(r);
            env.put("crypto", r.nextBoolean() ? "gpg" : "none");
            env.put("fuzz", g.marker);
            return g.fedmsg(bad, env);
        }));
        cases.add(new Case("signature", "signature of the wrong type", ch, (g, r) -> {
            ObjectNode env = g.signed(r);
            if (r.nextBoolean()) {
                env.putObject("signature").put("fuzz", g.marker);
            } else {
                env.put("signature", r.nextInt());
            }
            env.put("fuzz", g.marker);
            return g.fedmsg(bad, env);
        }));
        cases.add(new Case("signature", "validly signed, but not a compose message", ch, (g, r) -> {
            // untouched: the signature verifies; the content is a copr/koji/... message, not pungi's
            ObjectNode env = g.signedUntouched(r);
            return new BadInput(g.n, "signature", g.name, ch, MALFORMED, env.get("msg_id").asText(),
                    List.of(target.topic().getBytes(StandardCharsets.UTF_8), json(env)));
        }));
    }

    // --- AMQP properties: what the body is declared to be, and headers of every type ---

    private void amqpCases(List<Case> cases) {
        Channel ch = Channel.AMQP;
        cases.add(new Case("amqp", "content type other than application/json", ch, (g, r) -> {
            String[] types = {"text/plain", "application/octet-stream", "application/xml", "application/x-python-pickle",
                    "application/json; charset=utf-16", "text/html; charset=\"iso-8859-1\"", "multipart/mixed; boundary=x"};
            // a body that would otherwise be read fine: the declaration alone is refused
            return g.amqp(MALFORMED, json(g.finished(g.location())),
                    new AmqpProperties(types[r.nextInt(types.length)], "utf-8", Map.of()));
        }));
        cases.add(new Case("amqp", "content encoding other than utf-8 (gzip, base64, ...)", ch, (g, r) -> {
            byte[] body = json(g.finished(g.location()));
            String[] encodings = {"gzip", "base64", "deflate", "utf-16", "latin-1", "x-fedimg\u0000"};
            String encoding = encodings[r.nextInt(encodings.length)];
            byte[] encoded = switch (encoding) {
                case "gzip" -> gzip(body);
                case "base64" -> java.util.Base64.getEncoder().encode(body);
                case "utf-16" -> new String(body, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_16);
                default -> body;
            };
            return g.amqp(MALFORMED, encoded, new AmqpProperties("application/json", encoding, Map.of()));
        }));
        cases.add(new Case("amqp", "headers of every type and hostile values", ch, (g, r) -> {
            Map<String, Object> headers = new LinkedHashMap<>();
            headers.put("fedora_messaging_schema", "'; touch /tmp/fedimg-pwned; '");
            headers.put("fedora_messaging_user_" + r.nextInt(100), "$(touch /tmp/fedimg-pwned)");
            headers.put("sent-at", r.nextBoolean() ? "not a date" : (Object) new java.util.Date(-1L));
            headers.put("x-bytes", new byte[] {(byte) 0xff, 0, (byte) 0xc3, 0x28});
            headers.put("x-nested", Map.of("a", Map.of("b", List.of(1, 2, 3))));
            headers.put("x-long", "y".repeat(8192 + r.nextInt(8192)));
            headers.put("x-number", r.nextLong());
            // the headers are only data: the message goes on to its own outcome (no images.json there)
            return g.amqp(DeadLetterReason.METADATA_NOT_FOUND, json(g.finished(g.location())),
                    new AmqpProperties(r.nextBoolean() ? "application/json" : null, null, headers));
        }));
    }

    // --- a hostile compose host: redirects and oversized bodies (Redirector) ---

    private void hostileHostCases(List<Case> cases) {
        Bounds b = target.bounds();
        Channel ch = Channel.AMQP;
        cases.add(new Case("redirect", "images.json redirected out of the allow-list", ch, (g, r) -> {
            String[] where = {"leak", "imds", "evil", "file", "ftp", "private"};
            return g.at(UNTRUSTED, "out/" + where[r.nextInt(where.length)]);
        }));
        cases.add(new Case("redirect", "redirect chain leaving the allow-list after some hops", ch,
                (g, r) -> g.at(UNTRUSTED, "chain/" + (1 + r.nextInt(b.maxRedirects() - 1)) + "/leak")));
        cases.add(new Case("redirect", "redirect chain longer than max-redirects", ch,
                // chain/n/served makes n+1 redirects, all within the allow-list
                (g, r) -> g.at(UNTRUSTED, "chain/" + (b.maxRedirects() + r.nextInt(20)) + "/served")));
        cases.add(new Case("redirect", "redirect loop", ch, (g, r) -> g.at(UNTRUSTED, "loop")));
        cases.add(new Case("redirect", "redirect chain within the allow-list (followed)", ch, (g, r) -> {
            // followed to its end: an images.json whose only image is not for EC2, told by its own reason
            ObjectNode entry = g.goodEntry();
            entry.put("type", "qcow2");
            g.write("metadata/images.json", json(g.imagesJson(entry)));
            return g.at(DeadLetterReason.NO_EC2_IMAGES, "chain/" + r.nextInt(b.maxRedirects()) + "/served");
        }));
        cases.add(new Case("redirect", "image redirected out of the allow-list", ch, (g, r) -> {
            // images.json is fine (reached by a redirect that stays allowed); the uploader's download is refused
            g.write("metadata/images.json", json(g.imagesJson(g.goodEntry())));
            return g.at(UNTRUSTED, "image-out");
        }));
        cases.add(new Case("images.json", "images.json over max-metadata-bytes, length declared", ch,
                (g, r) -> g.at(DeadLetterReason.INPUT_TOO_LARGE, "big/" + (b.maxMetadataBytes() + 1
                        + r.nextInt((int) Math.min(Integer.MAX_VALUE, 3 * b.maxMetadataBytes()))) + "/length")));
        cases.add(new Case("images.json", "images.json over max-metadata-bytes, streamed without a length", ch,
                (g, r) -> g.at(DeadLetterReason.INPUT_TOO_LARGE, "big/" + (b.maxMetadataBytes() + 1
                        + r.nextInt((int) Math.min(Integer.MAX_VALUE, 3 * b.maxMetadataBytes()))) + "/chunked")));
        metadata(cases, "images.json with more images than max-images", DeadLetterReason.INPUT_TOO_LARGE, (g, r) -> {
            ObjectNode doc = g.imagesJson(g.goodEntry());
            ArrayNode list = (ArrayNode) doc.at("/payload/images/Cloud/x86_64");
            int n = b.maxImages() + 1 + r.nextInt(b.maxImages());
            for (int i = 1; i < n; i++) {
                ObjectNode e = g.goodEntry();
                e.put("path", "Cloud/x86_64/images/Fedora-Cloud-Base-AmazonEC2-" + RELEASE + "-" + DATE + ".0." + i
                        + ".x86_64.raw.xz");
                list.add(e);
            }
            return json(doc);
        });
        xz(cases, "xz bomb (concatenated streams of zeros past the largest volume)", DeadLetterReason.IMAGE_TOO_LARGE,
                (g, r) -> {
                    byte[] bomb = bomb(b.maxVolumeGib());
                    return new Image(bomb, sha256(bomb), bomb.length);
                });
    }

    // --- images.json on the compose server ---

    private void metadataCases(List<Case> cases) {
        metadata(cases, "images.json missing (404)", DeadLetterReason.METADATA_NOT_FOUND, (g, r) -> null);
        metadata(cases, "images.json truncated", INVALID, (g, r) -> {
            byte[] whole = json(g.imagesJson(g.goodEntry()));
            return Arrays.copyOf(whole, r.nextInt(whole.length - 1));
        });
        metadata(cases, "images.json not JSON", INVALID, (g, r) -> {
            byte[] noise = new byte[1 + r.nextInt(4096)];
            r.nextBytes(noise);
            noise[0] = (byte) 0xfe;
            return noise;
        });
        metadata(cases, "images.json nested 5000 levels deep", INVALID, (g, r) -> {
            // past Jackson's nesting limit (1000), inside an otherwise good document
            String doc = new String(json(g.imagesJson(g.goodEntry())), StandardCharsets.UTF_8);
            return (doc.substring(0, doc.length() - 1) + ",\"deep\":" + "[".repeat(5000) + "]".repeat(5000) + "}")
                    .getBytes(StandardCharsets.UTF_8);
        });
        metadata(cases, "images.json with a key given twice", INVALID, (g, r) -> {
            String doc = new String(json(g.imagesJson(g.goodEntry())), StandardCharsets.UTF_8);
            String[] twice = {"\"payload\":{},", "\"header\":{\"type\":\"productmd.images\",\"version\":\"1.2\"},"};
            return ("{" + twice[r.nextInt(twice.length)] + doc.substring(1)).getBytes(StandardCharsets.UTF_8);
        });
        metadata(cases, "images.json with invalid UTF-8", INVALID, (g, r) -> {
            byte[] doc = json(g.imagesJson(g.goodEntry()));
            byte[] path = "Cloud/x86_64/images/".getBytes(StandardCharsets.UTF_8);
            int at = indexOf(doc, path) + path.length;
            byte[][] broken = {{(byte) 0xc3, (byte) 0x28}, {(byte) 0xff}, {(byte) 0xe2, (byte) 0x82}};
            return concat(Arrays.copyOf(doc, at), broken[r.nextInt(broken.length)], Arrays.copyOfRange(doc, at, doc.length));
        });
        metadata(cases, "images.json not a JSON object", INVALID,
                (g, r) -> (r.nextBoolean() ? "[]" : "\"" + g.marker + "\"").getBytes(StandardCharsets.UTF_8));
        metadata(cases, "images.json not productmd", INVALID, (g, r) -> {
            ObjectNode doc = g.imagesJson(g.goodEntry());
            if (r.nextBoolean()) {
                ((ObjectNode) doc.get("header")).put("type", "productmd.composeinfo");
            } else {
                ((ObjectNode) doc.get("header")).put("version", "2.0");
            }
            return json(doc);
        });
        metadata(cases, "images.json for another compose", INVALID, (g, r) -> {
            ObjectNode doc = g.imagesJson(g.goodEntry());
            ((ObjectNode) doc.at("/payload/compose")).put("id", "Fedora-Cloud-" + RELEASE + "-" + DATE + "." + (1 + r.nextInt(9)));
            return json(doc);
        });
        metadata(cases, "images.json without payload.compose.id", INVALID, (g, r) -> {
            ObjectNode doc = g.imagesJson(g.goodEntry());
            ((ObjectNode) doc.at("/payload/compose")).remove("id");
            return json(doc);
        });
        metadata(cases, "images.json with images of the wrong type", INVALID, (g, r) -> {
            ObjectNode doc = g.imagesJson(g.goodEntry());
            ObjectNode payload = (ObjectNode) doc.get("payload");
            switch (r.nextInt(3)) {
                case 0 -> payload.putArray("images");
                case 1 -> ((ObjectNode) payload.get("images")).putArray("Cloud");
                default -> ((ObjectNode) payload.at("/images/Cloud")).putObject("x86_64");
            }
            return json(doc);
        });
        metadata(cases, "image entry: no path", INVALID, (g, r) -> {
            ObjectNode entry = g.goodEntry();
            if (r.nextBoolean()) {
                entry.remove("path");
            } else {
                entry.put("path", "");
            }
            return json(g.imagesJson(entry));
        });
        metadata(cases, "image entry: path that makes no image URL", INVALID, (g, r) -> {
            String[] paths = {"Cloud/x86_64/images/Fedora Cloud.raw.xz", "Cloud/x86_64/images/", "Cloud/x86_64/%zz.raw.xz",
                    "http://elsewhere.example/Fedora.x86_64.raw.xz", "../../other/Cloud/x86_64/images/Fedora.x86_64.raw.xz"};
            ObjectNode entry = g.goodEntry();
            entry.put("path", paths[r.nextInt(paths.length)]);
            return json(g.imagesJson(entry));
        });
        metadata(cases, "image entry: sha256 missing or not a SHA-256", INVALID, (g, r) -> {
            ObjectNode entry = g.goodEntry();
            String sha = sha256(XZ);
            switch (r.nextInt(5)) {
                case 0 -> entry.remove("checksums");
                case 1 -> entry.put("checksums", sha);
                case 2 -> ((ObjectNode) entry.get("checksums")).put("sha256", r.nextLong());
                case 3 -> ((ObjectNode) entry.get("checksums")).put("sha256", sha.substring(1));
                default -> ((ObjectNode) entry.get("checksums")).put("sha256", "z".repeat(64));
            }
            return json(g.imagesJson(entry));
        });
        metadata(cases, "image entry: size missing, not a number or not positive", INVALID, (g, r) -> {
            ObjectNode entry = g.goodEntry();
            switch (r.nextInt(4)) {
                case 0 -> entry.remove("size");
                case 1 -> entry.put("size", String.valueOf(XZ.length));
                case 2 -> entry.put("size", 0);
                default -> entry.put("size", -1 - r.nextInt(1000));
            }
            return json(g.imagesJson(entry));
        });
        metadata(cases, "no EC2 image in the compose", DeadLetterReason.NO_EC2_IMAGES, (g, r) -> {
            ObjectNode entry = g.goodEntry();
            switch (r.nextInt(3)) {
                case 0 -> entry.put("type", "qcow2");
                case 1 -> entry.put("arch", "ppc64le");
                default -> entry.put("subvariant", "Container_Base");
            }
            return json(g.imagesJson(entry));
        });
    }

    private void metadata(List<Case> cases, String name, DeadLetterReason reason,
            BiFunction<Gen, SplittableRandom, byte[]> file) {
        cases.add(new Case("images.json", name, Channel.AMQP, (g, r) -> {
            byte[] content = file.apply(g, r);
            if (content != null) {
                g.write("metadata/images.json", content);
            }
            return g.message(reason, json(g.finished(g.location())));
        }));
    }

    // --- raw.xz images on the compose server ---

    private void xzCases(List<Case> cases) {
        xz(cases, "image missing (404)", DeadLetterReason.IMAGE_NOT_FOUND, (g, r) -> new Image(null, sha256(XZ), XZ.length));
        xz(cases, "truncated xz", DeadLetterReason.TRUNCATED_XZ, (g, r) -> {
            byte[] cut = Arrays.copyOf(XZ, 64 + r.nextInt(XZ.length - 80));
            return new Image(cut, sha256(cut), cut.length);
        });
        xz(cases, "not xz", DeadLetterReason.NOT_XZ, (g, r) -> {
            byte[] noise = new byte[4096 + r.nextInt(64 * 1024)];
            r.nextBytes(noise);
            if (r.nextBoolean()) {
                System.arraycopy("\u001f\u008b\b\u0000".getBytes(StandardCharsets.ISO_8859_1), 0, noise, 0, 4); // gzip
            }
            return new Image(noise, sha256(noise), noise.length);
        });
        xz(cases, "corrupt xz (bytes flipped inside)", DeadLetterReason.TRUNCATED_XZ, (g, r) -> {
            byte[] bad = XZ.clone();
            int from = 32 + r.nextInt(bad.length / 2);
            for (int i = 0; i < 8; i++) {
                bad[from + i] ^= (byte) (1 + r.nextInt(255));
            }
            return new Image(bad, sha256(bad), bad.length);
        });
        xz(cases, "checksum mismatch", DeadLetterReason.CHECKSUM_MISMATCH, (g, r) -> {
            byte[] other = new byte[32];
            r.nextBytes(other);
            return new Image(XZ, HexFormat.of().formatHex(other), XZ.length);
        });
        xz(cases, "size mismatch", DeadLetterReason.SIZE_MISMATCH, (g, r) -> {
            long delta = (1 + r.nextInt(4096)) * (r.nextBoolean() ? 1 : -1);
            return new Image(XZ, sha256(XZ), XZ.length + delta);
        });
    }

    private record Image(byte[] content, String sha256, long size) {
    }

    private void xz(List<Case> cases, String name, DeadLetterReason reason, BiFunction<Gen, SplittableRandom, Image> image) {
        cases.add(new Case("raw.xz", name, Channel.AMQP, (g, r) -> {
            Image i = image.apply(g, r);
            ObjectNode entry = g.goodEntry();
            ((ObjectNode) entry.get("checksums")).put("sha256", i.sha256());
            entry.put("size", i.size());
            if (i.content() != null) {
                g.write(entry.get("path").asText(), i.content());
            }
            g.write("metadata/images.json", json(g.imagesJson(entry)));
            return g.message(reason, json(g.finished(g.location())));
        }));
    }

    /** What one input is made of: its number, its class and its compose id. */
    private final class Gen {
        final int n;
        final String category;
        final String name;
        final Channel channel;
        final String marker;

        Gen(int n, Case c) {
            this.n = n;
            this.category = c.category();
            this.name = c.name();
            this.channel = c.channel();
            this.marker = "Fedora-Bad" + String.format("%04d", n) + "-" + RELEASE + "-" + DATE + ".0";
        }

        String location() {
            return BadInputs.this.location(marker);
        }

        ObjectNode finished(String location) {
            ObjectNode body = EventJson.MAPPER.createObjectNode();
            body.put("compose_id", marker);
            body.put("compose_date", DATE);
            body.put("compose_type", "production");
            body.put("compose_respin", 0);
            body.putNull("compose_label");
            if (location != null) {
                body.put("location", location);
            }
            body.put("release_short", "Fedora-Cloud");
            body.put("release_version", RELEASE);
            body.put("release_type", "ga");
            body.put("status", "FINISHED");
            return body;
        }

        ObjectNode envelope(JsonNode msg) {
            ObjectNode env = EventJson.MAPPER.createObjectNode();
            env.put("topic", target.topic());
            env.set("msg", msg);
            env.put("timestamp", 1764547200);
            env.put("msg_id", DATE.substring(0, 4) + "-" + marker);
            env.put("i", 1);
            env.put("username", "pungi");
            return env;
        }

        /** A signed prod envelope to tamper with. */
        ObjectNode signed(SplittableRandom r) {
            return signed(r, 1);
        }

        /**
         * A signed prod envelope to send as it is. It comes from the other half of the fixtures than the tampered
         * ones: its dead letter is told apart by the msg_id in its payload, which a tampered copy keeps.
         */
        ObjectNode signedUntouched(SplittableRandom r) {
            return signed(r, 0);
        }

        private ObjectNode signed(SplittableRandom r, int parity) {
            List<ObjectNode> all = target.signedEnvelopes();
            return all.get(2 * r.nextInt((all.size() + 1 - parity) / 2) + parity).deepCopy();
        }

        /** A compose message body; on fedmsg a JSON object is wrapped in an envelope, as pungi's hub sends it. */
        BadInput message(DeadLetterReason reason, byte[] body) {
            return raw(reason, channel == Channel.FEDMSG && isJsonObject(body) ? json(envelope(readTree(body))) : body);
        }

        /** The bytes as they are: the AMQP body, or the fedmsg envelope frame. */
        BadInput raw(DeadLetterReason reason, byte[] body) {
            List<byte[]> frames = channel == Channel.AMQP ? List.of(body)
                    : List.of(target.topic().getBytes(StandardCharsets.UTF_8), body);
            return new BadInput(n, category, name, channel, reason, marker, frames);
        }

        /** An AMQP message with these properties. */
        BadInput amqp(DeadLetterReason reason, byte[] body, AmqpProperties props) {
            return new BadInput(n, category, name, Channel.AMQP, reason, marker, List.of(body), props);
        }

        /** A compose message whose location is on the hostile host, under {@code rule}. */
        BadInput at(DeadLetterReason reason, String rule) {
            return message(reason, json(finished(target.redirector().location(marker, rule))));
        }

        BadInput fedmsg(DeadLetterReason reason, ObjectNode envelope) {
            return new BadInput(n, category, name, Channel.FEDMSG, reason, marker,
                    List.of(target.topic().getBytes(StandardCharsets.UTF_8), json(envelope)));
        }

        ObjectNode goodEntry() {
            String file = "Fedora-Cloud-Base-AmazonEC2-" + RELEASE + "-" + DATE + ".0.x86_64.raw.xz";
            ObjectNode e = EventJson.MAPPER.createObjectNode();
            e.put("arch", "x86_64");
            e.put("bootable", false);
            e.putObject("checksums").put("sha256", sha256(XZ));
            e.put("format", "raw.xz");
            e.put("path", "Cloud/x86_64/images/" + file);
            e.put("size", XZ.length);
            e.put("subvariant", "Cloud_Base");
            e.put("type", "raw-xz");
            return e;
        }

        ObjectNode imagesJson(ObjectNode entry) {
            ObjectNode doc = EventJson.MAPPER.createObjectNode();
            doc.putObject("header").put("type", "productmd.images").put("version", "1.2");
            ObjectNode payload = doc.putObject("payload");
            payload.putObject("compose").put("date", DATE).put("id", marker).put("respin", 0).put("type", "production");
            ArrayNode list = payload.putObject("images").putObject("Cloud").putArray(entry.path("arch").asText("x86_64"));
            list.add(entry);
            return doc;
        }

        void write(String path, byte[] content) {
            Path file = target.served().resolve("bad").resolve(marker).resolve("compose").resolve(path);
            try {
                Files.createDirectories(file.getParent());
                Files.write(file, content);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static byte[] bomb;

    /**
     * An xz bomb: one xz stream of 64 MiB of zeros, concatenated until it decompresses past the largest volume
     * (a few MiB of xz; a valid file: xz reads concatenated streams). Made once per run.
     */
    static synchronized byte[] bomb(int maxVolumeGib) {
        if (bomb == null) {
            ByteArrayOutputStream stream = new ByteArrayOutputStream();
            try (XZOutputStream xz = new XZOutputStream(stream, new LZMA2Options(0))) {
                byte[] zeros = new byte[1024 * 1024];
                for (int i = 0; i < 64; i++) {
                    xz.write(zeros);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (long decompressed = 0; decompressed <= ((long) maxVolumeGib << 30); decompressed += 64L << 20) {
                out.writeBytes(stream.toByteArray());
            }
            bomb = out.toByteArray();
        }
        return bomb;
    }

    private static byte[] gzip(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(out)) {
            gz.write(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static DeadLetterReason or(DeadLetterReason first, DeadLetterReason second) {
        return first != null ? first : second;
    }

    static byte[] json(JsonNode node) {
        return EventJson.writeString(node).getBytes(StandardCharsets.UTF_8);
    }

    private static JsonNode readTree(byte[] body) {
        try {
            return EventJson.MAPPER.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean isJsonObject(byte[] body) {
        try {
            return EventJson.MAPPER.readTree(body).isObject();
        } catch (IOException e) {
            return false;
        }
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A valid 1 MiB raw image as xz: a data extent, then zeros, like a tiny disk image. */
    private static byte[] validXz() {
        SplittableRandom random = new SplittableRandom(43);
        byte[] raw = new byte[1 << 20];
        byte[] data = new byte[128 * 1024];
        random.nextBytes(data);
        System.arraycopy(data, 0, raw, 0, data.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (XZOutputStream xz = new XZOutputStream(out, new LZMA2Options(1))) {
            xz.write(raw);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The marker-bearing inputs, counted per class, for the report. */
    static Map<String, List<BadInput>> byClass(List<BadInput> inputs) {
        Map<String, List<BadInput>> m = new LinkedHashMap<>();
        for (BadInput i : inputs) {
            m.computeIfAbsent(i.category() + " | " + i.inputClass() + " | " + i.channel(), k -> new ArrayList<>()).add(i);
        }
        return m;
    }
}
