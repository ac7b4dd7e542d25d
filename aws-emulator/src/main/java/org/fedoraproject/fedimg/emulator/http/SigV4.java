package org.fedoraproject.fedimg.emulator.http;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the emulator reads of SigV4: the access key id and the credential scope's region and service. Signatures
 * are never checked.
 */
final class SigV4 {

    private static final Pattern SCOPE = Pattern.compile(
            "Credential=([^/,\\s]+)/\\d{8}/([a-z0-9-]+)/([a-z0-9-]+)/aws4_request");

    /** The region and service a request is signed for, and the access key that signed it. */
    record Scope(String region, String service, String accessKey) {
    }

    private SigV4() {
    }

    /** The scope of an Authorization header, or null without one. */
    static Scope scope(String authorization) {
        if (authorization == null) {
            return null;
        }
        Matcher m = SCOPE.matcher(authorization);
        return m.find() ? new Scope(m.group(2), m.group(3), m.group(1)) : null;
    }
}
