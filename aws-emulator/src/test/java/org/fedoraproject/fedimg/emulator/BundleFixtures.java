package org.fedoraproject.fedimg.emulator;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.fedoraproject.fedimg.bundle.BundleKeys;
import org.fedoraproject.fedimg.bundle.BundleSpec;
import org.fedoraproject.fedimg.bundle.BundleWriter;
import org.fedoraproject.fedimg.bundle.BundledImage;
import org.fedoraproject.fedimg.bundle.MachineConfiguration;
import org.fedoraproject.fedimg.bundle.ManifestWriter;
import org.fedoraproject.fedimg.bundle.UserCredentials;

import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ObjectCannedACL;
import software.amazon.awssdk.services.s3.model.ObjectOwnership;

/**
 * Instance-store bundles for the tests, made as fedimg's uploader makes them: ami-bundle's {@link BundleWriter} and
 * {@link ManifestWriter}, each part and the manifest uploaded with the SDK's S3 client with {@code aws-exec-read}
 * and its SHA-1 as {@code x-amz-checksum-sha1}. Self-signed RSA identities (1024 bits: quick on a busy machine).
 */
final class BundleFixtures {

    static final Identity USER = Identity.issue("fedimg-test-user");
    static final Identity STRANGER = Identity.issue("somebody-else");
    static final Instant COMPOSED = Instant.parse("2025-04-01T08:00:00Z");
    static final MachineConfiguration HVM = MachineConfiguration.hvm("x86_64",
            java.util.Map.of("ami", "sda1", "root", "/dev/sda1", "ephemeral0", "sdb"));
    static final MachineConfiguration PARAVIRTUAL = MachineConfiguration.paravirtual("x86_64", "aki-919dcaf8",
            java.util.Map.of("ami", "sda1", "root", "/dev/sda1"));

    private BundleFixtures() {
    }

    record Identity(KeyPair keys, X509Certificate cert) {

        UserCredentials credentials() {
            return new UserCredentials(cert, keys.getPrivate());
        }

        static Identity issue(String cn) {
            try {
                KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
                g.initialize(1024);
                KeyPair keys = g.generateKeyPair();
                X500Name name = new X500Name("CN=" + cn + ",O=fedimg emulator tests");
                Instant now = Instant.now();
                var builder = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now.toEpochMilli()),
                        Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(30))), name,
                        keys.getPublic());
                return new Identity(keys, new JcaX509CertificateConverter().getCertificate(
                        builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(keys.getPrivate()))));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Random 64 KiB blocks between runs of zeros, as a disk image has; the same seed gives the same bytes. */
    static byte[] image(int size, long seed) {
        byte[] image = new byte[size];
        Random random = new Random(seed);
        for (int off = 0; off < size; off += 192 * 1024) {
            byte[] block = new byte[Math.min(64 * 1024, size - off)];
            random.nextBytes(block);
            System.arraycopy(block, 0, image, off, block.length);
        }
        return image;
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A bucket EC2 can be granted reads in: ACLs enabled (ObjectWriter), in its region. */
    static void createBundleBucket(S3AsyncClient s3, String bucket, String region) {
        s3.createBucket(b -> {
            b.bucket(bucket).objectOwnership(ObjectOwnership.OBJECT_WRITER);
            if (!region.equals("us-east-1")) {
                b.createBucketConfiguration(c -> c.locationConstraint(region));
            }
        }).join();
    }

    /** A bundle in S3: where its manifest is, and what was bundled. */
    record Uploaded(String location, String bucket, String prefix, String manifestXml, BundledImage bundled) {

        String partKey(int index) {
            return prefix + bundled.parts().get(index).fileName();
        }

        String manifestKey() {
            return location.substring(bucket.length() + 1);
        }
    }

    /** Bundles {@code image} in parts of {@code partSize} and uploads it under {@code prefix}; the manifest last. */
    static Uploaded upload(S3AsyncClient s3, String bucket, String prefix, String name, byte[] image,
            MachineConfiguration machine, X509Certificate ec2Certificate, UserCredentials user, String account,
            int partSize) {
        BundleSpec spec = new BundleSpec(name, image.length, COMPOSED.getEpochSecond(), partSize, BundleSpec.GZIP_LEVEL);
        BundleKeys keys = BundleKeys.random(new SecureRandom());
        BundledImage bundled;
        try {
            bundled = new BundleWriter(spec, keys, 2).write(new ByteArrayInputStream(image),
                    part -> s3.putObject(b -> b.bucket(bucket).key(prefix + part.fileName()).acl(ObjectCannedACL.AWS_EXEC_READ)
                            .checksumAlgorithm(ChecksumAlgorithm.SHA1).checksumSHA1(part.sha1Base64()),
                            AsyncRequestBody.fromByteBufferUnsafe(part.data())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String xml = new ManifestWriter(ec2Certificate, user).write(account, machine, bundled, keys);
        String manifestKey = prefix + name + ".manifest.xml";
        putManifest(s3, bucket, manifestKey, xml);
        return new Uploaded(bucket + "/" + manifestKey, bucket, prefix, xml, bundled);
    }

    static void putManifest(S3AsyncClient s3, String bucket, String key, String xml) {
        s3.putObject(b -> b.bucket(bucket).key(key).acl(ObjectCannedACL.AWS_EXEC_READ).contentType("application/xml"),
                AsyncRequestBody.fromString(xml)).join();
    }

    /** Every part's key, in order. */
    static List<String> partKeys(Uploaded u) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < u.bundled().parts().size(); i++) {
            keys.add(u.partKey(i));
        }
        return keys;
    }
}
