package org.fedoraproject.fedimg.tester.aws;

import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import org.fedoraproject.fedimg.aws.support.AwsClients;
import org.fedoraproject.fedimg.aws.support.Ec2Tags;
import org.fedoraproject.fedimg.tester.domain.ResultMarker;
import org.fedoraproject.fedimg.tester.domain.TestOutcome;
import org.fedoraproject.fedimg.tester.domain.TestTags;

import io.smallrye.mutiny.Uni;

/** Writes the test state onto AMIs. CreateTags overwrites, so writing the same state twice is harmless. */
@ApplicationScoped
public class ResultTags {

    private final AwsClients aws;

    ResultTags(AwsClients aws) {
        this.aws = aws;
    }

    /** Records that attempt {@code attempt} is about to be launched; done before RunInstances. */
    public Uni<Void> markAttempt(String region, String amiId, int attempt) {
        return write(region, List.of(amiId), Map.of(TestTags.ATTEMPT, String.valueOf(attempt)));
    }

    /** The verdict, on the booted AMI and on every AMI it stands for. */
    public Uni<Void> recordVerdict(String region, List<String> amiIds, TestOutcome outcome) {
        return write(region, amiIds, ResultMarker.tags(outcome));
    }

    private Uni<Void> write(String region, List<String> amiIds, Map<String, String> tags) {
        return Uni.createFrom().completionStage(() -> aws.ec2(region).createTags(b -> b.resources(amiIds).tags(Ec2Tags.ec2(tags))))
                .replaceWithVoid();
    }
}
