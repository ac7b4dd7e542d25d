package org.fedoraproject.fedimg.aws;

import java.util.List;
import java.util.regex.Pattern;

import org.fedoraproject.fedimg.events.AmiVariant;
import org.fedoraproject.fedimg.events.ImageSpec;

/**
 * Deterministic AMI and snapshot names. Never a counter: a re-run must find what the last run made. The same
 * name is used in every region.
 *
 * <p>AMI names follow a template (uploader {@code fedimg.uploader.registration.ami-name-template}) with the
 * placeholders {@code {name}} (the image file name without {@code .raw.xz}), {@code {virt}}, {@code {volume}},
 * {@code {encrypted}} ({@code -encrypted} or nothing) and {@code {respin}} (0 unless an operator forced a
 * re-upload). Each must appear once, so every variant and respin has a name of its own. The default,
 * {@link #DEFAULT_TEMPLATE}, is found by the filters consumers use (docs/lifecycle.md, "Names"):
 * {@code Fedora-Cloud-Base-AmazonEC2.x86_64-41-*} (Fedora 41+ file names), {@code Fedora-Cloud-Base-38-*.x86_64-hvm-*}
 * (Fedora 38 file names) and the original fedimg's {@code ...-<volume type>-<respin>} ending
 * ({@code Fedora-Cloud-Base-27*-standard-0}).
 */
public final class AmiNames {

    public static final String DEFAULT_TEMPLATE = "{name}-{virt}-{volume}{encrypted}-{respin}";
    static final List<String> PLACEHOLDERS = List.of("{name}", "{virt}", "{volume}", "{encrypted}", "{respin}");
    /** EC2's rule for AMI names: 3 to 128 of letters, digits, ( ) [ ] space . / - ' @ _ */
    static final Pattern EC2_NAME = Pattern.compile("[A-Za-z0-9()\\[\\] ./\\-'@_]{3,128}");

    private AmiNames() {
    }

    public static String ami(ImageSpec image, AmiVariant variant) {
        return ami(image, variant, DEFAULT_TEMPLATE);
    }

    /** @throws IllegalArgumentException if the result is not a valid EC2 AMI name */
    public static String ami(ImageSpec image, AmiVariant variant, String template) {
        validate(template);
        String name = template.replace("{name}", image.name())
                .replace("{virt}", variant.virtualizationType())
                .replace("{volume}", variant.volumeType())
                .replace("{encrypted}", variant.encrypted() ? "-encrypted" : "")
                .replace("{respin}", String.valueOf(image.respin()));
        if (!EC2_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("AMI name '" + name + "' from template '" + template
                    + "' is not a valid EC2 AMI name (3-128 of letters, digits and ()[] ./-'@_)");
        }
        return name;
    }

    /** Every placeholder exactly once: names unique per variant and respin, nothing else varies. */
    public static void validate(String template) {
        for (String p : PLACEHOLDERS) {
            int first = template.indexOf(p);
            if (first < 0 || template.indexOf(p, first + 1) >= 0) {
                throw new IllegalArgumentException("AMI name template '" + template + "' must contain " + p
                        + " exactly once (placeholders: " + PLACEHOLDERS + ")");
            }
        }
        String rest = template;
        for (String p : PLACEHOLDERS) {
            rest = rest.replace(p, "");
        }
        if (rest.contains("{") || rest.contains("}")) {
            throw new IllegalArgumentException("AMI name template '" + template + "' has an unknown placeholder");
        }
    }

    public static String snapshot(ImageSpec image) {
        return image.respin() > 0 ? image.name() + "-respin" + image.respin() : image.name();
    }
}
