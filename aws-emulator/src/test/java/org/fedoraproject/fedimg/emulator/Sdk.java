package org.fedoraproject.fedimg.emulator;

import java.net.URI;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ebs.EbsAsyncClient;
import software.amazon.awssdk.services.ebs.model.ChecksumAggregationMethod;
import software.amazon.awssdk.services.ebs.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.ebs.model.StartSnapshotResponse;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.EbsBlockDevice;
import software.amazon.awssdk.services.ec2.model.RegisterImageRequest;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.servicequotas.ServiceQuotasAsyncClient;

/** Real SDK v2 async clients pointed at an endpoint (the emulator or moto), as the services build them. */
final class Sdk implements AutoCloseable {

    static final int BLOCK = 512 * 1024;

    private final URI endpoint;
    private final SdkAsyncHttpClient http = NettyNioAsyncHttpClient.builder().maxConcurrency(64).build();
    private final Map<String, Ec2AsyncClient> ec2 = new ConcurrentHashMap<>();
    private final Map<String, EbsAsyncClient> ebs = new ConcurrentHashMap<>();
    private final Map<String, ServiceQuotasAsyncClient> quotas = new ConcurrentHashMap<>();
    private final Map<String, S3AsyncClient> s3 = new ConcurrentHashMap<>();
    private final int maxAttempts;
    private final StaticCredentialsProvider credentials;
    private final boolean expectContinue;

    Sdk(URI endpoint) {
        this(endpoint, 1);
    }

    /** {@code maxAttempts} > 1 lets the SDK's STANDARD retries absorb throttling and 5xx, as in the services. */
    Sdk(URI endpoint, int maxAttempts) {
        this(endpoint, maxAttempts, "test", true);
    }

    /** Signed with this access key id: another account, where the emulator maps it to one. */
    Sdk(URI endpoint, int maxAttempts, String accessKeyId) {
        this(endpoint, maxAttempts, accessKeyId, true);
    }

    /**
     * {@code expectContinue} false drops the {@code Expect: 100-continue} the S3 client puts on uploads: moto's
     * server (Werkzeug) answers it in a way the SDK's Netty client fails on ("Status Code: 100").
     */
    Sdk(URI endpoint, int maxAttempts, boolean expectContinue) {
        this(endpoint, maxAttempts, "test", expectContinue);
    }

    private Sdk(URI endpoint, int maxAttempts, String accessKeyId, boolean expectContinue) {
        this.endpoint = endpoint;
        this.maxAttempts = maxAttempts;
        this.credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKeyId, "test"));
        this.expectContinue = expectContinue;
    }

    Ec2AsyncClient ec2(String region) {
        return ec2.computeIfAbsent(region, r -> Ec2AsyncClient.builder()
                .region(Region.of(r))
                .endpointOverride(endpoint)
                .credentialsProvider(credentials)
                .httpClient(http)
                .overrideConfiguration(o -> o.retryStrategy(RetryMode.STANDARD)
                        .retryStrategy(b -> b.maxAttempts(maxAttempts))
)
                .build());
    }

    Ec2AsyncClient ec2() {
        return ec2("us-east-1");
    }

    EbsAsyncClient ebs(String region) {
        return ebs.computeIfAbsent(region, r -> EbsAsyncClient.builder()
                .region(Region.of(r))
                .endpointOverride(endpoint)
                .credentialsProvider(credentials)
                .httpClient(http)
                .overrideConfiguration(o -> o.retryStrategy(RetryMode.STANDARD)
                        .retryStrategy(b -> b.maxAttempts(maxAttempts))
)
                .build());
    }

    ServiceQuotasAsyncClient serviceQuotas(String region) {
        return quotas.computeIfAbsent(region, r -> ServiceQuotasAsyncClient.builder()
                .region(Region.of(r))
                .endpointOverride(endpoint)
                .credentialsProvider(credentials)
                .httpClient(http)
                .overrideConfiguration(o -> o.retryStrategy(b -> b.maxAttempts(maxAttempts)))
                .build());
    }

    /**
     * Path-style, as against the emulator's one endpoint; the SDK's defaults otherwise, so every upload carries
     * the CRC32 checksum the SDK (2.30+) sends as an aws-chunked trailer unless told otherwise.
     */
    S3AsyncClient s3(String region) {
        return s3.computeIfAbsent(region, r -> S3AsyncClient.builder()
                .region(Region.of(r))
                .endpointOverride(endpoint)
                .forcePathStyle(true)
                .credentialsProvider(credentials)
                .httpClient(http)
                .overrideConfiguration(o -> {
                    o.retryStrategy(RetryMode.STANDARD).retryStrategy(b -> b.maxAttempts(maxAttempts));
                    if (!expectContinue) {
                        o.addExecutionInterceptor(new ExecutionInterceptor() {
                            @Override
                            public SdkHttpRequest modifyHttpRequest(Context.ModifyHttpRequest context,
                                    ExecutionAttributes attributes) {
                                return context.httpRequest().toBuilder().removeHeader("Expect").build();
                            }
                        });
                    }
                })
                .build());
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String b64(byte[] data) {
        return Base64.getEncoder().encodeToString(data);
    }

    /** A block whose bytes depend on its index. */
    static byte[] block(int index) {
        byte[] data = new byte[BLOCK];
        ByteBuffer buf = ByteBuffer.wrap(data);
        for (int i = 0; i < BLOCK / 8; i += 97) {
            buf.putLong(i * 8, index * 1_000_003L + i);
        }
        return data;
    }

    /** Uploads the given blocks through EBS direct and completes the snapshot; returns its id. */
    String uploadSnapshot(String region, int sizeGiB, Map<Integer, byte[]> blocks, Map<String, String> tags) {
        EbsAsyncClient client = ebs(region);
        StartSnapshotResponse started = client.startSnapshot(b -> b.volumeSize((long) sizeGiB)
                .tags(tags.entrySet().stream().map(e -> software.amazon.awssdk.services.ebs.model.Tag.builder()
                        .key(e.getKey()).value(e.getValue()).build()).toList())
                .description("test upload").timeout(60)).join();
        String id = started.snapshotId();
        List<byte[]> digests = new ArrayList<>();
        blocks.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            byte[] sha = sha256(e.getValue());
            digests.add(sha);
            client.putSnapshotBlock(b -> b.snapshotId(id).blockIndex(e.getKey()).dataLength(BLOCK)
                    .checksum(b64(sha)).checksumAlgorithm(ChecksumAlgorithm.SHA256),
                    AsyncRequestBody.fromBytes(e.getValue())).join();
        });
        MessageDigest agg;
        try {
            agg = MessageDigest.getInstance("SHA-256");
        } catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
        digests.forEach(agg::update);
        client.completeSnapshot(b -> b.snapshotId(id).changedBlocksCount(blocks.size())
                .checksum(b64(agg.digest())).checksumAlgorithm(ChecksumAlgorithm.SHA256)
                .checksumAggregationMethod(ChecksumAggregationMethod.LINEAR)).join();
        return id;
    }

    static RegisterImageRequest fedoraRegistration(String name, String snapshotId) {
        return RegisterImageRequest.builder()
                .name(name)
                .description("Fedora Cloud Base test image")
                .architecture("x86_64")
                .virtualizationType("hvm")
                .rootDeviceName("/dev/sda1")
                .enaSupport(true)
                .sriovNetSupport("simple")
                .bootMode("uefi-preferred")
                .imdsSupport("v2.0")
                .blockDeviceMappings(BlockDeviceMapping.builder().deviceName("/dev/sda1")
                        .ebs(EbsBlockDevice.builder().snapshotId(snapshotId).volumeSize(5).volumeType("gp3")
                                .deleteOnTermination(true).build()).build())
                .build();
    }

    /** The AWS error code behind a failed join(). */
    static String errorCode(Throwable t) {
        Throwable c = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        if (c instanceof software.amazon.awssdk.awscore.exception.AwsServiceException aws) {
            return aws.awsErrorDetails().errorCode();
        }
        return c.toString();
    }

    @Override
    public void close() {
        ec2.values().forEach(Ec2AsyncClient::close);
        ebs.values().forEach(EbsAsyncClient::close);
        quotas.values().forEach(ServiceQuotasAsyncClient::close);
        s3.values().forEach(S3AsyncClient::close);
        http.close();
    }
}
