package org.fedoraproject.fedimg.emulator.ec2;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.fedoraproject.fedimg.bundle.BundleKeys;
import org.fedoraproject.fedimg.bundle.BundleManifest;
import org.fedoraproject.fedimg.bundle.BundleReader;
import org.fedoraproject.fedimg.bundle.InvalidManifestException;
import org.fedoraproject.fedimg.bundle.MachineConfiguration;
import org.fedoraproject.fedimg.bundle.PartInfo;
import org.fedoraproject.fedimg.bundle.SignatureMismatchException;
import org.fedoraproject.fedimg.bundle.WrongCertificateException;
import org.fedoraproject.fedimg.emulator.s3.S3Store;
import org.fedoraproject.fedimg.emulator.state.Engine;
import org.fedoraproject.fedimg.emulator.state.Model;

import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;

/**
 * Instance-store AMIs: RegisterImage with {@code ImageLocation=bucket/prefix/name.manifest.xml} and CopyImage of
 * such an AMI.
 *
 * <p>RegisterImage reads the bundle as EC2 does, from the region's S3 and only through ACLs that let EC2 read
 * ({@code aws-exec-read}), and refuses with {@code InvalidManifest} at once what it can see without decrypting: a
 * manifest that is unreadable, malformed, not signed by a signing certificate registered for the account, not for
 * this account, for an image over 10 GiB, or whose key is not sealed for this emulator's EC2 certificate; a part
 * that is missing, unreadable by EC2, or whose SHA-1 differs from the signed manifest's. The image is then
 * reassembled in the background (decrypt, gunzip, untar, image digest) while the AMI is pending; a bundle that
 * fails there leaves the AMI {@code failed} with the reason, as real EC2 only finds such a bundle at launch.
 */
final class InstanceStoreImages {

    /** AWS: the root device of an instance store-backed AMI is at most 10 GiB. */
    static final long MAX_ROOT_BYTES = 10L << 30;
    private static final int MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
    /** As BundleReader's default: a part is read whole, so its size bounds the reader's memory. */
    private static final long MAX_PART_BYTES = BundleReader.DEFAULT_MAX_PART_BYTES;
    static final String STATE_REASON = "Client.InvalidManifest";

    private final Engine engine;

    InstanceStoreImages(Engine engine) {
        this.engine = engine;
    }

    /** A bundle that passed every check but its content's: its manifest, key, and objects held as they were read. */
    static final class Bundle implements AutoCloseable {
        final String location;
        final BundleManifest manifest;
        final BundleKeys keys;
        /** The manifest's key first, then each part's, in index order. */
        final List<String> objectKeys = new ArrayList<>();
        final Map<String, S3Store.Held> parts = new LinkedHashMap<>();

        private Bundle(String location, BundleManifest manifest, BundleKeys keys) {
            this.location = location;
            this.manifest = manifest;
            this.keys = keys;
        }

        @Override
        public void close() {
            parts.values().forEach(S3Store.Held::close);
        }
    }

    private record Location(String bucket, String key) {

        /** {@code bucket/prefix/name.manifest.xml}: the directory of the key holds the parts. */
        static Location parse(String location) {
            int slash = location.indexOf('/');
            if (slash <= 0 || slash == location.length() - 1) {
                throw invalid("The image location " + location + " is not of the form bucket/prefix/image.manifest.xml");
            }
            return new Location(location.substring(0, slash), location.substring(slash + 1));
        }

        String sibling(String fileName) {
            int slash = key.lastIndexOf('/');
            return slash < 0 ? fileName : key.substring(0, slash + 1) + fileName;
        }
    }

    /** Everything RegisterImage checks before it answers; outside the engine's lock (it reads S3). */
    Bundle read(String region, String imageLocation) {
        Location where = Location.parse(imageLocation);
        BundleCertificates certificates = engine.bundleCertificates();
        byte[] xml;
        try (S3Store.Held manifest = engine.s3().holdForEc2(region, where.bucket(), where.key())) {
            if (manifest.size() > MAX_MANIFEST_BYTES) {
                throw invalid("The manifest " + imageLocation + " is larger than " + MAX_MANIFEST_BYTES + " bytes");
            }
            try (InputStream in = manifest.open()) {
                xml = in.readAllBytes();
            }
        } catch (S3Store.NotReadableException e) {
            throw invalid("Unable to read the manifest " + imageLocation + ": " + e.getMessage());
        } catch (IOException e) {
            throw new Ec2Exception(500, "InternalError", "reading " + imageLocation + ": " + e);
        }
        BundleManifest manifest = verified(xml, certificates.signingCertificates(), imageLocation);
        if (!manifest.user().equals(engine.accountId())) {
            throw invalid("The manifest " + imageLocation + " was bundled for account " + manifest.user() + ", not for "
                    + engine.accountId());
        }
        if (!"machine".equals(manifest.type())) {
            throw invalid("The manifest " + imageLocation + " is of a " + manifest.type() + " image, not a machine image");
        }
        if (manifest.imageSize() > MAX_ROOT_BYTES) {
            throw invalid("The image of " + imageLocation + " is " + manifest.imageSize() + " bytes; the root device of "
                    + "an instance store-backed AMI holds at most 10 GiB (" + MAX_ROOT_BYTES + " bytes)");
        }
        BundleKeys keys;
        try {
            keys = manifest.ec2Keys(certificates.ec2PrivateKey());
        } catch (WrongCertificateException e) {
            throw invalid("The bundle's key in " + imageLocation + " is not sealed for this EC2 certificate (bundle "
                    + "with the certificate of the partition you register in: " + e.getMessage() + ")");
        }
        Bundle bundle = new Bundle(imageLocation, manifest, keys);
        try {
            bundle.objectKeys.add(where.key());
            holdParts(region, where, bundle);
            return bundle;
        } catch (RuntimeException e) {
            bundle.close();
            throw e;
        }
    }

    /** The manifest, verified with the first registered certificate whose key signed it. */
    private BundleManifest verified(byte[] xml, List<X509Certificate> certificates, String location) {
        if (certificates.isEmpty()) {
            throw invalid("The signature of " + location + " cannot be checked: account " + engine.accountId()
                    + " has no X.509 signing certificate registered");
        }
        for (X509Certificate certificate : certificates) {
            try {
                return BundleManifest.read(xml, certificate);
            } catch (SignatureMismatchException e) {
                // another registered certificate may have signed it
            } catch (InvalidManifestException e) {
                throw invalid("The manifest " + location + " is invalid: " + e.getMessage());
            }
        }
        throw invalid("The signature of " + location + " does not verify with any signing certificate of account "
                + engine.accountId() + ": the manifest was changed after it was signed, or its signer's certificate is "
                + "not registered");
    }

    /** Every part: beside the manifest, readable by EC2, within the size bound, with the signed SHA-1. */
    private void holdParts(String region, Location where, Bundle bundle) {
        long bundled = 0;
        for (PartInfo part : bundle.manifest.parts()) {
            String key = where.sibling(part.fileName());
            S3Store.Held held = bundle.parts.get(part.fileName());
            try {
                if (held == null) {
                    held = engine.s3().holdForEc2(region, where.bucket(), key);
                    bundle.parts.put(part.fileName(), held);
                }
            } catch (S3Store.NotReadableException e) {
                throw invalid("Part " + part.index() + " (" + part.fileName() + ") of " + bundle.location
                        + " cannot be read: " + e.getMessage());
            }
            bundle.objectKeys.add(key);
            if (held.size() > MAX_PART_BYTES) {
                throw invalid("Part " + part.index() + " (" + part.fileName() + ") holds " + held.size() + " bytes, more "
                        + "than the " + MAX_PART_BYTES + " a part may");
            }
            bundled += held.size();
            String sha1;
            try {
                sha1 = held.sha1Hex();
            } catch (IOException e) {
                throw new Ec2Exception(500, "InternalError", "reading " + key + ": " + e);
            }
            if (!sha1.equals(part.sha1Hex())) {
                throw invalid("Part " + part.index() + " (" + part.fileName() + ") of " + bundle.location + " has SHA-1 "
                        + sha1 + ", the signed manifest lists " + part.sha1Hex() + ": the part was changed or cut short");
            }
        }
        if (bundled != bundle.manifest.bundledSize()) {
            throw invalid("The parts of " + bundle.location + " hold " + bundled + " bytes; the manifest says "
                    + bundle.manifest.bundledSize());
        }
    }

    /**
     * Under the engine's lock: what the manifest's machine configuration gives the AMI (architecture, kernel, root
     * device, ephemeral mappings) where the request does not, and the reassembly of its image, which takes over
     * the bundle (and lets go of its objects when done).
     */
    void register(Model.AmiRec ami, Bundle bundle, String requestedArchitecture, String requestedRootDevice) {
        MachineConfiguration machine = bundle.manifest.machine();
        ami.imageLocation = bundle.location;
        ami.bundleObjects.addAll(bundle.objectKeys);
        if (requestedArchitecture == null && machine != null) {
            ami.architecture = machine.architecture();
        }
        if (ami.kernelId == null && machine != null) {
            ami.kernelId = machine.kernelId();
        }
        if (ami.ramdiskId == null && machine != null) {
            ami.ramdiskId = machine.ramdiskId();
        }
        String root = requestedRootDevice;
        if (root == null && machine != null && machine.blockDeviceMapping().containsKey("root")) {
            root = device(machine.blockDeviceMapping().get("root"));
        }
        ami.rootDeviceName = root != null ? root : "/dev/sda1";
        if (machine != null) {
            machine.blockDeviceMapping().forEach((virtual, device) -> {
                if (virtual.startsWith("ephemeral") || virtual.equals("swap")) {
                    ami.blockDeviceMappings.add(BlockDeviceMapping.builder().deviceName(device(device))
                            .virtualName(virtual).build());
                }
            });
        }
        Model.ImageContent content = new Model.ImageContent(bundle.manifest.imageSize());
        ami.instanceStoreRoot = content;
        engine.content().reassemble(content, () -> BundleReader.open(bundle.manifest, bundle.keys, fileName -> {
            S3Store.Held part = bundle.parts.get(fileName);
            if (part == null) {
                throw new NoSuchFileException(fileName);
            }
            return part.open();
        }), bundle::close);
    }

    private static String device(String name) {
        return name.startsWith("/dev/") ? name : "/dev/" + name;
    }

    /**
     * CopyImage of an instance-store AMI: as AWS does, the bundle's objects are copied into the account's bucket
     * for AMI copies in the destination region ({@code amis-for-<account>-in-<region>-<hash>}, created when
     * missing), under the new AMI's id, with {@code aws-exec-read}; the copy is registered from there. The source
     * bundle must still be there and readable by EC2. The copy's image is the source's (it is available, so
     * reassembled, and the bytes are the same).
     */
    void copyBundle(Model.AmiRec source, Model.AmiRec copy) {
        S3Store s3 = engine.s3();
        Location from = Location.parse(source.imageLocation);
        List<S3Store.Held> held = new ArrayList<>();
        try {
            for (String key : source.bundleObjects) {
                held.add(s3.holdForEc2(source.region, from.bucket(), key));
            }
            String bucket = s3.amiCopyBucket(copy.region);
            for (S3Store.Held object : held) {
                String key = copy.id + "/" + fileName(object.key());
                s3.putForEc2(bucket, key, object);
                copy.bundleObjects.add(key);
            }
            copy.imageLocation = bucket + "/" + copy.id + "/" + fileName(from.key());
        } catch (S3Store.NotReadableException e) {
            throw invalid("The bundle of " + source.id + " cannot be copied: " + e.getMessage());
        } finally {
            held.forEach(S3Store.Held::close);
        }
        copy.instanceStoreRoot = source.instanceStoreRoot;
    }

    private static String fileName(String key) {
        return key.substring(key.lastIndexOf('/') + 1);
    }

    static Ec2Exception invalid(String message) {
        return new Ec2Exception("InvalidManifest", message);
    }
}
