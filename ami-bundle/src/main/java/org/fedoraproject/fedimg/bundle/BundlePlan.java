package org.fedoraproject.fedimg.bundle;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Everything a bundle's bytes depend on besides the image: the spec and the AES key and IV. Stored before the
 * first part (the uploader keeps it beside the parts), it lets a run that crashed be resumed with parts
 * byte-identical to those already uploaded, and lets two runs racing on one image produce the same parts.
 *
 * <p>The key is stored only sealed for the user's certificate — the same {@code user_encrypted_key} and
 * {@code user_encrypted_iv} the manifest will publish — and the plan is signed with the user's key, so a plan
 * somebody else wrote is refused instead of trusted. See the README, "Resume".
 *
 * @param imageId what the plan was made for (e.g. {@code sha256:<hex>} of the compressed image); a resume
 *     checks it, so that a plan is never applied to another image
 */
public record BundlePlan(BundleSpec spec, String imageId, BundleKeys keys) {

    /**
     * The version of this library's bundle layout (tar header, gzip framing, deflate slicing). Raise it with
     * any change to those bytes: a plan of another format is refused, and the bundle starts over.
     */
    public static final int FORMAT = 1;
    static final int MAX_BYTES = 64 * 1024;
    private static final Pattern IMAGE_ID = Pattern.compile("[A-Za-z0-9:._+-]{1,200}");
    private static final String SIGNATURE = "SHA256withRSA";
    private static final String[] FIELDS = {"fedimg-bundle-plan", "name", "image-size", "modified", "part-size",
            "gzip-level", "image-id", "user-encrypted-key", "user-encrypted-iv", "signature"};

    public BundlePlan {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(keys, "keys");
        if (imageId == null || !IMAGE_ID.matcher(imageId).matches()) {
            throw new IllegalArgumentException("image id must be 1-200 of [A-Za-z0-9:._+-]: " + imageId);
        }
    }

    /** A new plan with a fresh random key and IV. */
    public static BundlePlan create(BundleSpec spec, String imageId, SecureRandom random) {
        return new BundlePlan(spec, imageId, BundleKeys.random(random));
    }

    public BundleWriter writer(int maxPartsInFlight) {
        return new BundleWriter(spec, keys, maxPartsInFlight);
    }

    /** The plan as signed text, the key sealed for {@code user}'s certificate. */
    public String encode(UserCredentials user) {
        BundleKeys.Sealed sealed = keys.sealFor(user.certificate().getPublicKey());
        String[] values = {Integer.toString(FORMAT), spec.name(), Long.toString(spec.imageSize()),
                Long.toString(spec.modifiedEpochSeconds()), Integer.toString(spec.partSize()),
                Integer.toString(spec.gzipLevel()), imageId, sealed.key(), sealed.iv()};
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            body.append(FIELDS[i]).append(' ').append(values[i]).append('\n');
        }
        byte[] signature = Rsa.sign(SIGNATURE, user.privateKey(), body.toString().getBytes(StandardCharsets.UTF_8));
        return body + "signature " + HexFormat.of().formatHex(signature) + "\n";
    }

    /**
     * Reads a plan written by {@link #encode} with the same credentials.
     *
     * @throws BundlePlanException when the text is not such a plan, is of another {@link #FORMAT}, or is not
     *     signed by {@code user}: the caller then starts the bundle over with a new plan
     */
    public static BundlePlan decode(String text, UserCredentials user) throws BundlePlanException {
        if (text.length() > MAX_BYTES) {
            throw new BundlePlanException("the bundle plan is larger than " + MAX_BYTES + " bytes");
        }
        int signatureAt = text.lastIndexOf("\nsignature ") + 1;
        if (signatureAt == 0) {
            throw new BundlePlanException("the bundle plan is not signed");
        }
        String[] values = values(text);
        byte[] signature;
        try {
            signature = HexFormat.of().parseHex(values[9]);
        } catch (IllegalArgumentException e) {
            throw new BundlePlanException("the bundle plan's signature is not hex");
        }
        if (!Rsa.verify(SIGNATURE, user.certificate().getPublicKey(),
                text.substring(0, signatureAt).getBytes(StandardCharsets.UTF_8), signature)) {
            throw new BundlePlanException("the bundle plan is not signed by " + user);
        }
        if (!values[0].equals(Integer.toString(FORMAT))) {
            throw new BundlePlanException("the bundle plan is of format " + values[0] + "; this fedimg writes format "
                    + FORMAT);
        }
        try {
            BundleSpec spec = new BundleSpec(values[1], Long.parseLong(values[2]), Long.parseLong(values[3]),
                    Integer.parseInt(values[4]), Integer.parseInt(values[5]));
            BundleKeys keys = BundleKeys.unseal(new BundleKeys.Sealed(values[7], values[8]), user.privateKey());
            return new BundlePlan(spec, values[6], keys);
        } catch (IllegalArgumentException | WrongCertificateException e) {
            throw new BundlePlanException("the bundle plan is invalid: " + e.getMessage());
        }
    }

    private static String[] values(String text) throws BundlePlanException {
        String[] lines = text.split("\n", -1);
        if (lines.length != FIELDS.length + 1 || !lines[FIELDS.length].isEmpty()) {
            throw new BundlePlanException("the bundle plan has " + (lines.length - 1) + " lines, not " + FIELDS.length);
        }
        String[] values = new String[FIELDS.length];
        for (int i = 0; i < FIELDS.length; i++) {
            String prefix = FIELDS[i] + " ";
            if (!lines[i].startsWith(prefix)) {
                throw new BundlePlanException("line " + (i + 1) + " of the bundle plan is not '" + FIELDS[i] + "'");
            }
            values[i] = lines[i].substring(prefix.length());
        }
        return values;
    }
}
