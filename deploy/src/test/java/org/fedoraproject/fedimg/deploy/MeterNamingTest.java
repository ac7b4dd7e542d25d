package org.fedoraproject.fedimg.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.LongTaskTimer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;

/**
 * {@link MeterCatalog}'s Prometheus names are the ones the real registry produces: every meter found in the
 * services is registered the same way in the Prometheus registry Quarkus 3.33 uses, and the scrape must show
 * exactly the predicted series names.
 */
class MeterNamingTest {

    @Test
    void predictedNamesAreWhatTheRegistryScrapes() {
        for (ServiceModule s : ServiceModule.ALL) {
            MeterCatalog.Catalog catalog = MeterCatalog.scan(Paths.ROOT, DashboardMetricsTest.sources(s));
            for (MeterCatalog.Meter m : catalog.meters()) {
                PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
                register(registry, m);
                assertThat(scrapedNames(registry)).as(s.module() + " " + m).isEqualTo(m.prometheusNames());
            }
        }
    }

    @Test
    void everyMeterTypeIsNamedLikeTheRegistry() {
        for (MeterCatalog.Type type : MeterCatalog.Type.values()) {
            for (boolean histogram : new boolean[] {false, true}) {
                for (String unit : new String[] {null, "bytes"}) {
                    MeterCatalog.Meter m = new MeterCatalog.Meter("fedimg.test.meter", type, unit, histogram, "-");
                    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
                    register(registry, m);
                    assertThat(scrapedNames(registry)).as(m.toString()).isEqualTo(m.prometheusNames());
                }
            }
        }
    }

    private static void register(MeterRegistry registry, MeterCatalog.Meter m) {
        switch (m.type()) {
            case COUNTER -> Counter.builder(m.name()).baseUnit(m.baseUnit()).register(registry).increment();
            case FUNCTION_COUNTER -> FunctionCounter.builder(m.name(), new AtomicInteger(1), AtomicInteger::get)
                    .baseUnit(m.baseUnit()).register(registry);
            case GAUGE -> Gauge.builder(m.name(), new AtomicInteger(1), AtomicInteger::get).baseUnit(m.baseUnit())
                    .register(registry);
            case TIME_GAUGE -> TimeGauge.builder(m.name(), new AtomicInteger(1), java.util.concurrent.TimeUnit.SECONDS,
                    AtomicInteger::get).register(registry);
            case TIMER -> {
                Timer.Builder b = Timer.builder(m.name());
                if (m.histogram()) {
                    b.publishPercentileHistogram();
                }
                b.register(registry).record(Duration.ofSeconds(3));
            }
            case SUMMARY -> {
                DistributionSummary.Builder b = DistributionSummary.builder(m.name()).baseUnit(m.baseUnit());
                if (m.histogram()) {
                    b.publishPercentileHistogram();
                }
                b.register(registry).record(42);
            }
            case LONG_TASK_TIMER -> {
                LongTaskTimer.Builder b = LongTaskTimer.builder(m.name());
                if (m.histogram()) {
                    b.publishPercentileHistogram();
                }
                b.register(registry).start();
            }
        }
    }

    private static Set<String> scrapedNames(PrometheusMeterRegistry registry) {
        Set<String> names = new TreeSet<>();
        registry.scrape().lines().filter(l -> !l.startsWith("#") && !l.isBlank())
                .map(l -> l.replaceAll("[{ ].*", "")).forEach(names::add);
        return names;
    }
}
