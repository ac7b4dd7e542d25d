package org.fedoraproject.fedimg.bridge.support;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.fedoraproject.fedimg.messaging.EventJson;

/** Small productmd images.json and pungi messages made here, so every path is tested without ../shared. */
public final class SampleComposes {

    /** A Fedora 41-style compose: Generic and AmazonEC2 raw.xz for x86_64 and aarch64, plus noise. */
    public static final String F41 = "Fedora-41-20241027.0";
    /** A compose with Cloud images but no raw.xz at all. */
    public static final String QCOW_ONLY = "Fedora-Cloud-39-20231101.0";

    private SampleComposes() {
    }

    public static String sha(char c) {
        return String.valueOf(c).repeat(64);
    }

    public static Map<String, Object> image(String arch, String subvariant, String type, String format, String path,
            String sha256, long size) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("arch", arch);
        m.put("bootable", false);
        m.put("checksums", Map.of("sha256", sha256));
        m.put("disc_count", 1);
        m.put("disc_number", 1);
        m.put("format", format);
        m.put("implant_md5", null);
        m.put("mtime", 1730000000);
        m.put("path", path);
        m.put("size", size);
        m.put("subvariant", subvariant);
        m.put("type", type);
        m.put("volume_id", null);
        return m;
    }

    public static String imagesJson(String composeId, String type, Map<String, Map<String, List<Map<String, Object>>>> images) {
        Map<String, Object> root = Map.of(
                "header", Map.of("type", "productmd.images", "version", "1.2"),
                "payload", Map.of("compose", Map.of("id", composeId, "type", type, "date", "20241027", "respin", 0),
                        "images", images));
        return EventJson.writeString(root);
    }

    public static String f41ImagesJson() {
        return ec2ComposeImagesJson(F41, "41");
    }

    /** A Fedora 40+-style compose with the given id and release (file names follow the release). */
    public static String ec2ComposeImagesJson(String composeId, String release) {
        return imagesJson(composeId, "production", Map.of(
                "Cloud", Map.of(
                        "x86_64", List.of(
                                image("x86_64", "Cloud_Base", "raw-xz", "raw.xz",
                                        "Cloud/x86_64/images/Fedora-Cloud-Base-Generic-" + release + "-1.4.x86_64.raw.xz", sha('1'), 500_000_000L),
                                image("x86_64", "Cloud_Base", "raw-xz", "raw.xz",
                                        "Cloud/x86_64/images/Fedora-Cloud-Base-AmazonEC2-" + release + "-1.4.x86_64.raw.xz", sha('2'), 510_000_000L),
                                image("x86_64", "Cloud_Base", "qcow2", "qcow2",
                                        "Cloud/x86_64/images/Fedora-Cloud-Base-Generic-" + release + "-1.4.x86_64.qcow2", sha('3'), 600_000_000L)),
                        "aarch64", List.of(
                                image("aarch64", "Cloud_Base", "raw-xz", "raw.xz",
                                        "Cloud/aarch64/images/Fedora-Cloud-Base-AmazonEC2-" + release + "-1.4.aarch64.raw.xz", sha('4'), 490_000_000L),
                                image("aarch64", "Cloud_Base", "raw-xz", "raw.xz",
                                        "Cloud/aarch64/images/Fedora-Cloud-Base-Generic-" + release + "-1.4.aarch64.raw.xz", sha('5'), 480_000_000L)),
                        "ppc64le", List.of(
                                image("ppc64le", "Cloud_Base", "raw-xz", "raw.xz",
                                        "Cloud/ppc64le/images/Fedora-Cloud-Base-Generic-" + release + "-1.4.ppc64le.raw.xz", sha('6'), 470_000_000L))),
                "Server", Map.of(
                        "x86_64", List.of(image("x86_64", "Server", "raw-xz", "raw.xz",
                                "Server/x86_64/images/Fedora-Server-" + release + "-1.4.x86_64.raw.xz", sha('7'), 900_000_000L)))));
    }

    public static String qcowOnlyImagesJson() {
        return imagesJson(QCOW_ONLY, "production", Map.of("Cloud", Map.of("x86_64", List.of(
                image("x86_64", "Cloud_Base", "qcow2", "qcow2",
                        "Cloud/x86_64/images/Fedora-Cloud-Base-39-1.5.x86_64.qcow2", sha('8'), 400_000_000L)))));
    }

    /** A plain fedora-messaging pungi body. */
    public static String pungiBody(String composeId, String status, String location) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", status);
        m.put("release_type", "ga");
        m.put("compose_label", "RC-20241027.0");
        m.put("compose_respin", 0);
        m.put("compose_date", "20241027");
        m.put("release_version", "41");
        m.put("location", location);
        m.put("compose_type", "production");
        m.put("release_is_layered", false);
        m.put("release_name", "Fedora");
        m.put("release_short", "Fedora");
        m.put("compose_id", composeId);
        return EventJson.writeString(m);
    }
}
