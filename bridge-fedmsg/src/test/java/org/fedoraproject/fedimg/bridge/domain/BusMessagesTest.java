package org.fedoraproject.fedimg.bridge.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.fedoraproject.fedimg.bridge.support.SharedData;
import org.fedoraproject.fedimg.events.AmiVariant;
import org.fedoraproject.fedimg.events.ImageOutcome;
import org.fedoraproject.fedimg.events.ImagePublished;
import org.fedoraproject.fedimg.events.ImageSpec;
import org.fedoraproject.fedimg.events.RegionOutcome;
import org.fedoraproject.fedimg.events.Stage;
import org.fedoraproject.fedimg.events.StageState;
import org.fedoraproject.fedimg.events.StageStatus;
import org.fedoraproject.fedimg.messaging.EventJson;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.NonValidationKeyword;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

class BusMessagesTest {

    static final FedimgBusMessages STG = new FedimgBusMessages("org.fedoraproject", "stg", "fedimg", false);
    static final AmiVariant GP2 = new AmiVariant("hvm", "gp2", false);

    static ImageSpec spec(String url, String name, String arch) {
        return new ImageSpec(url, name + ".raw.xz", name, "a".repeat(64), 1000, arch, "27", "production", "Cloud",
                "Cloud_Base", 0);
    }

    static StageStatus status(Stage stage, StageState state, String compose, ImageSpec image, String region,
            String ami, String sourceAmi, AmiVariant variant) {
        return new StageStatus("ev-" + stage + state + region, compose + "/" + image.fileName(), compose, "trace",
                Instant.EPOCH, stage, state, "uploader", image, region, ami, sourceAmi, variant, null, null, null);
    }

    static JsonNode fixtureMsg(String file) throws Exception {
        return EventJson.MAPPER.readTree(Files.readAllBytes(SharedData.file("fedimg/" + file))).get("msg");
    }

    static JsonNode body(BusMessage m) {
        return EventJson.MAPPER.valueToTree(m.body());
    }

    @Test
    void imageCopyMatchesTheFixture() throws Exception {
        ImageSpec image = spec(null, "Fedora-Atomic-27-20180507.0.x86_64", "x86_64");
        BusMessage m = STG.of(status(Stage.COPY, StageState.COMPLETED, "Fedora-Atomic-27-20180507.0", image,
                "us-west-2", "ami-2e80f656", "ami-991999e6", GP2)).orElseThrow();
        assertThat(m.topic()).isEqualTo("org.fedoraproject.stg.fedimg.image.copy");
        ObjectNode expected = (ObjectNode) fixtureMsg("fedmsg_meta_TestImageCopy.json").deepCopy();
        expected.put("architecture", "x86_64"); // fedimg 2.4 sends it (spec §c); the older test fixture lacks it
        assertThat(body(m)).isEqualTo(expected);
    }

    @Test
    void imagePublishMatchesTheFixture() throws Exception {
        ImageSpec image = spec("https://example.org/x.raw.xz", "Fedora-Atomic-27-20180507.0.x86_64", "x86_64");
        BusMessage m = STG.of(status(Stage.PUBLISH, StageState.COMPLETED, "Fedora-Atomic-27-20180507.0", image,
                "eu-west-2", "ami-d813f1bf", "ami-base", GP2)).orElseThrow();
        assertThat(m.topic()).isEqualTo("org.fedoraproject.stg.fedimg.image.publish");
        ObjectNode expected = (ObjectNode) fixtureMsg("fedmsg_meta_TestImagePublish.json").deepCopy();
        expected.put("architecture", "x86_64");
        assertThat(body(m)).isEqualTo(expected);
        // the base-region AMI carries the image URL
        BusMessage base = STG.of(status(Stage.PUBLISH, StageState.COMPLETED, "c", image, "us-east-1", "ami-1",
                null, GP2)).orElseThrow();
        assertThat(base.body().get("image_url")).isEqualTo("https://example.org/x.raw.xz");
    }

    @Test
    void imageUploadMatchesTheFixturesInTheCurrentForm() throws Exception {
        String url = "http://kojipkgs.fedoraproject.org/compose//twoweek/Fedora-Atomic-24-20160710.0/compose/"
                + "CloudImages/x86_64/images/Fedora-Cloud-Base-24-20160710.0.x86_64.raw.xz";
        ImageSpec image = spec(url, "Fedora-Cloud-Base-24-20160710.0.x86_64", "x86_64");
        AmiVariant hvm = new AmiVariant("HVM", "gp2", false);
        BusMessage done = STG.of(status(Stage.UPLOAD, StageState.COMPLETED, "Fedora-Atomic-24-20160710.0", image,
                "eu-west-1", "ami-1234fda", null, hvm)).orElseThrow();
        ObjectNode expected = (ObjectNode) fixtureMsg("fedmsg_meta_TestImageUploadComplete.json").deepCopy();
        // fedimg 2.x: compose is the compose-id string (the nested object is the 2016 form) and service is sent
        expected.put("compose", expected.get("compose").get("compose_id").asText());
        expected.put("service", "EC2");
        assertThat(body(done)).isEqualTo(expected);
        assertThat(done.topic()).isEqualTo("org.fedoraproject.stg.fedimg.image.upload");
        assertThat(done.severity()).isEqualTo(BusMessage.INFO);

        BusMessage started = STG.of(status(Stage.UPLOAD, StageState.STARTED, "Fedora-Atomic-24-20160710.0", image,
                "eu-west-1", null, null, hvm)).orElseThrow();
        JsonNode startFixture = fixtureMsg("fedmsg_meta_TestImageUploadStart.json");
        assertThat(body(started).get("status").asText()).isEqualTo(startFixture.get("status").asText());
        assertThat(body(started).get("image_url")).isEqualTo(startFixture.get("image_url"));
        assertThat(body(started).get("extra").has("id")).isFalse();
        assertThat(body(started).get("extra").get("vol_type").asText()).isEqualTo("gp2");

        BusMessage failed = STG.of(status(Stage.UPLOAD, StageState.FAILED, "c", image, "eu-west-1", null, null, hvm))
                .orElseThrow();
        assertThat(failed.body().get("status")).isEqualTo("failed");
        assertThat(failed.severity()).isEqualTo(BusMessage.ERROR);
    }

    @Test
    void anInstanceStoreAmiSaysItsStorageTypeAndAnEbsOneDoesNot() throws Exception {
        ImageSpec image = spec("https://example.org/a.raw.xz", "Fedora-Cloud-Base-41-1.4.x86_64", "x86_64");
        BusMessage bundle = STG.of(status(Stage.UPLOAD, StageState.COMPLETED, "c", image, "eu-west-1", "ami-1234fda",
                null, AmiVariant.instanceStore("paravirtual"))).orElseThrow();
        assertThat(body(bundle).get("extra").get("virt_type").asText()).isEqualTo("paravirtual");
        assertThat(body(bundle).get("extra").get("vol_type").asText()).isEqualTo("instance-store");
        assertThat(body(bundle).get("extra").get("storage_type").asText()).isEqualTo("instance-store");
        BusMessage ebs = STG.of(status(Stage.UPLOAD, StageState.COMPLETED, "c", image, "eu-west-1", "ami-1234fda",
                null, GP2)).orElseThrow();
        assertThat(body(ebs).get("extra").has("storage_type")).isFalse();
    }

    @Test
    void testStageUsesTheLegacyImageTestTopic() throws Exception {
        ImageSpec image = spec("https://example.org/a.raw.xz", "fedora-cloud-base-rawhide-20140604.x86_64", "x86_64");
        BusMessage m = STG.of(status(Stage.TEST, StageState.STARTED, "c", image, "eu-west-1", "ami-1234fda", null,
                GP2)).orElseThrow();
        assertThat(m.topic()).isEqualTo("org.fedoraproject.stg.fedimg.image.test");
        JsonNode legacy = fixtureMsg("fedmsg_meta_LegacyTestImageTestStart.json");
        Set<String> legacyFields = Set.copyOf(iterable(legacy.fieldNames()));
        assertThat(iterable(body(m).fieldNames())).containsAll(legacyFields);
        assertThat(iterable(body(m).get("extra").fieldNames())).containsAll(iterable(legacy.get("extra").fieldNames()));
    }

    @Test
    void progressCopyStartAndEncryptedPublishAreNotAnnounced() {
        ImageSpec image = spec("u", "n", "x86_64");
        assertThat(STG.of(status(Stage.UPLOAD, StageState.PROGRESS, "c", image, "us-east-1", null, null, GP2))).isEmpty();
        assertThat(STG.of(status(Stage.COPY, StageState.STARTED, "c", image, "us-west-2", null, "ami-1", GP2))).isEmpty();
        assertThat(STG.of(status(Stage.COPY, StageState.FAILED, "c", image, "us-west-2", null, "ami-1", GP2))).isEmpty();
        assertThat(STG.of(status(Stage.PUBLISH, StageState.COMPLETED, "c", image, "us-west-2", "ami-2", "ami-1",
                new AmiVariant("hvm", "gp3", true)))).isEmpty();
        FedimgBusMessages withProgress = new FedimgBusMessages("org.fedoraproject", "prod", "fedimg", true);
        assertThat(withProgress.of(status(Stage.UPLOAD, StageState.PROGRESS, "c", image, "us-east-1", null, null, GP2))
                .orElseThrow().body().get("status")).isEqualTo("progress");
    }

    @Test
    void aLifecycleStepIsAnnouncedWithItsAction() {
        ImageSpec image = spec("", "Fedora-Cloud-Base-AmazonEC2.x86_64-Rawhide-20260101.n.0", "x86_64");
        StageStatus s = new StageStatus("ev-l", "key", "Fedora-Rawhide-20260101.n.0", "trace", Instant.EPOCH,
                Stage.LIFECYCLE, StageState.COMPLETED, "replicator", image, "eu-west-1", "ami-old", null,
                new AmiVariant("hvm", "gp3", false), "made-private: no longer kept public by stream nightly", null, null);
        BusMessage m = STG.of(s).orElseThrow();
        assertThat(m.topic()).isEqualTo("org.fedoraproject.stg.fedimg.image.lifecycle");
        JsonNode body = body(m);
        assertThat(body.get("action").asText()).isEqualTo("made-private");
        assertThat(body.get("reason").asText()).isEqualTo("no longer kept public by stream nightly");
        assertThat(body.get("destination").asText()).isEqualTo("eu-west-1");
        assertThat(body.get("extra").get("id").asText()).isEqualTo("ami-old");
        assertThat(body.get("extra").get("vol_type").asText()).isEqualTo("gp3");
    }

    @Test
    void idsAreStablePerEvent() {
        ImageSpec image = spec("u", "n", "x86_64");
        StageStatus s = status(Stage.UPLOAD, StageState.COMPLETED, "c", image, "us-east-1", "ami-1", null, GP2);
        assertThat(STG.of(s).orElseThrow().id()).isEqualTo(STG.of(s).orElseThrow().id())
                .matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    }

    static ImagePublished published(ImageOutcome outcome, String release) {
        ImageSpec image = new ImageSpec("https://example.org/Fedora-Cloud-Base-AmazonEC2-41-1.4.x86_64.raw.xz",
                "Fedora-Cloud-Base-AmazonEC2-41-1.4.x86_64.raw.xz", "Fedora-Cloud-Base-AmazonEC2-41-1.4.x86_64",
                "b".repeat(64), 5, "x86_64", release, "production", "Cloud", "Cloud_Base", 0);
        return new ImagePublished("ev-pub", "Fedora-41-20241027.0/" + image.fileName(), "Fedora-41-20241027.0", "t",
                Instant.EPOCH, image, outcome, List.of(
                        new ImagePublished.Result("us-east-1", "hvm-gp3", "ami-0a1", "snap-1", true,
                                RegionOutcome.PUBLISHED, null),
                        new ImagePublished.Result("us-east-1", "hvm-gp3-encrypted", "ami-0e1", "snap-2", false,
                                RegionOutcome.SHARED, null),
                        new ImagePublished.Result("us-east-1", "hvm-gp2", "ami-0b1", "snap-3", true,
                                RegionOutcome.PUBLISHED, null),
                        new ImagePublished.Result("eu-west-1", "hvm-gp3", "ami-0a2", "snap-4", true,
                                RegionOutcome.PUBLISHED, null),
                        new ImagePublished.Result("ap-east-1", "hvm-gp3", null, null, false, RegionOutcome.FAILED,
                                "copy failed")),
                null);
    }

    @Test
    void successorMessageHasTheSchemaFieldsAndTopic() throws Exception {
        SuccessorMessages s = new SuccessorMessages("org.fedoraproject", "prod", "hvm-gp3", Optional.empty());
        BusMessage m = s.of(published(ImageOutcome.PARTIAL, "41")).message().orElseThrow();
        assertThat(m.topic()).isEqualTo(
                "org.fedoraproject.prod.fedora_image_uploader.published.v1.aws.Cloud_Base.41.x86_64");
        assertThat(m.schema()).isEqualTo("fedora_image_uploader.published.v1.aws");
        assertThat(body(m)).isEqualTo(EventJson.MAPPER.readTree("""
                {"architecture":"x86_64","compose_id":"Fedora-41-20241027.0",
                 "image_name":"Fedora-Cloud-Base-AmazonEC2-41-1.4.x86_64",
                 "regions":{"eu-west-1":"ami-0a2","us-east-1":"ami-0a1"},"release":41,"subvariant":"Cloud_Base"}"""));
        // the real 2024 message: same topic form and every body field it had
        JsonNode real = EventJson.MAPPER.readTree(Files.readAllBytes(SharedData.file(
                "fedora-image-uploader/aws-published-Fedora-41-20240911.0-x86_64.fm.json")));
        assertThat(m.topic()).isEqualTo(real.get("topic").asText());
        assertThat(iterable(body(m).fieldNames())).containsAll(iterable(real.get("body").fieldNames()));
        assertThat(real.get("headers").get("fedora_messaging_schema").asText()).isEqualTo(m.schema());
        assertValid(body(m));
    }

    @Test
    void noSuccessorMessageWhenNothingIsPublicOrReleaseIsNotANumber() {
        SuccessorMessages s = new SuccessorMessages("org.fedoraproject", "prod", "hvm-gp3", Optional.empty());
        assertThat(s.of(published(ImageOutcome.FAILED, "41")).message()).isEmpty();
        assertThat(s.of(published(ImageOutcome.REJECTED, "41")).message()).isEmpty();
        assertThat(s.of(published(ImageOutcome.COMPLETE, "Rawhide")).skippedBecause()).contains("Rawhide");
        SuccessorMessages io2 = new SuccessorMessages("org.fedoraproject", "prod", "hvm-io2", Optional.empty());
        assertThat(io2.of(published(ImageOutcome.COMPLETE, "41")).message()).isEmpty();
        SuccessorMessages rawhide = new SuccessorMessages("org.fedoraproject", "prod", "hvm-gp3", Optional.of(42));
        BusMessage m = rawhide.of(published(ImageOutcome.COMPLETE, "Rawhide")).message().orElseThrow();
        assertThat(m.topic()).endsWith(".aws.Cloud_Base.rawhide.x86_64");
        assertThat(m.body().get("release")).isEqualTo(42);
    }

    /** Against the successor's published JSON schema (shared fixture). */
    static void assertValid(JsonNode body) throws Exception {
        JsonNode schemaJson = EventJson.MAPPER.readTree(Files.readAllBytes(
                SharedData.file("fedora-image-uploader/schema-aws.json")));
        // the schema carries a draft-04 style "id" (as fedora-messaging's schemas do): an annotation here
        JsonMetaSchema meta = JsonMetaSchema.builder(JsonMetaSchema.getV201909())
                .keyword(new NonValidationKeyword("id")).build();
        JsonSchema schema = JsonSchemaFactory.builder(JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V201909))
                .metaSchema(meta).build().getSchema(schemaJson);
        Set<ValidationMessage> errors = schema.validate(body);
        assertThat(errors).isEmpty();
        ObjectNode broken = body.deepCopy();
        broken.put("release", "41");
        broken.remove("subvariant");
        assertThat(schema.validate(broken)).hasSize(2);
    }

    static <T> List<T> iterable(java.util.Iterator<T> it) {
        List<T> out = new java.util.ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }
}
