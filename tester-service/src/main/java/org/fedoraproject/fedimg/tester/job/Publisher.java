package org.fedoraproject.fedimg.tester.job;

import org.fedoraproject.fedimg.events.AmiRegistered;
import org.fedoraproject.fedimg.tester.domain.TestOutcome;

import io.smallrye.mutiny.Uni;

/** Where a job's events go; each Uni completes when the broker has the record. */
public interface Publisher {

    Uni<Void> started(AmiRegistered event, String testedAmiId, int attempt);

    Uni<Void> verdict(AmiRegistered event, TestOutcome outcome);
}
