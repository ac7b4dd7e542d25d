package org.fedoraproject.fedimg.tester.job;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

/** The AMIs this process is testing right now; the sweep leaves their resources alone. */
@ApplicationScoped
public class ActiveJobs {

    private final Set<String> amis = ConcurrentHashMap.newKeySet();

    public void start(String amiId) {
        amis.add(amiId);
    }

    public void end(String amiId) {
        amis.remove(amiId);
    }

    public boolean isActive(String amiId) {
        return amis.contains(amiId);
    }
}
