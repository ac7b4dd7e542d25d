package org.fedoraproject.fedimg.tester.support;

import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

import org.eclipse.microprofile.config.ConfigProvider;
import org.fedoraproject.fedimg.events.AmiRegistered;
import org.fedoraproject.fedimg.events.AmiTested;
import org.fedoraproject.fedimg.events.DeadLetter;
import org.fedoraproject.fedimg.events.StageStatus;
import org.fedoraproject.fedimg.messaging.EventJson;
import org.fedoraproject.fedimg.testing.TopicProbe;
import org.fedoraproject.fedimg.testing.TopicProbe.Received;

/**
 * The test profile gives every application start its own topics (see application.properties), so test runs
 * against a shared broker never read each other's events. This reads the names from the running config.
 */
public final class Topics {

    private final TopicProbe probe;
    public final String registered;
    public final String tested;
    public final String status;
    public final String deadLetter;

    public Topics(TopicProbe probe) {
        this(probe, channelTopic("incoming", "amis-registered"), channelTopic("outgoing", "amis-tested"),
                channelTopic("outgoing", "status"), channelTopic("outgoing", "dead-letter"));
    }

    public Topics(TopicProbe probe, String registered, String tested, String status, String deadLetter) {
        this.probe = probe;
        this.registered = registered;
        this.tested = tested;
        this.status = status;
        this.deadLetter = deadLetter;
    }

    private static String channelTopic(String direction, String channel) {
        return ConfigProvider.getConfig().getValue("mp.messaging." + direction + "." + channel + ".topic", String.class);
    }

    public void send(AmiRegistered event) {
        probe.sendRaw(registered, event.kafkaKey(), EventJson.write(event));
    }

    public void sendRaw(String key, byte[] value) {
        probe.sendRaw(registered, key, value);
    }

    public List<AmiTested> awaitTested(String imageKey, int count, Duration timeout) {
        Predicate<List<Received>> done = all -> tested(all, imageKey).size() >= count;
        return tested(probe.readUntil(tested, timeout, done), imageKey);
    }

    public List<AmiTested> testedNow(String imageKey, Duration quiet) {
        return tested(probe.readAll(tested, quiet), imageKey);
    }

    public List<StageStatus> statuses(String imageKey, Duration quiet) {
        return probe.readAll(status, quiet).stream().map(r -> EventJson.read(r.value(), StageStatus.class))
                .filter(s -> imageKey.equals(s.imageKey())).toList();
    }

    public List<StageStatus> awaitStatuses(String imageKey, Predicate<List<StageStatus>> done, Duration timeout) {
        return probe.readUntil(status, timeout, all -> done.test(statusOf(all, imageKey))).stream()
                .map(r -> EventJson.read(r.value(), StageStatus.class)).filter(s -> imageKey.equals(s.imageKey()))
                .toList();
    }

    public List<DeadLetter> awaitDeadLetters(Predicate<DeadLetter> which, int count, Duration timeout) {
        return probe.readUntil(deadLetter, timeout, all -> letters(all, which).size() >= count).stream()
                .map(r -> EventJson.read(r.value(), DeadLetter.class)).filter(which).toList();
    }

    private static List<DeadLetter> letters(List<Received> all, Predicate<DeadLetter> which) {
        return all.stream().map(r -> EventJson.read(r.value(), DeadLetter.class)).filter(which).toList();
    }

    private static List<StageStatus> statusOf(List<Received> all, String imageKey) {
        return all.stream().map(r -> EventJson.read(r.value(), StageStatus.class))
                .filter(s -> imageKey.equals(s.imageKey())).toList();
    }

    private static List<AmiTested> tested(List<Received> all, String imageKey) {
        return all.stream().map(r -> EventJson.read(r.value(), AmiTested.class))
                .filter(t -> imageKey.equals(t.imageKey())).toList();
    }
}
