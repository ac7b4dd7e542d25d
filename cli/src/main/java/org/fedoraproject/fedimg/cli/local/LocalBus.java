package org.fedoraproject.fedimg.cli.local;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The Fedora bus of a local run ({@code --bus}): local mode announces its compose on it, the bridge consumes the
 * announcement from it and publishes the fedimg and successor messages on it, and local mode listens to those.
 */
public interface LocalBus extends AutoCloseable {

    /** The default URL of {@code --bus amqp}: the machine's RabbitMQ, as fedora-messaging's default. */
    String DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/%2F";
    String AMQP_URL_KEY = "fedimg.bridge.amqp.url";

    /**
     * Topic names of one run: {@code <prefix>.<environment>.<...>}. The environment is the run's own, so that runs
     * sharing a broker never see each other's messages.
     */
    record Topics(String prefix, String environment) {

        public String compose() {
            return prefix + "." + environment + ".pungi.compose.status.change";
        }

        /** What the bridge publishes: the fedimg 2.x messages and the successor's. */
        public List<String> outbound() {
            return List.of(prefix + "." + environment + ".fedimg.", prefix + "." + environment + ".fedora_image_uploader.");
        }
    }

    /** For people, without any password. */
    String describe();

    /** The bridge's keys for consuming the compose messages of {@code topics} from this bus and publishing on it. */
    Map<String, String> bridgeConfig(Topics topics);

    /**
     * Sends a pungi message; the same {@code msgId} again is a redelivery the bridge deduplicates.
     *
     * @return true when the bus confirms a subscriber's queue has it (AMQP); false when it cannot tell (fedmsg)
     */
    boolean publish(String topic, Map<String, Object> body, String msgId);

    /** From now on, hands the topic of every message the bridge publishes under {@code topics} to {@code listener}. */
    void listen(Topics topics, Consumer<String> listener);

    @Override
    void close();

    /**
     * {@code fedmsg}, {@code amqp} (the URL in {@code --config}'s {@value #AMQP_URL_KEY}, else
     * {@value #DEFAULT_AMQP_URL}) or an {@code amqp://} / {@code amqps://} URL without a password: a password on
     * the command line would show in {@code ps}.
     */
    static LocalBus open(String spec, Map<String, String> userConfig) {
        String configured = userConfig.get(AMQP_URL_KEY);
        if ("fedmsg".equals(spec)) {
            return new FedmsgBus();
        }
        if ("amqp".equals(spec)) {
            return new AmqpBus(configured != null ? configured : DEFAULT_AMQP_URL);
        }
        if (spec.startsWith("amqp://") || spec.startsWith("amqps://")) {
            String userInfo = java.net.URI.create(spec).getRawUserInfo();
            if (userInfo != null && userInfo.contains(":")) {
                throw new IllegalArgumentException("--bus: a password on the command line shows in ps; put the URL in"
                        + " --config as " + AMQP_URL_KEY + " and use --bus amqp");
            }
            if (configured != null && !configured.equals(spec)) {
                throw new IllegalArgumentException("--bus " + spec + " and --config's " + AMQP_URL_KEY
                        + " name different brokers; give the URL once");
            }
            return new AmqpBus(spec);
        }
        throw new IllegalArgumentException("--bus " + spec + ": fedmsg, amqp or an amqp:// URL");
    }
}
