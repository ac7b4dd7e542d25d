package org.fedoraproject.fedimg.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.fedoraproject.fedimg.aws.AmiNames;
import org.fedoraproject.fedimg.aws.ClientTokens;
import org.fedoraproject.fedimg.messaging.EventIds;
import org.fedoraproject.fedimg.messaging.ImageKeyPartitioner;
import org.junit.jupiter.api.Test;

class KeysAndNamesTest {

    @Test
    void regionResultsShareThePartitionOfTheirImage() {
        Node node = new Node(0, "localhost", 9092);
        List<PartitionInfo> parts = java.util.stream.IntStream.range(0, 12)
                .mapToObj(i -> new PartitionInfo("t", i, node, new Node[] {node}, new Node[] {node})).toList();
        Cluster cluster = new Cluster("c", List.of(node), parts, java.util.Set.of(), java.util.Set.of());
        ImageKeyPartitioner partitioner = new ImageKeyPartitioner();
        int image = partitioner.partition("t", ExampleEvents.KEY, null, null, null, cluster);
        for (String region : List.of("us-east-1", "eu-west-1", "ap-southeast-4", "il-central-1")) {
            String key = ImageKeys.regionKey(ExampleEvents.KEY, "hvm-gp3", region);
            assertThat(partitioner.partition("t", key, null, null, null, cluster)).isEqualTo(image);
        }
        // the same partition Kafka's default partitioner picks for the plain image key
        int murmur = org.apache.kafka.common.utils.Utils.toPositive(org.apache.kafka.common.utils.Utils.murmur2(
                ExampleEvents.KEY.getBytes(java.nio.charset.StandardCharsets.UTF_8))) % 12;
        assertThat(image).isEqualTo(murmur);
    }

    @Test
    void namesAreDeterministicAndCarryNoCounter() {
        assertThat(AmiNames.ami(ExampleEvents.IMAGE, ExampleEvents.GP3))
                .isEqualTo("Fedora-Cloud-Base-AmazonEC2-41-1.4.x86_64-hvm-gp3-0");
        ImageSpec respin = new ImageSpec(ExampleEvents.IMAGE.url(), ExampleEvents.IMAGE.fileName(),
                ExampleEvents.IMAGE.name(), ExampleEvents.IMAGE.sha256(), 1, "x86_64", "41", "production", "Cloud",
                "Cloud_Base", 2);
        assertThat(AmiNames.ami(respin, new AmiVariant("hvm", "standard", true)))
                .isEqualTo("Fedora-Cloud-Base-AmazonEC2-41-1.4.x86_64-hvm-standard-encrypted-2");
        assertThat(AmiNames.ami(respin, new AmiVariant("hvm", "gp3", false), "{name}_{volume}_{virt}{encrypted}_r{respin}"))
                .isEqualTo("Fedora-Cloud-Base-AmazonEC2-41-1.4.x86_64_gp3_hvm_r2");
    }

    @Test
    void aTemplateMustNameEveryVariantAndRespinApart() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> AmiNames.validate("{name}-{volume}-{respin}"))
                .hasMessageContaining("{virt}");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> AmiNames.validate(AmiNames.DEFAULT_TEMPLATE + "{arch}"))
                .hasMessageContaining("unknown placeholder");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> AmiNames.ami(ExampleEvents.IMAGE, ExampleEvents.GP3,
                "{name}:{virt}{volume}{encrypted}{respin}")).hasMessageContaining("not a valid EC2 AMI name");
    }

    @Test
    void tokensAndIdsAreStableAndFitEc2Limits() {
        String token = ClientTokens.of(ExampleEvents.KEY, "copy", "hvm-gp3", "eu-west-1");
        assertThat(token).hasSize(64).matches("[0-9a-f]+").isEqualTo(ClientTokens.of(ExampleEvents.KEY, "copy",
                "hvm-gp3", "eu-west-1"));
        assertThat(token).isNotEqualTo(ClientTokens.of(ExampleEvents.KEY, "copy", "hvm-gp3", "eu-west-2"));
        assertThat(EventIds.derived("a", "b")).isEqualTo(EventIds.derived("a", "b"))
                .isNotEqualTo(EventIds.derived("ab", ""));
    }

    @Test
    void ec2ArchitectureFollowsTheOriginalMapping() {
        assertThat(ExampleEvents.IMAGE.ec2Architecture()).isEqualTo("x86_64");
        ImageSpec arm = new ImageSpec("u", "f", "n", "s", 1, "aarch64", "41", "production", "Cloud", "Cloud_Base", 0);
        assertThat(arm.ec2Architecture()).isEqualTo("arm64");
    }
}
