package org.fedoraproject.fedimg.emulator.state;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.fedoraproject.fedimg.emulator.Delays;
import org.fedoraproject.fedimg.emulator.Faults;
import org.fedoraproject.fedimg.emulator.Quotas;
import org.fedoraproject.fedimg.emulator.ebs.BlockContent;
import org.fedoraproject.fedimg.emulator.ebs.BlockStore;
import org.fedoraproject.fedimg.emulator.ec2.BundleCertificates;
import org.fedoraproject.fedimg.emulator.ec2.Ec2Exception;
import org.fedoraproject.fedimg.emulator.ec2.InstanceRuntime;
import org.fedoraproject.fedimg.emulator.s3.S3Store;
import org.fedoraproject.fedimg.emulator.vm.InstanceOptions;

/**
 * The emulator's state, shared by the EC2, EBS and S3 front ends: the regions, the delays and faults, the call
 * counts, and the parts that hold threads or files: the {@link LifeCycles} (states from timestamps), the
 * {@link BlockContent} (snapshot and volume blocks on disk), the {@link InstanceRuntime} (booted instances), the
 * {@link S3Store} (buckets, with a lock of its own) and the {@link BundleCertificates}.
 * One lock, this object's monitor, guards the resource maps (calls are short); block content moves outside it.
 */
public final class Engine {

    private final String accountId;
    /** Access key id -> the account its calls act as (every other key is the owning account). */
    private final Map<String, String> accessKeys;
    /** The account of the EC2 call being handled; set by the EC2 front under the lock. */
    private String caller;
    private final Faults faults;
    private final Quotas quotas;
    private final List<String> regionNames;
    private final Map<String, RegionState> regions = new LinkedHashMap<>();
    private volatile Delays delays;
    private final Map<String, AtomicLong> calls = new ConcurrentHashMap<>();
    private final LifeCycles life;
    private final BlockStore store;
    private final BlockContent content;
    private final InstanceRuntime instances;
    private final S3Store s3;
    private final BundleCertificates bundleCertificates;

    public Engine(String accountId, Map<String, String> accessKeys, List<String> regionNames, Delays delays,
            Faults faults, Quotas quotas, Path workDir, InstanceOptions instanceOptions) {
        this.accountId = accountId;
        this.accessKeys = Map.copyOf(accessKeys);
        this.caller = accountId;
        this.quotas = quotas;
        this.regionNames = List.copyOf(regionNames);
        this.delays = delays;
        this.faults = faults;
        this.life = new LifeCycles(this);
        this.store = new BlockStore(workDir);
        this.content = new BlockContent(this, store);
        this.instances = new InstanceRuntime(this, workDir.resolve("instances"), instanceOptions);
        this.s3 = new S3Store(workDir.resolve("s3"), accountId);
        this.bundleCertificates = new BundleCertificates();
        createRegions();
    }

    private void createRegions() {
        regions.clear();
        for (String name : regionNames) {
            regions.put(name, new RegionState(name));
        }
    }

    /** The account that owns every resource. */
    public String accountId() {
        return accountId;
    }

    /** The account a call signed with this access key acts as. */
    public String accountFor(String accessKey) {
        return accessKey == null ? accountId : accessKeys.getOrDefault(accessKey, accountId);
    }

    /** The account of the EC2 call being handled (under the lock): the owner, or a consumer account. */
    public String caller() {
        return caller;
    }

    /** Called under the lock by the EC2 front before it runs a handler. */
    public void caller(String account) {
        this.caller = account;
    }

    public Quotas quotas() {
        return quotas;
    }

    /** The account's AWS-managed EBS key in a region: what AWS encrypts with when a call names no key. */
    public String defaultEbsKey(String region) {
        return "arn:aws:kms:" + region + ":" + accountId + ":alias/aws/ebs";
    }

    public Faults faults() {
        return faults;
    }

    public Delays delays() {
        return delays;
    }

    public void delays(Delays delays) {
        this.delays = delays;
    }

    public List<String> regionNames() {
        return regionNames;
    }

    public LifeCycles life() {
        return life;
    }

    public BlockStore store() {
        return store;
    }

    public BlockContent content() {
        return content;
    }

    public InstanceRuntime instances() {
        return instances;
    }

    /** EC2's own key and certificate for bundles, and the account's signing certificates; kept across resets. */
    public BundleCertificates bundleCertificates() {
        return bundleCertificates;
    }

    /** S3: buckets are global, not per region; the store has a lock of its own. */
    public S3Store s3() {
        return s3;
    }

    /** The state of a served region; unknown regions answer like a region the account cannot use. */
    public RegionState region(String name) {
        RegionState r = regions.get(name);
        if (r == null) {
            throw new Ec2Exception(401, "AuthFailure",
                    "AWS was not able to validate the provided access credentials (region '" + name
                            + "' is not served by this emulator)");
        }
        return r;
    }

    public boolean serves(String region) {
        return regions.containsKey(region);
    }

    /** Every region's state, by name; read and changed under the lock. */
    public Map<String, RegionState> regions() {
        return regions;
    }

    // ---- call counting ----

    public void countCall(String action, String region) {
        calls.computeIfAbsent(action, k -> new AtomicLong()).incrementAndGet();
        calls.computeIfAbsent(action + "@" + region, k -> new AtomicLong()).incrementAndGet();
    }

    public long callCount(String action) {
        AtomicLong n = calls.get(action);
        return n == null ? 0 : n.get();
    }

    public long callCount(String action, String region) {
        AtomicLong n = calls.get(action + "@" + region);
        return n == null ? 0 : n.get();
    }

    public SortedMap<String, Long> callCounts() {
        SortedMap<String, Long> counts = new TreeMap<>();
        calls.forEach((key, n) -> {
            if (!key.contains("@")) {
                counts.put(key, n.get());
            }
        });
        return counts;
    }

    // ---- reset / close ----

    public synchronized void reset() {
        instances.reset();
        createRegions();
        calls.clear();
        faults.clear();
        faults.resetCounts();
        quotas.reset();
        store.clear();
        s3.reset();
    }

    public void close() {
        synchronized (this) {
            instances.terminateAll();
        }
        instances.close();
        content.close();
        s3.reset();
        store.delete();
    }
}
