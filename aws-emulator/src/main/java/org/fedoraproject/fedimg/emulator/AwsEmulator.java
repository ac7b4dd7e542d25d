package org.fedoraproject.fedimg.emulator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.fedoraproject.fedimg.bundle.Pem;

import org.fedoraproject.fedimg.emulator.http.HttpFront;
import org.fedoraproject.fedimg.emulator.state.Engine;
import org.fedoraproject.fedimg.emulator.vm.InstanceBackend;
import org.fedoraproject.fedimg.emulator.vm.InstanceOptions;

/**
 * An EC2 + EBS direct + S3 (+ Service Quotas, for the AMI quotas) endpoint on loopback for tests and local mode. The real AWS SDK talks to it with
 * {@code endpointOverride(emulator.endpoint())} (S3 clients also {@code forcePathStyle(true)}) and any static
 * credentials; the region comes from the SigV4 credential scope, so one endpoint serves every region.
 *
 * <pre>{@code
 * try (AwsEmulator aws = AwsEmulator.builder().delays(Delays.fast()).build().start()) {
 *     Ec2AsyncClient ec2 = Ec2AsyncClient.builder().endpointOverride(aws.endpoint())...
 * }
 * }</pre>
 */
public final class AwsEmulator implements AutoCloseable {

    public static final String DEFAULT_ACCOUNT_ID = "123456789012";

    private final int port;
    private final String host;
    private final List<String> regions;
    private final String accountId;
    private final InstanceOptions instanceOptions;
    private final Path workDir;
    private final javax.net.ssl.SSLContext tls;
    private final int httpThreads;
    private final Faults faults = new Faults();
    private final Quotas quotas;
    private final Engine engine;
    private final Inspector inspector;
    private HttpFront front;

    private AwsEmulator(Builder b) {
        this.port = b.port;
        this.host = b.host;
        this.regions = List.copyOf(b.regions);
        this.accountId = b.accountId;
        this.instanceOptions = b.instanceOptions;
        this.tls = b.tls;
        this.httpThreads = b.httpThreads;
        try {
            this.workDir = b.workDir != null ? Files.createDirectories(b.workDir)
                    : Files.createTempDirectory("aws-emulator-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.quotas = new Quotas(b.quotas);
        this.engine = new Engine(accountId, b.accessKeys, regions, b.delays, faults, quotas, workDir, instanceOptions);
        this.inspector = new Inspector(engine);
        b.signingCertificates.forEach(this::registerSigningCertificate);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Binds the port and starts serving; returns this. */
    public synchronized AwsEmulator start() {
        if (front != null) {
            return this;
        }
        try {
            front = new HttpFront(engine, host, port, new AdminEndpoint(this), tls, httpThreads);
        } catch (IOException e) {
            throw new UncheckedIOException("aws-emulator could not listen on " + host + ":" + port, e);
        }
        return this;
    }

    /** {@code http://127.0.0.1:PORT} ({@code https} with {@link Builder#tls}): EC2, EBS direct and S3, every region. */
    public URI endpoint() {
        requireStarted();
        return front.endpoint();
    }

    public int port() {
        requireStarted();
        return front.port();
    }

    public Faults faults() {
        return faults;
    }

    /** The account's quotas per region; {@link Quotas#set} changes one until {@link #reset()}. */
    public Quotas quotas() {
        return quotas;
    }

    public Inspector inspect() {
        return inspector;
    }

    public List<String> regions() {
        return regions;
    }

    public String accountId() {
        return accountId;
    }

    /** How instances boot: the backend (bash or qemu) and its options. */
    public InstanceOptions instanceOptions() {
        return instanceOptions;
    }

    public Delays delays() {
        return engine.delays();
    }

    /** Changes the life-cycle delays for resources created from now on (and instance/volume states). */
    public void delays(Delays delays) {
        engine.delays(Objects.requireNonNull(delays));
    }

    /**
     * Registers one of the account's X.509 signing certificates (AWS's legacy "signing certificates" of a user):
     * RegisterImage accepts an instance-store manifest only when a registered certificate verifies its signature.
     * Kept across {@link #reset()}, as the account is.
     */
    public void registerSigningCertificate(X509Certificate certificate) {
        engine.bundleCertificates().registerSigningCertificate(Objects.requireNonNull(certificate));
    }

    /** The same, from PEM text. */
    public void registerSigningCertificate(String pem) {
        registerSigningCertificate(Pem.certificate(pem));
    }

    /**
     * Seeds a completed snapshot owned by the account with a raw disk's bytes (size rounded up to whole GiB), as
     * if the uploader had written it through EBS direct: for tests and local runs that register an AMI of a real
     * image without the upload. Returns its id.
     */
    public String importSnapshot(String region, Path rawDisk, Map<String, String> tags) {
        try (var in = Files.newInputStream(rawDisk)) {
            long size = Files.size(rawDisk);
            var snap = new org.fedoraproject.fedimg.emulator.state.Model.SnapRec(
                    org.fedoraproject.fedimg.emulator.state.Ids.next("snap"), region, java.time.Instant.now());
            snap.ownerId = accountId;
            snap.description = "imported from " + rawDisk.getFileName();
            snap.sizeGiB = (int) Math.max(1, (size + (1L << 30) - 1) >> 30);
            snap.tags.putAll(tags);
            byte[] buf = new byte[org.fedoraproject.fedimg.emulator.ebs.BlockStore.BLOCK_SIZE];
            for (int index = 0;; index++) {
                int n = in.readNBytes(buf, 0, buf.length);
                if (n == 0) {
                    break;
                }
                java.util.Arrays.fill(buf, n, buf.length, (byte) 0);
                String key = engine.store().put(buf, org.fedoraproject.fedimg.emulator.ebs.BlockStore.sha256(buf,
                        buf.length));
                if (!org.fedoraproject.fedimg.emulator.ebs.BlockStore.ZERO.equals(key)) {
                    snap.blocks.put(index, key);
                }
            }
            snap.dataReadyAt = java.time.Instant.now();
            synchronized (engine) {
                engine.region(region).snapshots.put(snap.id, snap);
            }
            return snap.id;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Where block files, volume files, S3 objects and instance sandboxes live. */
    public Path workDir() {
        return workDir;
    }

    /**
     * Drops every resource in every region, the call counts, all faults and quota changes made since start (the
     * builder's quotas stay); kills running user-data scripts.
     */
    public void reset() {
        engine.reset();
    }

    @Override
    public synchronized void close() {
        if (front != null) {
            front.close();
            front = null;
        }
        engine.close();
    }

    private void requireStarted() {
        if (front == null) {
            throw new IllegalStateException("aws-emulator not started: call start()");
        }
    }

    public static final class Builder {
        private int port;
        private String host = "127.0.0.1";
        private List<String> regions = Regions.DEFAULT;
        private Delays delays = Delays.zero();
        private String accountId = DEFAULT_ACCOUNT_ID;
        private InstanceOptions instanceOptions = InstanceOptions.defaults();
        private Path workDir;
        private javax.net.ssl.SSLContext tls;
        private int httpThreads = HttpFront.DEFAULT_THREADS;
        private final Map<Quota, Long> quotas = new EnumMap<>(Quota.class);
        private final Map<String, String> accessKeys = new LinkedHashMap<>();
        private final List<X509Certificate> signingCertificates = new ArrayList<>();

        /**
         * Threads that handle requests (64 by default, so injected latencies overlap). A benchmark that
         * shares its CPUs with the emulator may want few: on AWS the servers' work is not on the client's CPUs.
         */
        public Builder httpThreads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("at least one HTTP thread");
            }
            this.httpThreads = threads;
            return this;
        }

        /** A signing certificate of the account (repeatable); see {@link AwsEmulator#registerSigningCertificate}. */
        public Builder signingCertificate(X509Certificate certificate) {
            signingCertificates.add(Objects.requireNonNull(certificate));
            return this;
        }

        /** 0 (the default) picks a free port. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** The address to bind; loopback by default. */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host);
            return this;
        }

        public Builder regions(List<String> regions) {
            if (regions.isEmpty()) {
                throw new IllegalArgumentException("at least one region");
            }
            this.regions = List.copyOf(regions);
            return this;
        }

        public Builder delays(Delays delays) {
            this.delays = Objects.requireNonNull(delays);
            return this;
        }

        public Builder accountId(String accountId) {
            if (!accountId.matches("\\d{12}")) {
                throw new IllegalArgumentException("an AWS account id has 12 digits: " + accountId);
            }
            this.accountId = accountId;
            return this;
        }

        /**
         * A quota value in every region, as if an increase (or decrease) had been approved: it stays across
         * {@link AwsEmulator#reset()}. AWS's defaults otherwise ({@link Quota#awsDefault()}).
         */
        public Builder quota(Quota quota, long value) {
            Quotas.checkValue(value);
            quotas.put(Objects.requireNonNull(quota), value);
            return this;
        }

        /**
         * Calls signed with this access key id act as another account, a consumer of the owner's AMIs: they see
         * what AWS shows another account (public AMIs, AMIs shared with it, no deprecated ones unless asked) and
         * may only describe; in S3 they may only read the objects whose ACL grants all or authenticated users READ.
         * Every other access key is the owning account ({@link #accountId}).
         */
        public Builder account(String accessKeyId, String accountId) {
            if (!accountId.matches("\\d{12}")) {
                throw new IllegalArgumentException("an AWS account id has 12 digits: " + accountId);
            }
            accessKeys.put(Objects.requireNonNull(accessKeyId), accountId);
            return this;
        }

        /** How long a user-data script may run before it is killed (15 minutes by default). */
        public Builder userDataTimeout(Duration timeout) {
            this.instanceOptions = instanceOptions.withUserDataTimeout(Objects.requireNonNull(timeout));
            return this;
        }

        /**
         * How instances boot: {@link InstanceBackend#BASH} (the default: the user-data runs on the host) or
         * {@link InstanceBackend#QEMU} (the root volume boots in a virtual machine; {@code QemuHost.get()
         * .missingPackages()} says what this host lacks, an instance of an architecture it cannot boot is
         * terminated with the reason).
         */
        public Builder instanceBackend(InstanceBackend backend) {
            this.instanceOptions = instanceOptions.withBackend(Objects.requireNonNull(backend));
            return this;
        }

        /** The qemu backend's limit of VMs at once (2 by default); a boot beyond it stays pending. */
        public Builder maxVms(int max) {
            this.instanceOptions = instanceOptions.withMaxVms(max);
            return this;
        }

        /** The port each VM's loopback address forwards to the guest's ssh port 22 (22 by default). */
        public Builder vmSshPort(int port) {
            this.instanceOptions = instanceOptions.withSshPort(port);
            return this;
        }

        /** How long a VM's firmware may take before a kernel must show on its console (60 s by default). */
        public Builder vmKernelBound(Duration bound) {
            this.instanceOptions = instanceOptions.withKernelBound(Objects.requireNonNull(bound));
            return this;
        }

        /** Where to keep content (a fresh temp dir by default; deleted on close). */
        public Builder workDir(Path dir) {
            this.workDir = dir;
            return this;
        }

        /**
         * Serves HTTPS instead of HTTP, with the key and certificate of a PKCS12 key store (e.g. made by
         * {@code keytool -genkeypair -ext SAN=ip:127.0.0.1}). Over HTTPS the SDK signs requests the way it
         * does against AWS: without it, it signs every request body (a SHA-256 of each PutSnapshotBlock's
         * 512 KiB), which it never does over TLS for operations AWS marks unsigned-payload.
         */
        public Builder tls(Path keyStore, char[] password) {
            try (var in = Files.newInputStream(keyStore)) {
                java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
                ks.load(in, password);
                javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory
                        .getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(ks, password);
                javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
                ctx.init(kmf.getKeyManagers(), null, null);
                this.tls = ctx;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (java.security.GeneralSecurityException e) {
                throw new IllegalArgumentException("cannot use " + keyStore + " for TLS: " + e.getMessage(), e);
            }
            return this;
        }

        public AwsEmulator build() {
            return new AwsEmulator(this);
        }
    }
}
