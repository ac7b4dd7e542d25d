package org.fedoraproject.fedimg.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Signals at a call boundary: before (the call refused, no effect) or after (the effect, then the signal). */
class CallSignalsTest extends EmulatorTest {

    @Test
    void beforeRefusesTheCallAfterLetsItActFirstAndOnlyTheGivenKeyCounts() {
        List<CallSignals.Call> fired = new CopyOnWriteArrayList<>();
        try (Sdk uploader = new Sdk(aws.endpoint(), 1, "uploader-1"); Sdk other = new Sdk(aws.endpoint(), 1, "tester-1")) {
            aws.faults().signalAt("CreateKeyPair", "uploader-1", 2, CallSignals.When.BEFORE, fired::add);
            other.ec2(US_EAST_1).createKeyPair(b -> b.keyName("other-1")).join();  // another key: not counted
            uploader.ec2(US_EAST_1).createKeyPair(b -> b.keyName("first")).join(); // the 1st call: no signal
            assertThat(fired).isEmpty();
            assertAwsError(() -> uploader.ec2(US_EAST_1).createKeyPair(b -> b.keyName("second")).join(), "InternalError");
            assertThat(fired).containsExactly(new CallSignals.Call("CreateKeyPair", US_EAST_1, "uploader-1", 2,
                    CallSignals.When.BEFORE));
            assertThat(aws.inspect().keyPairs(US_EAST_1)).extracting(k -> k.name())
                    .contains("first", "other-1").doesNotContain("second");
            uploader.ec2(US_EAST_1).createKeyPair(b -> b.keyName("third")).join(); // one shot

            aws.faults().signalAt("CreateKeyPair", null, 1, CallSignals.When.AFTER, call -> {
                // the effect is there when the signal runs, before the caller has its answer
                assertThat(aws.inspect().keyPairs(US_EAST_1)).extracting(k -> k.name()).contains("after");
                fired.add(call);
            });
            other.ec2(US_EAST_1).createKeyPair(b -> b.keyName("after")).join();
            assertThat(fired).hasSize(2).last().extracting(CallSignals.Call::accessKey, CallSignals.Call::when)
                    .containsExactly("tester-1", CallSignals.When.AFTER);
            assertThat(aws.faults().signals().pending()).isZero();
            assertThat(aws.inspect().callsByAccessKey().get("uploader-1")).containsEntry("CreateKeyPair", 3L);
            assertThat(aws.inspect().callsByAccessKey().get("tester-1")).containsEntry("CreateKeyPair", 2L);
        }
    }

    @Test
    void s3CallsSignalTooSoACrashTestCanStopBetweenTwoPartUploads() {
        List<CallSignals.Call> fired = new CopyOnWriteArrayList<>();
        try (Sdk uploader = new Sdk(aws.endpoint(), 1, "uploader-1")) {
            var s3 = uploader.s3(US_EAST_1);
            s3.createBucket(b -> b.bucket("signals")).join();
            aws.faults().signalAt("PutObject", "uploader-1", 1, CallSignals.When.BEFORE, fired::add);
            assertAwsError(() -> s3.putObject(b -> b.bucket("signals").key("part.0"),
                    software.amazon.awssdk.core.async.AsyncRequestBody.fromString("zero")).join(), "InternalError");
            assertThat(aws.inspect().objects("signals")).isEmpty(); // refused without effect
            aws.faults().signalAt("PutObject", "uploader-1", 2, CallSignals.When.AFTER, call -> {
                assertThat(aws.inspect().objects("signals")).extracting(Views.S3Object::key).contains("part.1");
                fired.add(call);
            });
            s3.putObject(b -> b.bucket("signals").key("part.0"),
                    software.amazon.awssdk.core.async.AsyncRequestBody.fromString("zero")).join();
            s3.putObject(b -> b.bucket("signals").key("part.1"),
                    software.amazon.awssdk.core.async.AsyncRequestBody.fromString("one")).join();
            assertThat(fired).extracting(CallSignals.Call::action, CallSignals.Call::region, CallSignals.Call::nth,
                    CallSignals.Call::when).containsExactly(
                            org.assertj.core.groups.Tuple.tuple("PutObject", US_EAST_1, 1, CallSignals.When.BEFORE),
                            org.assertj.core.groups.Tuple.tuple("PutObject", US_EAST_1, 2, CallSignals.When.AFTER));
            assertThat(aws.inspect().callsByAccessKey().get("uploader-1")).containsEntry("PutObject", 3L);
        }
    }

    @Test
    void overHttpTheSignalIsAFileAndTheCallWaitsUntilItIsGone(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("signal.json");
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> armed = http.send(HttpRequest.newBuilder(URI.create(aws.endpoint() + "/_emulator/faults"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"signal\": [{\"action\": \"StartSnapshot\", \"nth\": 1, "
                        + "\"when\": \"after\", \"file\": \"" + file + "\", \"hold\": \"PT30S\"}]}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(armed.statusCode()).isEqualTo(200);
        CompletableFuture<?> call = sdk.ebs(US_EAST_1).startSnapshot(b -> b.volumeSize(1L));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!Files.exists(file) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(Files.readString(file)).contains("\"action\":\"StartSnapshot\"", "\"when\":\"AFTER\"", "\"nth\":1");
        Thread.sleep(300);
        assertThat(call).as("held while the file is there").isNotDone();
        assertThat(aws.inspect().snapshots(US_EAST_1)).hasSize(1); // it acted already
        Files.delete(file);
        call.get(10, TimeUnit.SECONDS);
        HttpResponse<String> calls = http.send(HttpRequest.newBuilder(URI.create(aws.endpoint()
                + "/_emulator/calls-by-access-key")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(calls.body()).contains("\"StartSnapshot\":1");
    }
}
