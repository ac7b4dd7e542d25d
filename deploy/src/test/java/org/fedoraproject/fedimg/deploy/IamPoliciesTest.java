package org.fedoraproject.fedimg.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Least privilege, checked against the code: each AWS-using service's policy allows exactly the EC2/EBS
 * actions its sources call (plus those IAM evaluates on their behalf: tag on create, KMS grants), and
 * destroys or modifies only resources tagged as fedimg's.
 */
class IamPoliciesTest {

    static final Path IAM = Paths.DEPLOY.resolve("iam");
    static final String OURS = "aws:ResourceTag/fedimg:created-by";

    @Test
    void eachPolicyAllowsExactlyWhatItsServiceCalls() {
        List<String> problems = new ArrayList<>();
        for (ServiceModule s : ServiceModule.ALL) {
            if (!s.callsAws()) {
                continue;
            }
            Map<String, Set<String>> called = AwsSdkCalls.calledActions(Paths.ROOT, s);
            assertThat(called).as(s.module() + " calls AWS").isNotEmpty();
            Set<String> required = AwsSdkCalls.requiredActions(Paths.ROOT, s);
            Set<String> allowed = allowedActions(IAM.resolve(s.iamPolicy().orElseThrow()));
            for (String a : required) {
                if (!allowed.contains(a)) {
                    problems.add(s.iamPolicy().get() + " lacks " + a + " (called in " + called.getOrDefault(a, Set.of("implied")) + ")");
                }
            }
            for (String a : allowed) {
                if (!required.contains(a)) {
                    problems.add(s.iamPolicy().get() + " allows " + a + ", which " + s.module() + " never calls");
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void servicesWithoutAPolicyCallNoAws() {
        for (ServiceModule s : ServiceModule.ALL) {
            if (!s.callsAws()) {
                assertThat(AwsSdkCalls.calledActions(Paths.ROOT, s)).as(s.module()).isEmpty();
            }
        }
    }

    @Test
    void destructiveAndModifyingActionsOnlyTouchFedimgResources() {
        for (Path policy : policies()) {
            for (JsonNode st : statements(policy)) {
                if (!st.path("Effect").asText().equals("Allow")) {
                    continue;
                }
                for (String action : actions(st)) {
                    String op = action.substring(action.indexOf(':') + 1);
                    boolean destructive = op.startsWith("Delete") || op.startsWith("Deregister")
                            || op.startsWith("Terminate") || op.startsWith("Detach") || op.startsWith("Modify")
                            || op.startsWith("Authorize") || op.equals("PutSnapshotBlock")
                            || op.equals("CompleteSnapshot") || op.equals("GetConsoleOutput")
                            || op.equals("EnableImageDeprecation");
                    if (destructive && action.startsWith("s3:")) {
                        // S3 objects have no aws:ResourceTag: their own tags are s3:ExistingObjectTag
                        assertThat(st.at("/Condition/StringEquals").path("s3:ExistingObjectTag/fedimg:created-by").asText())
                                .as(policy.getFileName() + " " + st.path("Sid").asText() + " " + action).isEqualTo("fedimg");
                    } else if (destructive) {
                        assertThat(st.at("/Condition/StringEquals").path(OURS).asText())
                                .as(policy.getFileName() + " " + st.path("Sid").asText() + " " + action).isEqualTo("fedimg");
                    }
                }
            }
        }
    }

    @Test
    void onlyTestedAmisCanBeMadePublicAndTheJanitorNeverRemovesThem() {
        JsonNode publish = statements(IAM.resolve("replicator-policy.json")).stream()
                .filter(st -> actions(st).contains("ec2:ModifyImageAttribute")).findFirst().orElseThrow();
        assertThat(publish.at("/Condition/StringEquals").path("aws:ResourceTag/fedimg:test").asText()).isEqualTo("passed");
        // and the replicator's code writes exactly that tag before publishing
        assertThat(source("replicator-service")).contains("AwsTags.TEST_VERDICT, \"passed\"");
        JsonNode deny = statements(IAM.resolve("janitor-policy.json")).stream()
                .filter(st -> st.path("Effect").asText().equals("Deny")).findFirst().orElseThrow();
        assertThat(actions(deny)).contains("ec2:DeregisterImage", "ec2:DeleteSnapshot");
        assertThat(deny.at("/Condition/StringEquals").path("aws:ResourceTag/fedimg:test").asText()).isEqualTo("passed");
    }

    @Test
    void policiesAreWellFormed() {
        for (Path policy : policies()) {
            JsonNode doc = Material.json(policy);
            assertThat(doc.path("Version").asText()).isEqualTo("2012-10-17");
            Set<String> sids = new TreeSet<>();
            for (JsonNode st : statements(policy)) {
                assertThat(sids.add(st.path("Sid").asText())).as("unique Sid " + st.path("Sid")).isTrue();
                assertThat(st.path("Sid").asText()).matches("[A-Za-z0-9]+");
                assertThat(st.has("NotAction")).isFalse();
                for (String a : actions(st)) {
                    assertThat(a).as("no wildcard actions").matches("(ec2|ebs|kms|iam|s3|servicequotas):[A-Za-z0-9]+");
                }
                // a tag the services put on everything: the constant must still be spelled this way
                st.path("Condition").toString().lines().forEach(l -> assertThat(l).doesNotContain("created_by"));
            }
        }
        assertThat(source("common")).contains("CREATED_BY = \"fedimg:created-by\"", "CREATED_BY_VALUE = \"fedimg\"",
                "TEST_VERDICT = \"fedimg:test\"");
    }

    // ------------------------------------------------------------------ the scanner itself

    @Test
    void scannerFindsOperationsWaitersPaginatorsAndImpliedActions(@TempDir Path root) throws Exception {
        Path src = Files.createDirectories(root.resolve("uploader-service/src/main/java/x/aws"));
        Files.createDirectories(root.resolve("common/src/main/java"));
        Files.writeString(src.resolve("Steps.java"), """
                package x.aws;
                class Steps {
                    void run(software.amazon.awssdk.services.ec2.Ec2AsyncClient ec2,
                             software.amazon.awssdk.services.ebs.EbsAsyncClient ebs) {
                        ec2.describeImages(b -> b.owners("self"));
                        ec2.waiter().waitUntilSnapshotCompleted(b -> b.snapshotIds("snap-1"));
                        ec2.describeInstancesPaginator(b -> {});
                        ebs.putSnapshotBlock(null, null);
                        ec2.copySnapshot(b -> b.kmsKeyId("k").tagSpecifications(t -> {}));
                        describeImages(); // our own method, no receiver: not an AWS call
                    }
                    void describeImages() { }
                }
                """);
        ServiceModule uploader = ServiceModule.named("uploader-service");
        assertThat(AwsSdkCalls.calledActions(root, uploader).keySet()).containsExactlyInAnyOrder(
                "ec2:DescribeImages", "ec2:DescribeSnapshots", "ec2:DescribeInstances", "ebs:PutSnapshotBlock",
                "ec2:CopySnapshot");
        assertThat(AwsSdkCalls.impliedActions(root, uploader)).contains("ec2:CreateTags", "kms:CreateGrant")
                .doesNotContain("iam:PassRole");
    }

    static List<Path> policies() {
        return DashboardMetrics.files(IAM, "-policy.json");
    }

    static Set<String> allowedActions(Path policy) {
        Set<String> out = new TreeSet<>();
        for (JsonNode st : statements(policy)) {
            if (st.path("Effect").asText().equals("Allow")) {
                out.addAll(actions(st));
            }
        }
        return out;
    }

    static List<JsonNode> statements(Path policy) {
        List<JsonNode> out = new ArrayList<>();
        Material.json(policy).path("Statement").forEach(out::add);
        return out;
    }

    static List<String> actions(JsonNode statement) {
        JsonNode a = statement.path("Action");
        List<String> out = new ArrayList<>();
        if (a.isArray()) {
            a.forEach(x -> out.add(x.asText()));
        } else {
            out.add(a.asText());
        }
        return out;
    }

    private static String source(String module) {
        StringBuilder b = new StringBuilder();
        for (var unit : JavaSources.parse(Paths.ROOT.resolve(module).resolve("src/main/java"))) {
            b.append(unit.toString());
        }
        return b.toString();
    }
}
