package org.fedoraproject.fedimg.deploy;

import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import com.github.javaparser.ast.CompilationUnit;
import com.github.javaparser.ast.expr.MethodCallExpr;

import software.amazon.awssdk.services.ebs.EbsAsyncClient;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;
import software.amazon.awssdk.services.ec2.waiters.Ec2AsyncWaiter;

/**
 * The IAM actions a service's code needs, found in its sources. The SDK's own client interfaces are the
 * list of operations: a method of {@link Ec2AsyncClient} or {@link EbsAsyncClient} whose first parameter
 * is a {@code *Request} is an operation, {@code xxxPaginator} pages through {@code xxx}, and a waiter's
 * {@code waitUntilXxx(DescribeYyyRequest)} polls {@code DescribeYyy}. A call of such a method name on any
 * receiver counts: the services wrap the SDK thinly, so a wrapper of the same name is the same action.
 *
 * <p>Some actions are needed without being a call of their own ({@link #impliedActions}): tagging on
 * creation needs {@code ec2:CreateTags}, an encrypted copy or volume needs the KMS grants.
 */
public final class AwsSdkCalls {

    /**
     * The S3 operations fedimg calls (instance-store bundles, issue 22) and the IAM action each needs. S3's
     * actions are not its operations' names (HeadObject is {@code s3:GetObject}, ListObjectsV2 {@code
     * s3:ListBucket}), so they are listed here rather than read from the client; an S3 call not listed here is
     * not seen: add it with its action.
     */
    static final Map<String, String> S3_ACTIONS = Map.ofEntries(
            Map.entry("headBucket", "s3:ListBucket"),
            Map.entry("createBucket", "s3:CreateBucket"),
            Map.entry("putBucketTagging", "s3:PutBucketTagging"),
            Map.entry("getBucketTagging", "s3:GetBucketTagging"),
            Map.entry("listBuckets", "s3:ListAllMyBuckets"),
            Map.entry("headObject", "s3:GetObject"),
            Map.entry("getObject", "s3:GetObject"),
            Map.entry("putObject", "s3:PutObject"),
            Map.entry("getObjectTagging", "s3:GetObjectTagging"),
            Map.entry("listObjectsV2", "s3:ListBucket"),
            Map.entry("listObjectsV2Paginator", "s3:ListBucket"),
            Map.entry("deleteObject", "s3:DeleteObject"),
            Map.entry("deleteObjects", "s3:DeleteObject"));

    private static final Map<String, String> METHOD_TO_ACTION = methodToAction();

    private AwsSdkCalls() {
    }

    /** Action ({@code ec2:DescribeImages}) → the source files calling it, for one service. */
    public static Map<String, Set<String>> calledActions(Path root, ServiceModule service) {
        Map<String, Set<String>> out = new TreeMap<>();
        for (Path sources : service.allSources(root)) {
            for (CompilationUnit unit : JavaSources.parse(sources)) {
                String file = unit.getStorage().map(s -> root.relativize(s.getPath()).toString()).orElse("?");
                for (MethodCallExpr call : unit.findAll(MethodCallExpr.class)) {
                    String action = METHOD_TO_ACTION.get(call.getNameAsString());
                    if (action != null && call.getScope().isPresent()) {
                        out.computeIfAbsent(action, k -> new TreeSet<>()).add(file);
                    }
                }
            }
        }
        return out;
    }

    /**
     * Actions IAM evaluates although the code does not call them: {@code ec2:CreateTags} when a request
     * carries {@code tagSpecifications} (tag on create), the KMS actions EBS uses on the caller's behalf when
     * a request names a {@code kmsKeyId} or when a service that launches instances handles encrypted AMIs
     * (the boot decrypts the snapshot through a grant), {@code iam:PassRole} when an instance gets a profile.
     */
    public static Set<String> impliedActions(Path root, ServiceModule service) {
        Set<String> builderCalls = new TreeSet<>();
        for (Path sources : service.allSources(root)) {
            for (CompilationUnit unit : JavaSources.parse(sources)) {
                unit.findAll(MethodCallExpr.class).forEach(c -> builderCalls.add(c.getNameAsString()));
            }
        }
        Set<String> implied = new TreeSet<>();
        if (builderCalls.contains("tagSpecifications")) {
            implied.add("ec2:CreateTags");
        }
        if (builderCalls.contains("kmsKeyId")) {
            implied.addAll(KMS_FOR_EBS); // encrypted copies with a customer key
        }
        if (builderCalls.contains("encrypted") && calledActions(root, service).containsKey("ec2:RunInstances")) {
            implied.addAll(KMS_FOR_EBS); // booting an encrypted AMI decrypts its snapshot through a grant
        }
        if (builderCalls.contains("iamInstanceProfile")) {
            implied.add("iam:PassRole");
        }
        Set<String> called = calledActions(root, service).keySet();
        if (called.contains("s3:CreateBucket") && builderCalls.contains("objectOwnership")) {
            implied.add("s3:PutBucketOwnershipControls"); // CreateBucket with x-amz-object-ownership
        }
        if (called.contains("s3:PutObject") && builderCalls.contains("acl")) {
            implied.add("s3:PutObjectAcl"); // PutObject with a canned ACL (aws-exec-read)
        }
        if (called.contains("s3:PutObject") && builderCalls.contains("tagging")) {
            implied.add("s3:PutObjectTagging"); // PutObject with x-amz-tagging
        }
        return implied;
    }

    /** What EBS needs from KMS to create encrypted snapshots, volumes and AMI copies with a customer key. */
    public static final Set<String> KMS_FOR_EBS = Set.of("kms:CreateGrant", "kms:Decrypt", "kms:DescribeKey",
            "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncryptFrom", "kms:ReEncryptTo");

    /** Every action the service needs: called and implied. */
    public static Set<String> requiredActions(Path root, ServiceModule service) {
        Set<String> all = new TreeSet<>(calledActions(root, service).keySet());
        all.addAll(impliedActions(root, service));
        return all;
    }

    public static Collection<String> knownActions() {
        return new TreeSet<>(METHOD_TO_ACTION.values());
    }

    private static Map<String, String> methodToAction() {
        Map<String, String> map = new HashMap<>(S3_ACTIONS);
        addOperations(map, Ec2AsyncClient.class, "ec2");
        addOperations(map, EbsAsyncClient.class, "ebs");
        addOperations(map, software.amazon.awssdk.services.servicequotas.ServiceQuotasAsyncClient.class, "servicequotas");
        for (Method m : Ec2AsyncWaiter.class.getMethods()) {
            Class<?>[] p = m.getParameterTypes();
            if (m.getName().startsWith("waitUntil") && p.length == 1 && p[0].getSimpleName().endsWith("Request")) {
                String op = p[0].getSimpleName().replaceFirst("Request$", "");
                map.putIfAbsent(m.getName(), "ec2:" + op);
            }
        }
        return map;
    }

    private static void addOperations(Map<String, String> map, Class<?> client, String prefix) {
        for (Method m : client.getMethods()) {
            // an operation takes its request first (streaming ones add a body or a response transformer)
            Class<?>[] p = m.getParameterTypes();
            if (p.length == 0 || !p[0].getSimpleName().endsWith("Request")
                    || !p[0].getPackageName().endsWith(".model")) {
                continue;
            }
            String op = p[0].getSimpleName().replaceFirst("Request$", "");
            String name = m.getName();
            String action = prefix + ":" + op;
            String previous = map.put(name, action);
            if (previous != null && !previous.equals(action)) {
                throw new IllegalStateException(name + " is both " + previous + " and " + action);
            }
        }
    }
}
