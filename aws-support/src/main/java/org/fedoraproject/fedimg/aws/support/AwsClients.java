package org.fedoraproject.fedimg.aws.support;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsAsyncClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.SdkEventLoopGroup;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ebs.EbsAsyncClient;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.servicequotas.ServiceQuotasAsyncClient;

/**
 * One async EC2, one EBS direct and one S3 client per region, all sharing one Netty HTTP client. Throttling, 5xx and
 * transport errors are retried here, by the SDK's STANDARD strategy, and nowhere else; callers retry only
 * semantic conditions (eventual consistency) with an exception filter ({@link AwsErrors}).
 */
public final class AwsClients implements AutoCloseable {

    /** How long an idle pooled connection is kept: the SDK's default for its other HTTP clients. */
    static final Duration CONNECTION_MAX_IDLE = Duration.ofSeconds(60);

    private final AwsConfig config;
    private final SdkAsyncHttpClient http;
    private final AwsCredentialsProvider credentials;
    private final ExecutionInterceptor metrics;
    private final Map<String, Ec2AsyncClient> ec2 = new ConcurrentHashMap<>();
    private final Map<String, EbsAsyncClient> ebs = new ConcurrentHashMap<>();
    private final Map<String, S3AsyncClient> s3 = new ConcurrentHashMap<>();
    private final Map<String, ServiceQuotasAsyncClient> quotas = new ConcurrentHashMap<>();

    public AwsClients(AwsConfig config, ExecutionInterceptor metrics) {
        this.config = config;
        this.metrics = metrics;
        this.http = NettyNioAsyncHttpClient.builder()
                .maxConcurrency(config.maxConnections())
                // the Netty client's own default is 5 s (the SDK's is 60 s): an EBS upload's pool grows past
                // its steady size in bursts, and every connection reaped 5 s later is a new TCP and TLS
                // handshake at the next burst
                .connectionMaxIdleTime(CONNECTION_MAX_IDLE)
                .eventLoopGroupBuilder(SdkEventLoopGroup.builder().numberOfThreads(eventLoopThreads()))
                .build();
        this.credentials = config.staticCredentials()
                .<AwsCredentialsProvider>map(c -> StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(c.accessKeyId(), c.secretAccessKey())))
                .orElseGet(DefaultCredentialsProvider::create);
    }

    /**
     * Half the CPUs, at least one (the SDK's default is twice the CPUs). The uploader's heaviest user, an
     * EBS upload, needs about a fifth of one event loop's CPU at full speed (TLS, framing, responses), and
     * decompression wants a whole CPU beside it: more event loops only add threads that wake at once and
     * take the CPU from the decoder.
     */
    static int eventLoopThreads() {
        return Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    }

    public AwsConfig config() {
        return config;
    }

    public String baseRegion() {
        return config.baseRegion();
    }

    public Ec2AsyncClient ec2(String region) {
        return ec2.computeIfAbsent(region, r -> configure(Ec2AsyncClient.builder(), r).build());
    }

    public EbsAsyncClient ebs(String region) {
        return ebs.computeIfAbsent(region, r -> configure(EbsAsyncClient.builder(), r).build());
    }

    /**
     * S3 in that region (instance-store bundles). With an endpoint override (the emulator, or any S3 without
     * DNS-style bucket hosts) requests are path-style.
     */
    public S3AsyncClient s3(String region) {
        return s3.computeIfAbsent(region, r -> configure(S3AsyncClient.builder(), r)
                .forcePathStyle(config.endpointOverride().isPresent()).build());
    }

    /** Service Quotas in a region (the public AMI quota); the same endpoint override as EC2. */
    public ServiceQuotasAsyncClient serviceQuotas(String region) {
        return quotas.computeIfAbsent(region, r -> configure(ServiceQuotasAsyncClient.builder(), r).build());
    }

    /** Applies region, endpoint, credentials, retries, timeouts and metrics to any async client builder. */
    private <B extends AwsClientBuilder<B, ?> & AwsAsyncClientBuilder<B, ?>> B configure(B builder, String region) {
        builder.region(Region.of(region))
                .credentialsProvider(credentials)
                .httpClient(http)
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .retryStrategy(RetryMode.STANDARD)
                        .retryStrategy(b -> b.maxAttempts(config.maxAttempts()))
                        .apiCallAttemptTimeout(config.apiCallAttemptTimeout())
                        .apiCallTimeout(config.apiCallTimeout())
                        .addExecutionInterceptor(metrics)
                        .build());
        config.endpointOverride().ifPresent(builder::endpointOverride);
        return builder;
    }

    @Override
    public void close() {
        ec2.values().forEach(Ec2AsyncClient::close);
        ebs.values().forEach(EbsAsyncClient::close);
        s3.values().forEach(S3AsyncClient::close);
        quotas.values().forEach(ServiceQuotasAsyncClient::close);
        http.close();
    }
}
