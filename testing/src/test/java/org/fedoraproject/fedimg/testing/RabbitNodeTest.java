package org.fedoraproject.fedimg.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * A node of the test's own: it starts, keeps its users across a crash (SIGKILL of the VM), takes a password
 * only on stdin, and leaves no process behind, also when its start fails. (A graceful stop and start with
 * queues kept is RabbitTlsBridgeTest's restart, in bridge-fedmsg.)
 */
@EnabledIf("org.fedoraproject.fedimg.testing.RabbitNode#installed")
class RabbitNodeTest {

    @Test
    void startsSurvivesAKillAndClosesWithoutLeftovers() throws Exception {
        String password = "pw-" + System.nanoTime();
        List<ProcessHandle> started = new ArrayList<>();
        RabbitNode node = RabbitNode.create();
        try (node) {
            assertThat(node.nodeName()).startsWith("fedimg-").endsWith("@localhost");
            assertThat(node.port()).isNotEqualTo(5672);
            node.start();
            node.addUser("fedimg-test", password);
            node.setPermissions("fedimg-test");
            assertThat(node.rabbitmqctl("list_users")).contains("fedimg-test");
            long beam = node.beamPid();
            assertThat(beam).isPositive();
            // the cookie is a file and the password went to rabbitmqctl on stdin: neither is on a command line
            String cookie = Files.readString(node.directory().resolve(".erlang.cookie"));
            started.addAll(node.processes());
            assertThat(commandLines(node)).isNotEmpty();
            assertThat(started).extracting(h -> h.info().commandLine().orElse(""))
                    .noneMatch(c -> c.contains(password) || c.contains(cookie));

            node.kill();
            assertThat(ProcessHandle.of(beam)).isEmpty();
            assertThat(node.isRunning()).isFalse();
            node.start();
            assertThat(node.rabbitmqctl("list_permissions", "-p", "/")).contains("fedimg-test");
            started.addAll(node.processes());
        }
        assertThat(started).hasSizeGreaterThanOrEqualTo(4).noneMatch(ProcessHandle::isAlive);
        assertThat(commandLines(node)).isEmpty();
        assertThat(node.directory()).doesNotExist();
    }

    @Test
    void aFailedStartLeavesNothingRunning() throws Exception {
        RabbitNode node = RabbitNode.create();
        List<ProcessHandle> left;
        try (node; ServerSocket taken = new ServerSocket(node.port(), 1, InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(node::start).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(node.nodeName()).hasMessageContaining("did not start")
                    .hasMessageContaining("eaddrinuse"); // the cause, from the node's log
            assertThat(node.isRunning()).isFalse();
            left = node.processes(); // epmd, until close()
        }
        assertThat(left).noneMatch(ProcessHandle::isAlive);
        assertThat(commandLines(node)).isEmpty();
    }

    /** The command lines of this node's VM anywhere on the machine (it names its directory as -home). */
    private static List<String> commandLines(RabbitNode node) {
        String dir = node.directory().toString();
        return ProcessHandle.allProcesses().map(h -> h.info().commandLine().orElse("")).filter(c -> c.contains(dir))
                .toList();
    }
}
