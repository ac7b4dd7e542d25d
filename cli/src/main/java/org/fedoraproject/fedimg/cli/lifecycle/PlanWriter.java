package org.fedoraproject.fedimg.cli.lifecycle;

import org.fedoraproject.fedimg.lifecycle.job.Lifecycle;
import java.io.PrintWriter;
import java.util.List;

/** The plan or what was done, one line per step; the exit code. */
final class PlanWriter {

    private PlanWriter() {
    }

    static int table(List<Lifecycle.RegionReport> reports, boolean applied, PrintWriter out) {
        int failures = 0;
        out.printf("%-16s %-22s %-13s %-10s %s%n", "REGION", "AMI", "STEP", "RESULT", "NAME / REASON");
        for (Lifecycle.RegionReport r : reports) {
            if (r.error() != null) {
                out.printf("%-16s %-22s %-13s %-10s %s%n", r.region(), "-", "-", "failed", r.error());
                failures++;
                continue;
            }
            for (Lifecycle.Outcome o : r.outcomes()) {
                out.printf("%-16s %-22s %-13s %-10s %s: %s%s%n", r.region(), o.action().ami().amiId(),
                        o.action().kind().name().toLowerCase().replace('_', '-'), o.result(), o.action().ami().name(),
                        o.action().reason(), o.error() == null ? "" : " (" + o.error() + ")");
                if ("failed".equals(o.result())) {
                    failures++;
                }
            }
        }
        long steps = reports.stream().mapToLong(r -> r.outcomes().size()).sum();
        long amis = reports.stream().mapToLong(Lifecycle.RegionReport::amis).sum();
        out.printf("%d published AMIs in %d regions, %d steps %s%s%n", amis, reports.size(), steps,
                applied ? "planned" : "planned (dry run: nothing changed; --apply carries them out)",
                failures == 0 ? "" : ", " + failures + " failed");
        out.flush();
        return failures == 0 ? 0 : 1;
    }
}
