package org.fedoraproject.fedimg.uploader.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.fedoraproject.fedimg.lifecycle.domain.StreamKey;
import org.fedoraproject.fedimg.uploader.config.UploaderConfig;

/**
 * The AMI matrix of each stream (nightlies gp3 only, releases both volume types, ...): a compose gets its stream's,
 * found as the lifecycle and the replicator find it ({@link StreamKey#mostSpecific}), else the registration's. A
 * stream's matrix differs from the registration's only in what it sets; kernel ids and the KMS key are shared.
 */
public record StreamMatrices(AmiMatrix defaults, List<StreamMatrix> streams) {

    public record StreamMatrix(StreamKey key, AmiMatrix matrix) {
    }

    public StreamMatrices {
        streams = List.copyOf(streams);
    }

    public AmiMatrix of(String composeType, String release) {
        return StreamKey.mostSpecific(streams, StreamMatrix::key, composeType, release).map(StreamMatrix::matrix)
                .orElse(defaults);
    }

    public static StreamMatrices from(AmiMatrix defaults, Map<String, UploaderConfig.StreamVariants> config) {
        List<StreamMatrix> all = new ArrayList<>();
        new TreeMap<>(config).forEach((name, s) -> all.add(new StreamMatrix(new StreamKey(name, s.composeType(), s.release()),
                new AmiMatrix(s.virtualizationTypes().orElse(defaults.virtualizationTypes()),
                        s.volumeTypes().orElse(defaults.volumeTypes()), defaults.paravirtualKernelIds(), defaults.kmsKeyId(),
                        s.storageTypes().orElse(defaults.storageTypes())))));
        return new StreamMatrices(defaults, all);
    }
}
