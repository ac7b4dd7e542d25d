package org.fedoraproject.fedimg.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

import org.fedoraproject.fedimg.events.AmiPublished;
import org.fedoraproject.fedimg.events.AmiRegistered;
import org.fedoraproject.fedimg.events.AmiTested;
import org.fedoraproject.fedimg.events.ImagePublished;
import org.fedoraproject.fedimg.events.ImageReady;

/**
 * Per-stage latencies (ms) of the images in {@code keys}, from the records' CreateTimes: each stage runs from
 * the record that starts it to the last record it writes for that image or AMI. Each sample keeps its image key,
 * so the tail can be traced to the compose it came from.
 */
final class StageLatencies {

    /** One stage of one image (or AMI, keyed by its image) taking {@code ms}. */
    record Sample(String imageKey, long ms) {
    }

    static final String BRIDGE_IN = "bridge in: pungi message → fedimg.images";
    static final String UPLOADER = "uploader: fedimg.images → last fedimg.amis.registered of the image";
    static final String TESTER = "tester: fedimg.amis.registered → fedimg.amis.tested (per AMI)";
    static final String REPLICATOR = "replicator: fedimg.amis.tested → last fedimg.amis.published (per AMI)";
    static final String BRIDGE_OUT = "bridge out: last fedimg.amis.published → image published aggregate";
    static final String END_TO_END = "end to end: pungi message → image published aggregate";

    private StageLatencies() {
    }

    /**
     * @param sentAt when the pungi FINISHED message of each compose id was sent (bench clock, ms); composes that
     *               had to be sent again are left out of the bridge-in and end-to-end rows
     */
    static Map<String, List<Sample>> of(RecordLog log, Set<String> keys, Map<String, Long> sentAt) {
        Map<String, String> imageOfAmi = new HashMap<>();
        Map<String, Long> ready = firstPerKey(log.of(ImageReady.class), keys);
        Map<String, Long> registeredLast = new HashMap<>();
        Map<String, Long> registeredByAmi = new HashMap<>();
        for (var r : log.of(AmiRegistered.class)) {
            if (keys.contains(r.event().imageKey())) {
                registeredLast.merge(r.event().imageKey(), r.timestamp(), Math::max);
                registeredByAmi.putIfAbsent(r.event().ami().amiId(), r.timestamp());
                imageOfAmi.put(r.event().ami().amiId(), r.event().imageKey());
            }
        }
        Map<String, Long> testedByAmi = new HashMap<>();
        log.of(AmiTested.class).stream().filter(t -> keys.contains(t.event().imageKey()))
                .forEach(t -> testedByAmi.putIfAbsent(t.event().ami().amiId(), t.timestamp()));
        Map<String, Long> publishedLastByAmi = new HashMap<>();
        Map<String, Long> publishedLastByImage = new HashMap<>();
        for (var p : log.of(AmiPublished.class)) {
            if (keys.contains(p.event().imageKey())) {
                publishedLastByAmi.merge(p.event().sourceAmi().amiId(), p.timestamp(), Math::max);
                publishedLastByImage.merge(p.event().imageKey(), p.timestamp(), Math::max);
            }
        }
        Map<String, Long> aggregate = firstPerKey(log.of(ImagePublished.class), keys);

        Map<String, List<Sample>> stages = new LinkedHashMap<>();
        List<Sample> bridgeIn = new ArrayList<>();
        List<Sample> endToEnd = new ArrayList<>();
        for (String key : keys) {
            Long sent = sentAt.get(key.substring(0, key.indexOf('/')));
            if (sent != null) {
                diff(key, sent, ready.get(key), bridgeIn);
                diff(key, sent, aggregate.get(key), endToEnd);
            }
        }
        stages.put(BRIDGE_IN, bridgeIn);
        stages.put(UPLOADER, diffs(ready, registeredLast, k -> k));
        stages.put(TESTER, diffs(registeredByAmi, testedByAmi, imageOfAmi::get));
        stages.put(REPLICATOR, diffs(testedByAmi, publishedLastByAmi, imageOfAmi::get));
        stages.put(BRIDGE_OUT, diffs(publishedLastByImage, aggregate, k -> k));
        stages.put(END_TO_END, endToEnd);
        return stages;
    }

    private static <T extends org.fedoraproject.fedimg.events.FedimgEvent> Map<String, Long> firstPerKey(
            List<RecordLog.Timed<T>> records, Set<String> keys) {
        Map<String, Long> first = new HashMap<>();
        records.stream().filter(r -> keys.contains(r.event().imageKey()))
                .forEach(r -> first.putIfAbsent(r.event().imageKey(), r.timestamp()));
        return first;
    }

    /** Milliseconds of each sample: the input of {@code Percentiles}. */
    static List<Long> millis(List<Sample> samples) {
        return samples.stream().map(Sample::ms).toList();
    }

    private static List<Sample> diffs(Map<String, Long> from, Map<String, Long> to, UnaryOperator<String> imageKey) {
        List<Sample> out = new ArrayList<>();
        from.forEach((k, start) -> diff(imageKey.apply(k), start, to.get(k), out));
        return out;
    }

    private static void diff(String imageKey, Long start, Long end, List<Sample> out) {
        if (start != null && end != null) {
            out.add(new Sample(imageKey, end - start));
        }
    }
}
