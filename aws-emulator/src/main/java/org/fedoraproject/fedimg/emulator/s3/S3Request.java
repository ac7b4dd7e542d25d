package org.fedoraproject.fedimg.emulator.s3;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One path-style S3 request as the HTTP front hands it over.
 *
 * @param rawPath {@code /bucket/key}, percent-encoded
 * @param query decoded query parameters (subresources such as {@code uploads} have empty values)
 * @param headers lower-case names
 * @param trailers the {@code aws-chunked} trailers, available once the body has been read to its end
 * @param region the SigV4 credential scope's region; null for an anonymous request
 * @param account the account the signing access key acts as (the owner, or a consumer account); null for an
 *            anonymous request
 */
public record S3Request(String method, String rawPath, Map<String, String> query, Map<String, String> headers,
        InputStream body, Supplier<Map<String, String>> trailers, String region, String account) {

    /** The bucket named by the path, or null for the service ({@code GET /}). */
    public String bucket() {
        String p = rawPath.startsWith("/") ? rawPath.substring(1) : rawPath;
        int slash = p.indexOf('/');
        String b = slash < 0 ? p : p.substring(0, slash);
        return b.isEmpty() ? null : decode(b);
    }

    /** The object key (everything after the bucket), or null for a bucket request. */
    public String key() {
        String p = rawPath.startsWith("/") ? rawPath.substring(1) : rawPath;
        int slash = p.indexOf('/');
        return slash < 0 || slash == p.length() - 1 ? null : decode(p.substring(slash + 1));
    }

    boolean has(String queryParameter) {
        return query.containsKey(queryParameter);
    }

    String header(String name) {
        return headers.get(name);
    }

    public boolean anonymous() {
        return region == null;
    }

    /** Anonymous, or signed by another account than the one that owns every bucket here. */
    boolean outsider(String ownerAccount) {
        return anonymous() || !ownerAccount.equals(account);
    }

    /** Percent-decoding of a path, where {@code +} is a plus; a stray {@code %} stays as it is. */
    static String decode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        byte[] in = s.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length);
        for (int i = 0; i < in.length; i++) {
            int hi = i + 2 < in.length ? Character.digit(in[i + 1], 16) : -1;
            int lo = hi >= 0 ? Character.digit(in[i + 2], 16) : -1;
            if (in[i] == '%' && lo >= 0) {
                out.write(hi << 4 | lo);
                i += 2;
            } else {
                out.write(in[i]);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
