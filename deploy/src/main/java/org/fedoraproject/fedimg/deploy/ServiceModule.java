package org.fedoraproject.fedimg.deploy;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * One of the four services as the deployment sees it: its Maven module (= Kubernetes name, image name
 * suffix and Prometheus job), and the IAM policy file of those that call AWS.
 */
public record ServiceModule(String module, Optional<String> iamPolicy) {

    public static final List<ServiceModule> ALL = List.of(
            new ServiceModule("bridge-fedmsg", Optional.empty()),
            new ServiceModule("uploader-service", Optional.of("uploader-policy.json")),
            new ServiceModule("tester-service", Optional.of("tester-policy.json")),
            new ServiceModule("replicator-service", Optional.of("replicator-policy.json")));

    public static final String IMAGE_REPOSITORY = "quay.io/fedora/fedimg-";
    public static final int HTTP_PORT = 8080;

    public String image() {
        return IMAGE_REPOSITORY + module;
    }

    public boolean callsAws() {
        return iamPolicy.isPresent();
    }

    public Path mainSources(Path root) {
        return root.resolve(module).resolve("src/main/java");
    }

    /**
     * The shared code that runs in this service: {@code common}, {@code aws-support} where it calls AWS, and
     * {@code lifecycle}'s decisions and shared steps in the replicator (quota-aware publishing).
     */
    public List<Path> sharedSources(Path root) {
        Path common = root.resolve("common/src/main/java");
        if (module.equals("replicator-service")) {
            Path lifecycle = root.resolve("lifecycle/src/main/java/org/fedoraproject/fedimg/lifecycle");
            // not lifecycle/job: the lifecycle job (fedimg lifecycle) runs with its own role, lifecycle-policy.json
            return List.of(common, root.resolve("aws-support/src/main/java"), lifecycle.resolve("domain"), lifecycle.resolve("aws"));
        }
        return callsAws() ? List.of(common, root.resolve("aws-support/src/main/java")) : List.of(common);
    }

    /** Its own sources and the shared ones. */
    public List<Path> allSources(Path root) {
        List<Path> all = new java.util.ArrayList<>(List.of(mainSources(root)));
        all.addAll(sharedSources(root));
        return all;
    }

    public Path applicationProperties(Path root) {
        return root.resolve(module).resolve("src/main/resources/application.properties");
    }

    public static ServiceModule named(String module) {
        return ALL.stream().filter(s -> s.module.equals(module)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("not a fedimg service: " + module));
    }
}
