package org.fedoraproject.fedimg.cli.aws;

import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

import org.fedoraproject.fedimg.aws.support.AwsConfig;

import picocli.CommandLine.Option;

/** The options of every command that works across an account's regions (janitor, lifecycle): a picocli mixin. */
public final class AccountOptions {

    @Option(names = "--region", split = ",", paramLabel = "REGION",
            description = "Regions (repeatable or comma-separated). Default: every region enabled for the account.")
    public List<String> regions = List.of();

    @Option(names = "--endpoint", paramLabel = "URI",
            description = "EC2 endpoint override for every region (the emulator, moto or a VPC endpoint).")
    public URI endpoint;

    @Option(names = "--base-region", defaultValue = "us-east-1", paramLabel = "REGION",
            description = "Region asked for the list of enabled regions (default ${DEFAULT-VALUE}).")
    public String baseRegion;

    @Option(names = "--now", hidden = true, paramLabel = "INSTANT",
            description = "Pretend the current time is this instant (tests, and what-if runs).")
    Instant now;

    public AwsConfig awsConfig() {
        return AwsConfig.of(baseRegion, endpoint);
    }

    /** The instant the command acts at: {@code --now}, or the clock's. */
    public Instant now(Clock clock) {
        return now != null ? now : clock.instant();
    }
}
