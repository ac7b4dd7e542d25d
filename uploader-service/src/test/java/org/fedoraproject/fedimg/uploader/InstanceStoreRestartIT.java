package org.fedoraproject.fedimg.uploader;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.fedoraproject.fedimg.aws.AmiNames;
import org.fedoraproject.fedimg.aws.AwsTags;
import org.fedoraproject.fedimg.aws.BundleNames;
import org.fedoraproject.fedimg.bundle.BundleManifest;
import org.fedoraproject.fedimg.bundle.PartInfo;
import org.fedoraproject.fedimg.emulator.AwsEmulator;
import org.fedoraproject.fedimg.emulator.CallSignals;
import org.fedoraproject.fedimg.emulator.Delays;
import org.fedoraproject.fedimg.events.AmiRegistered;
import org.fedoraproject.fedimg.events.AmiVariant;
import org.fedoraproject.fedimg.events.ImageReady;
import org.fedoraproject.fedimg.local.KafkaBroker;
import org.fedoraproject.fedimg.local.ServiceProcess;
import org.fedoraproject.fedimg.testing.TopicProbe;
import org.fedoraproject.fedimg.testing.bundles.TestSigner;
import org.fedoraproject.fedimg.uploader.support.ImageServer;
import org.fedoraproject.fedimg.uploader.support.TestImages;
import org.fedoraproject.fedimg.uploader.support.Uploads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Instance-store AMIs (issue 22) and a SIGKILL in the middle of the part uploads: the built service as a process,
 * killed by the emulator's call signal right after one of the bundle's parts was stored (its answer never reaches
 * the process, the other parts in flight are cut off), then started again. The redelivered event reads the stored
 * bundle plan back, so the parts are byte-identical; those S3 already holds are skipped, the rest uploaded, and
 * each variant is registered once. Checked the way an operator would: the bucket's listing holds the plan, each
 * part the manifest names and one manifest per variant, each key once and nothing else, and DescribeImages by
 * name finds one AMI per variant.
 */
class InstanceStoreRestartIT {

    private static final String REGION = "us-east-1";
    private static final String KERNEL = "aki-919dcaf8";
    private static final int PART_SIZE = 64 * 1024;
    /** The kill lands after this PutObject of the first process: the plan is the first, so the 8th part. */
    private static final int KILL_AT_PUT = 9;
    /** Each process its own access key, so the emulator's counts say which calls the restarted one made. */
    private static final String FIRST_KEY = "uploader-before-kill";
    private static final String SECOND_KEY = "uploader-after-kill";

    @TempDir
    Path pki;

    @Test
    void killDuringPartUploadsThenRestartLeavesEachObjectOnceAndOneAmiPerVariant() throws Exception {
        // random data: gzip cannot shrink it, so the bundle is as large as the image (about 40 parts)
        byte[] raw = new byte[40 * PART_SIZE];
        new java.util.Random(7).nextBytes(raw);
        byte[] xz = TestImages.xzMultiBlock(raw, TestImages.BLOCK);
        KafkaBroker broker = KafkaBroker.shared();
        try (AwsEmulator aws = AwsEmulator.builder().port(0).regions(List.of(REGION)).delays(Delays.zero()).build().start();
                ImageServer server = new ImageServer();
                TopicProbe probe = new TopicProbe(broker.bootstrapServers());
                ServiceProcess first = ServiceProcess.of("uploader", Path.of("."), config(aws, broker, FIRST_KEY));
                ServiceProcess second = ServiceProcess.of("uploader", Path.of("."), config(aws, broker, SECOND_KEY))) {
            server.serve("/bundle-crash/Fedora.raw.xz", xz);
            Uploads uploads = new Uploads(probe);
            ImageReady event = Uploads.event(server.url("/bundle-crash/Fedora.raw.xz"), xz, "x86_64");
            String bucket = BundleNames.bucket(BundleNames.DEFAULT_BUCKET_PREFIX, aws.accountId(), REGION);
            String folder = BundleNames.folder(event.image());

            // the kill happens in the emulator's thread, after the part is stored and before its answer goes out
            CompletableFuture<CallSignals.Call> killed = new CompletableFuture<>();
            aws.faults().signalAt("PutObject", FIRST_KEY, KILL_AT_PUT, CallSignals.When.AFTER, call -> {
                sigkill(first);
                killed.complete(call);
            });
            first.start();
            uploads.send(event);
            killed.get(3, TimeUnit.MINUTES);
            assertThat(first.isAlive()).isFalse();

            // a part whose body had fully arrived may still be stored after the process died: wait until it settles
            Set<String> leftByTheKill = settled(aws, bucket, folder);
            assertThat(leftByTheKill).contains(BundleNames.plan(event.image()))
                    .noneMatch(k -> k.endsWith(".manifest.xml"));
            long partsLeft = leftByTheKill.stream().filter(k -> k.contains(".part.")).count();
            // the 9th PutObject (the 8th part) is in; of the parts before and after it, up to 3 others were in flight
            assertThat(partsLeft).isBetween((long) KILL_AT_PUT - 1 - 3, (long) KILL_AT_PUT - 1 + 3);
            assertThat(aws.inspect().callCount("RegisterImage")).isZero();

            first.kill(); // forget the dead process
            second.start();
            List<AmiRegistered> amis = uploads.awaitRegistered(event, 2, Duration.ofMinutes(3));
            assertThat(amis).extracting(a -> a.ami().variant().slug())
                    .containsExactlyInAnyOrder("hvm-instance-store", "paravirtual-instance-store");

            // the listing: the plan, one manifest per variant and exactly the parts the manifests name, each once
            List<AmiVariant> variants = List.of(AmiVariant.instanceStore("hvm"), AmiVariant.instanceStore("paravirtual"));
            List<String> listed = listing(aws, bucket, folder);
            Set<String> expected = new TreeSet<>();
            expected.add(BundleNames.plan(event.image()));
            List<PartInfo> parts = null;
            for (AmiVariant v : variants) {
                String manifestKey = BundleNames.manifest(event.image(), v);
                expected.add(manifestKey);
                BundleManifest manifest = BundleManifest.read(get(aws, bucket, manifestKey), signer.certificate());
                if (parts == null) {
                    parts = manifest.parts();
                } else {
                    assertThat(manifest.parts()).isEqualTo(parts); // the variants share the parts
                }
            }
            parts.forEach(p -> expected.add(BundleNames.part(event.image(), p.fileName())));
            assertThat(parts).hasSizeGreaterThanOrEqualTo(40);
            assertThat(listed).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(expected);

            // the restarted process reused the plan and the parts S3 held: it put only the rest and the manifests
            Map<String, Long> secondCalls = aws.inspect().callsByAccessKey().getOrDefault(SECOND_KEY, new java.util.TreeMap<>());
            assertThat(secondCalls.getOrDefault("PutObject", 0L)).isEqualTo(parts.size() - partsLeft + variants.size());
            assertThat(secondCalls.getOrDefault("RegisterImage", 0L)).isEqualTo(variants.size());

            // DescribeImages by each variant's name: one AMI, available, from its manifest, booting the image's bytes
            try (Ec2AsyncClient ec2 = Ec2AsyncClient.builder().region(Region.of(REGION)).endpointOverride(aws.endpoint())
                    .credentialsProvider(credentials()).build()) {
                for (AmiVariant v : variants) {
                    String name = AmiNames.ami(event.image(), v);
                    List<Image> found = ec2.describeImages(r -> r.owners("self").filters(f -> f.name("name").values(name)))
                            .join().images();
                    assertThat(found).as(name).singleElement().satisfies(i -> {
                        assertThat(i.stateAsString()).isEqualTo("available");
                        assertThat(i.rootDeviceTypeAsString()).isEqualTo("instance-store");
                        assertThat(i.imageLocation()).isEqualTo(bucket + "/" + BundleNames.manifest(event.image(), v));
                        assertThat(aws.inspect().imageSha256(REGION, i.imageId())).isEqualTo(TestImages.sha256(raw));
                    });
                }
            }
            assertThat(aws.inspect().images(REGION)).filteredOn(i -> event.imageKey().equals(i.tags().get(AwsTags.IMAGE_KEY)))
                    .hasSize(variants.size());
            assertThat(aws.inspect().callCount("RegisterImage")).isEqualTo(variants.size());
            assertThat(uploads.deadLetters(event)).isEmpty();
        }
    }

    private TestSigner signer;

    /** SIGKILL by pid, as CrashPoints does: ServiceProcess' own kill takes its lock, which start may hold. */
    private static void sigkill(ServiceProcess p) {
        Optional<ProcessHandle> h = p.pid() > 0 ? ProcessHandle.of(p.pid()) : Optional.empty();
        h.ifPresent(handle -> {
            handle.destroyForcibly();
            handle.onExit().orTimeout(30, TimeUnit.SECONDS).join();
        });
    }

    /** The bucket's listing under the image's folder, through ListObjectsV2 (every page). */
    private static List<String> listing(AwsEmulator aws, String bucket, String folder) {
        try (S3AsyncClient s3 = s3(aws)) {
            List<String> keys = new ArrayList<>();
            s3.listObjectsV2Paginator(r -> r.bucket(bucket).prefix(folder).maxKeys(7))
                    .subscribe(page -> page.contents().stream().map(S3Object::key).forEach(keys::add)).join();
            return keys;
        }
    }

    private static Set<String> settled(AwsEmulator aws, String bucket, String folder) throws InterruptedException {
        Set<String> before = new TreeSet<>(listing(aws, bucket, folder));
        while (true) {
            Thread.sleep(500);
            Set<String> now = new TreeSet<>(listing(aws, bucket, folder));
            if (now.equals(before)) {
                return now;
            }
            before = now;
        }
    }

    private static byte[] get(AwsEmulator aws, String bucket, String key) {
        try (S3AsyncClient s3 = s3(aws)) {
            return s3.getObject(r -> r.bucket(bucket).key(key), AsyncResponseTransformer.toBytes()).join().asByteArray();
        }
    }

    private static S3AsyncClient s3(AwsEmulator aws) {
        return S3AsyncClient.builder().region(Region.of(REGION)).endpointOverride(aws.endpoint()).forcePathStyle(true)
                .credentialsProvider(credentials()).build();
    }

    private static StaticCredentialsProvider credentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));
    }

    private Map<String, String> config(AwsEmulator aws, KafkaBroker broker, String accessKey) throws Exception {
        if (signer == null) {
            // the account's signing certificate, known to the emulator as an operator uploads it to IAM
            signer = TestSigner.issue("fedimg-uploader-crash-test");
            aws.registerSigningCertificate(signer.certificate());
            Files.writeString(pki.resolve("user-cert.pem"), signer.certificatePem());
            Path key = Files.createFile(pki.resolve("user-key.pem"),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(key, signer.privateKeyPem());
            Files.writeString(pki.resolve("ec2-cert.pem"), aws.inspect().ec2CertificatePem());
        }
        Map<String, String> c = new HashMap<>(Map.ofEntries(
                Map.entry("kafka.bootstrap.servers", broker.bootstrapServers()),
                Map.entry("fedimg.aws.endpoint-override", aws.endpoint().toString()),
                Map.entry("fedimg.aws.static-credentials.access-key-id", accessKey),
                Map.entry("fedimg.aws.static-credentials.secret-access-key", "test"),
                Map.entry("fedimg.aws.base-region", REGION),
                Map.entry("fedimg.sources.allowed", "http://127.0.0.1:*/"), // the prod profile trusts Fedora only
                Map.entry("fedimg.uploader.registration.storage-types", "instance-store"),
                Map.entry("fedimg.uploader.registration.virtualization-types", "hvm,paravirtual"),
                Map.entry("fedimg.uploader.registration.paravirtual-kernel-ids." + REGION, KERNEL),
                Map.entry("fedimg.uploader.instance-store.account-id", aws.accountId()),
                Map.entry("fedimg.uploader.instance-store.ec2-certificate-file", pki.resolve("ec2-cert.pem").toString()),
                Map.entry("fedimg.uploader.instance-store.certificate-file", pki.resolve("user-cert.pem").toString()),
                Map.entry("fedimg.uploader.instance-store.private-key-file", pki.resolve("user-key.pem").toString()),
                Map.entry("fedimg.uploader.instance-store.part-size", String.valueOf(PART_SIZE)),
                Map.entry("fedimg.uploader.instance-store.parts-in-flight", "4"),
                Map.entry("fedimg.uploader.ebs.volume-size-gib", "1"),
                Map.entry("fedimg.uploader.waits.image-available.delay", "PT0.2S"),
                Map.entry("fedimg.uploader.progress-interval", "PT1S"),
                // a killed member must leave the group quickly so the restarted one gets the partition
                Map.entry("mp.messaging.incoming.images.session.timeout.ms", "6000"),
                Map.entry("mp.messaging.incoming.images.heartbeat.interval.ms", "1000")));
        return c;
    }
}
