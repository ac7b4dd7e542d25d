package org.fedoraproject.fedimg.emulator.ec2;

import static org.fedoraproject.fedimg.emulator.ec2.Requests.require;
import static org.fedoraproject.fedimg.emulator.ec2.TagRules.applyTagSpecs;
import static org.fedoraproject.fedimg.emulator.ec2.TagRules.tags;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.fedoraproject.fedimg.emulator.http.QueryBinder;
import org.fedoraproject.fedimg.emulator.state.Engine;
import org.fedoraproject.fedimg.emulator.state.Ids;
import org.fedoraproject.fedimg.emulator.state.Model;
import org.fedoraproject.fedimg.emulator.state.RegionState;

import software.amazon.awssdk.services.ec2.model.CreateKeyPairRequest;
import software.amazon.awssdk.services.ec2.model.CreateKeyPairResponse;
import software.amazon.awssdk.services.ec2.model.DeleteKeyPairRequest;
import software.amazon.awssdk.services.ec2.model.DeleteKeyPairResponse;
import software.amazon.awssdk.services.ec2.model.DescribeKeyPairsRequest;
import software.amazon.awssdk.services.ec2.model.DescribeKeyPairsResponse;
import software.amazon.awssdk.services.ec2.model.ImportKeyPairRequest;
import software.amazon.awssdk.services.ec2.model.ImportKeyPairResponse;
import software.amazon.awssdk.services.ec2.model.KeyPairInfo;

/** CreateKeyPair (real RSA or ED25519 keys, {@link KeyMaterial}), ImportKeyPair, DeleteKeyPair, DescribeKeyPairs. */
final class KeyPairs extends ResourceHandlers {

    KeyPairs(Engine engine) {
        super(engine);
    }

    @Override
    void register(Map<String, Ec2Api.Handler> actions) {
        actions.put("CreateKeyPair", this::createKeyPair);
        actions.put("ImportKeyPair", this::importKeyPair);
        actions.put("DeleteKeyPair", this::deleteKeyPair);
        actions.put("DescribeKeyPairs", this::describeKeyPairs);
    }

    private CreateKeyPairResponse createKeyPair(RegionState region, Map<String, String> form) {
        CreateKeyPairRequest req = QueryBinder.bind(form, CreateKeyPairRequest.builder());
        String name = require(req.keyName(), "KeyName");
        checkKeyName(region, name);
        TagRules.validateTagSpecTypes(req.tagSpecifications(), "key-pair");
        String type = req.keyTypeAsString() == null ? "rsa" : req.keyTypeAsString();
        if (req.keyFormatAsString() != null && !"pem".equals(req.keyFormatAsString())) {
            throw Ec2Exception.invalidParameterValue("Only the pem key format is supported by this emulator");
        }
        KeyMaterial.Generated key = switch (type) {
            case "rsa" -> KeyMaterial.rsa();
            case "ed25519" -> KeyMaterial.ed25519(name);
            default -> throw Ec2Exception.invalidParameterValue("Invalid key type " + type);
        };
        Model.KeyRec rec = new Model.KeyRec(Ids.next("key"), region.name, Instant.now());
        rec.name = name;
        rec.fingerprint = key.fingerprint();
        rec.keyType = type;
        rec.publicKey = key.publicKeyOpenSsh();
        applyTagSpecs(req.tagSpecifications(), "key-pair", rec.tags);
        region.keyPairs.put(name, rec);
        CreateKeyPairResponse.Builder b = CreateKeyPairResponse.builder().keyName(name).keyPairId(rec.id)
                .keyFingerprint(rec.fingerprint).keyMaterial(key.privateKeyPem());
        if (!rec.tags.isEmpty()) {
            b.tags(tags(rec.tags));
        }
        return b.build();
    }

    private static void checkKeyName(RegionState region, String name) {
        if (name.length() > 255) {
            throw Ec2Exception.invalidParameterValue("Key name is too long");
        }
        if (region.keyPairs.containsKey(name)) {
            throw new Ec2Exception("InvalidKeyPair.Duplicate", "The keypair already exists");
        }
    }

    private ImportKeyPairResponse importKeyPair(RegionState region, Map<String, String> form) {
        ImportKeyPairRequest req = QueryBinder.bind(form, ImportKeyPairRequest.builder());
        String name = require(req.keyName(), "KeyName");
        checkKeyName(region, name);
        require(req.publicKeyMaterial(), "PublicKeyMaterial");
        String[] imported = KeyMaterial.importPublicKey(req.publicKeyMaterial().asByteArray());
        Model.KeyRec rec = new Model.KeyRec(Ids.next("key"), region.name, Instant.now());
        rec.name = name;
        rec.keyType = imported[0];
        rec.fingerprint = imported[1];
        rec.publicKey = imported[2];
        applyTagSpecs(req.tagSpecifications(), "key-pair", rec.tags);
        region.keyPairs.put(name, rec);
        ImportKeyPairResponse.Builder b = ImportKeyPairResponse.builder().keyName(name).keyPairId(rec.id)
                .keyFingerprint(rec.fingerprint);
        if (!rec.tags.isEmpty()) {
            b.tags(tags(rec.tags));
        }
        return b.build();
    }

    private DeleteKeyPairResponse deleteKeyPair(RegionState region, Map<String, String> form) {
        DeleteKeyPairRequest req = QueryBinder.bind(form, DeleteKeyPairRequest.builder());
        Model.KeyRec removed = null;
        if (req.keyName() != null) {
            removed = region.keyPairs.remove(req.keyName());
        } else if (req.keyPairId() != null) {
            removed = region.keyPairs.values().stream().filter(k -> k.id.equals(req.keyPairId())).findFirst()
                    .orElse(null);
            if (removed != null) {
                region.keyPairs.remove(removed.name);
            }
        } else {
            throw Ec2Exception.missingParameter("KeyName");
        }
        // Like AWS: deleting a missing key pair succeeds.
        return DeleteKeyPairResponse.builder().returnValue(true)
                .keyPairId(removed == null ? null : removed.id).build();
    }

    private DescribeKeyPairsResponse describeKeyPairs(RegionState region, Map<String, String> form) {
        DescribeKeyPairsRequest req = QueryBinder.bind(form, DescribeKeyPairsRequest.builder());
        for (String name : req.keyNames()) {
            if (!region.keyPairs.containsKey(name)) {
                throw new Ec2Exception("InvalidKeyPair.NotFound", "The key pair '" + name + "' does not exist");
            }
        }
        List<KeyPairInfo> out = new ArrayList<>();
        for (Model.KeyRec k : region.keyPairs.values()) {
            if (!req.keyNames().isEmpty() && !req.keyNames().contains(k.name)) {
                continue;
            }
            if (!req.keyPairIds().isEmpty() && !req.keyPairIds().contains(k.id)) {
                continue;
            }
            if (Filters.matches(req.filters(), k.tags, f -> switch (f) {
                case "key-name" -> List.of(k.name);
                case "key-pair-id" -> List.of(k.id);
                case "fingerprint" -> List.of(k.fingerprint);
                default -> null;
            })) {
                KeyPairInfo.Builder b = KeyPairInfo.builder().keyPairId(k.id).keyName(k.name).keyType(k.keyType)
                        .keyFingerprint(k.fingerprint).createTime(k.created);
                if (Boolean.TRUE.equals(req.includePublicKey())) {
                    b.publicKey(k.publicKey);
                }
                if (!k.tags.isEmpty()) {
                    b.tags(tags(k.tags));
                }
                out.add(b.build());
            }
        }
        return DescribeKeyPairsResponse.builder().keyPairs(out).build();
    }
}
