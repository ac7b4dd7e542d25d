package org.fedoraproject.fedimg.tester.aws;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import jakarta.enterprise.context.ApplicationScoped;

import org.fedoraproject.fedimg.aws.support.AwsClients;

import io.smallrye.mutiny.Uni;

/** GetConsoleOutput with {@code Latest}: the most recent console (64 KiB on Nitro), decoded; "" while empty. */
@ApplicationScoped
public class ConsoleReader {

    private final AwsClients aws;

    ConsoleReader(AwsClients aws) {
        this.aws = aws;
    }

    public Uni<String> latest(String region, String instanceId) {
        return Uni.createFrom().completionStage(() -> aws.ec2(region).getConsoleOutput(b -> b.instanceId(instanceId).latest(true)))
                .map(r -> r.output() == null || r.output().isEmpty() ? ""
                        : new String(Base64.getMimeDecoder().decode(r.output()), StandardCharsets.UTF_8));
    }

    /** The console for evidence: never fails the caller (the instance may already be gone). */
    public Uni<String> evidence(String region, String instanceId) {
        if (instanceId == null) {
            return Uni.createFrom().item("");
        }
        return latest(region, instanceId).onFailure().recoverWithItem("");
    }
}
