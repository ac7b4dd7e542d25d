package org.fedoraproject.fedimg.tester.job;

import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import org.fedoraproject.fedimg.messaging.KeyedTurns;

import io.smallrye.mutiny.Uni;

/**
 * The AMIs this process is testing right now, one job per AMI at a time: a second delivery of a record still in
 * work waits for the first and then finds its verdict recorded. The sweep leaves active AMIs alone.
 */
@ApplicationScoped
public class ActiveJobs {

    private final KeyedTurns turns = new KeyedTurns();

    public <T> Uni<T> exclusive(String amiId, Supplier<Uni<T>> work) {
        return turns.run(amiId, work);
    }

    public boolean isActive(String amiId) {
        return turns.busy(amiId);
    }
}
