package org.fedoraproject.fedimg.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;

import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ebs.EbsAsyncClient;
import software.amazon.awssdk.services.ebs.model.Block;
import software.amazon.awssdk.services.ebs.model.ChecksumAggregationMethod;
import software.amazon.awssdk.services.ebs.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.ebs.model.GetSnapshotBlockResponse;

/** {@code tls(...)}: the same EBS direct API over HTTPS, which is how the SDK signs against AWS (unsigned bodies). */
class TlsTest {

    @Test
    void servesEbsDirectOverHttps(@TempDir Path dir) throws Exception {
        Path keyStore = dir.resolve("emulator.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "emulator", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-storetype", "PKCS12", "-keystore",
                keyStore.toString(), "-storepass", "test-only", "-keypass", "test-only").inheritIO().start();
        assertThat(keytool.waitFor()).isZero();
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            trusted.load(in, "test-only".toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trusted);

        try (AwsEmulator aws = AwsEmulator.builder().regions(List.of("us-east-1"))
                .tls(keyStore, "test-only".toCharArray()).build().start();
                SdkAsyncHttpClient http = NettyNioAsyncHttpClient.builder().tlsTrustManagersProvider(tmf::getTrustManagers)
                        .build();
                EbsAsyncClient ebs = EbsAsyncClient.builder().region(Region.US_EAST_1).endpointOverride(aws.endpoint())
                        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                        .httpClient(http).build()) {
            assertThat(aws.endpoint().getScheme()).isEqualTo("https");
            String snap = ebs.startSnapshot(b -> b.volumeSize(1L).timeout(60)).join().snapshotId();
            byte[] data = Sdk.block(7);
            byte[] sha = Sdk.sha256(data);
            ebs.putSnapshotBlock(b -> b.snapshotId(snap).blockIndex(7).dataLength(Sdk.BLOCK).checksum(Sdk.b64(sha))
                    .checksumAlgorithm(ChecksumAlgorithm.SHA256), AsyncRequestBody.fromBytes(data)).join();
            ebs.completeSnapshot(b -> b.snapshotId(snap).changedBlocksCount(1)
                    .checksum(Sdk.b64(Sdk.sha256(sha))).checksumAlgorithm(ChecksumAlgorithm.SHA256)
                    .checksumAggregationMethod(ChecksumAggregationMethod.LINEAR)).join();
            List<Block> blocks = ebs.listSnapshotBlocks(b -> b.snapshotId(snap)).join().blocks();
            assertThat(blocks).extracting(Block::blockIndex).containsExactly(7);
            ResponseBytes<GetSnapshotBlockResponse> got = ebs.getSnapshotBlock(b -> b.snapshotId(snap).blockIndex(7)
                    .blockToken(blocks.get(0).blockToken()), AsyncResponseTransformer.toBytes()).join();
            assertThat(got.asByteArray()).isEqualTo(data);
            assertThat(aws.inspect().snapshot("us-east-1", snap).orElseThrow().storedBlocks()).isEqualTo(1);
        }
    }
}
