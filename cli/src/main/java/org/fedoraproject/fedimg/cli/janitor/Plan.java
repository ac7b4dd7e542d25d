package org.fedoraproject.fedimg.cli.janitor;

import java.util.Comparator;
import java.util.List;

/**
 * Every fedimg-tagged resource with its decision, plus the AMIs and snapshots that would be deleted if
 * their launch or create-volume permissions were known to be private: the inventory reads those and the
 * rules run again.
 */
public record Plan(List<Finding> findings, List<Resource> visibilityToCheck) {

    public Plan {
        findings = findings.stream()
                .sorted(Comparator.comparing((Finding f) -> f.resource().region())
                        .thenComparing(f -> f.resource().type())
                        .thenComparing(f -> f.resource().id()))
                .toList();
        visibilityToCheck = List.copyOf(visibilityToCheck);
    }

    public List<Finding> with(Finding.Action action) {
        return findings.stream().filter(f -> f.action() == action).toList();
    }

    public List<Finding> actionable() {
        return findings.stream().filter(f -> f.action() != Finding.Action.KEEP).toList();
    }
}
