package org.fedoraproject.fedimg.emulator.ec2;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.fedoraproject.fedimg.emulator.http.QueryBinder;
import org.fedoraproject.fedimg.emulator.state.Engine;
import org.fedoraproject.fedimg.emulator.state.LifeCycles;
import org.fedoraproject.fedimg.emulator.state.Model;
import org.fedoraproject.fedimg.emulator.state.RegionState;

import software.amazon.awssdk.services.ec2.model.CreateTagsRequest;
import software.amazon.awssdk.services.ec2.model.CreateTagsResponse;
import software.amazon.awssdk.services.ec2.model.DeleteTagsRequest;
import software.amazon.awssdk.services.ec2.model.DeleteTagsResponse;
import software.amazon.awssdk.services.ec2.model.DescribeTagsRequest;
import software.amazon.awssdk.services.ec2.model.DescribeTagsResponse;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagDescription;

/** CreateTags, DeleteTags and DescribeTags on any resource by id (the limits are in {@link TagRules}). */
final class Tags extends ResourceHandlers {

    Tags(Engine engine) {
        super(engine);
    }

    @Override
    void register(Map<String, Ec2Api.Handler> actions) {
        actions.put("CreateTags", this::createTags);
        actions.put("DeleteTags", this::deleteTags);
        actions.put("DescribeTags", this::describeTags);
    }

    private Map<String, String> tagsOf(RegionState region, String id) {
        Model.Resource r = resource(region, id);
        if (r == null) {
            String code = switch (id.contains("-") ? id.substring(0, id.indexOf('-')) : "") {
                case "ami" -> "InvalidAMIID.NotFound";
                case "snap" -> "InvalidSnapshot.NotFound";
                case "vol" -> "InvalidVolume.NotFound";
                case "i" -> "InvalidInstanceID.NotFound";
                case "sg" -> "InvalidGroup.NotFound";
                case "key" -> "InvalidKeyPair.NotFound";
                case "vpc" -> "InvalidVpcID.NotFound";
                case "subnet" -> "InvalidSubnetID.NotFound";
                default -> "InvalidID";
            };
            throw new Ec2Exception(code, "The ID '" + id + "' does not exist");
        }
        if (LifeCycles.hiddenByConsistency(r)) {
            throw new Ec2Exception(id.startsWith("ami-") ? "InvalidAMIID.NotFound" : id.startsWith("i-")
                    ? "InvalidInstanceID.NotFound" : "InvalidID", "The ID '" + id + "' does not exist");
        }
        return r.tags;
    }

    private static Model.Resource resource(RegionState region, String id) {
        if (id.startsWith("ami-")) {
            return region.images.get(id);
        } else if (id.startsWith("snap-")) {
            return region.snapshots.get(id);
        } else if (id.startsWith("vol-")) {
            return region.volumes.get(id);
        } else if (id.startsWith("i-")) {
            return region.instances.get(id);
        } else if (id.startsWith("sg-")) {
            return region.securityGroups.get(id);
        } else if (id.startsWith("vpc-")) {
            return region.vpcs.get(id);
        } else if (id.startsWith("subnet-")) {
            return region.subnets.get(id);
        } else if (id.startsWith("key-")) {
            return region.keyPairs.values().stream().filter(k -> k.id.equals(id)).findFirst().orElse(null);
        }
        return null;
    }

    private CreateTagsResponse createTags(RegionState region, Map<String, String> form) {
        CreateTagsRequest req = QueryBinder.bind(form, CreateTagsRequest.builder());
        if (req.resources().isEmpty()) {
            throw Ec2Exception.missingParameter("ResourceId");
        }
        List<Map<String, String>> targets = new ArrayList<>();
        for (String id : req.resources()) {
            targets.add(tagsOf(region, id));
        }
        for (Map<String, String> target : targets) {
            for (Tag t : req.tags()) {
                TagRules.putTag(target, t.key(), t.value());
            }
        }
        return CreateTagsResponse.builder().build();
    }

    private DeleteTagsResponse deleteTags(RegionState region, Map<String, String> form) {
        DeleteTagsRequest req = QueryBinder.bind(form, DeleteTagsRequest.builder());
        for (String id : req.resources()) {
            Map<String, String> target = tagsOf(region, id);
            if (req.tags().isEmpty()) {
                target.clear();
            }
            for (Tag t : req.tags()) {
                if (t.value() == null || t.value().equals(target.get(t.key()))) {
                    target.remove(t.key());
                }
            }
        }
        return DeleteTagsResponse.builder().build();
    }

    private DescribeTagsResponse describeTags(RegionState region, Map<String, String> form) {
        DescribeTagsRequest req = QueryBinder.bind(form, DescribeTagsRequest.builder());
        List<TagDescription> out = new ArrayList<>();
        List<Model.Resource> all = new ArrayList<>();
        all.addAll(region.images.values());
        all.addAll(region.snapshots.values());
        all.addAll(region.volumes.values());
        all.addAll(region.instances.values());
        all.addAll(region.securityGroups.values());
        all.addAll(region.keyPairs.values());
        for (Model.Resource r : all) {
            String type = resourceType(r);
            for (Map.Entry<String, String> tag : r.tags.entrySet()) {
                boolean match = Filters.matches(req.filters(), Map.of(), f -> switch (f) {
                    case "resource-id" -> List.of(r.id);
                    case "resource-type" -> List.of(type);
                    case "key" -> List.of(tag.getKey());
                    case "value" -> List.of(tag.getValue());
                    default -> null;
                });
                if (match) {
                    out.add(TagDescription.builder().resourceId(r.id).resourceType(type).key(tag.getKey())
                            .value(tag.getValue()).build());
                }
            }
        }
        return DescribeTagsResponse.builder().tags(out).build();
    }

    private static String resourceType(Model.Resource r) {
        if (r instanceof Model.AmiRec) {
            return "image";
        } else if (r instanceof Model.SnapRec) {
            return "snapshot";
        } else if (r instanceof Model.VolRec) {
            return "volume";
        } else if (r instanceof Model.InstRec) {
            return "instance";
        } else if (r instanceof Model.SgRec) {
            return "security-group";
        }
        return "key-pair";
    }
}
