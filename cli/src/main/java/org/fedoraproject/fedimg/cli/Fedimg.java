package org.fedoraproject.fedimg.cli;

import org.fedoraproject.fedimg.cli.janitor.JanitorCommand;
import org.fedoraproject.fedimg.cli.lifecycle.LifecycleCommand;
import org.fedoraproject.fedimg.cli.local.LocalCommand;
import org.fedoraproject.fedimg.cli.replay.ReplayCommand;
import org.fedoraproject.fedimg.cli.replay.ResetOffsetsCommand;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The operator's command line: {@code fedimg local | replay | janitor}. */
@Command(name = "fedimg", mixinStandardHelpOptions = true,
        description = "Publishes Fedora Cloud images as tested, public AMIs in every EC2 region.",
        subcommands = {LocalCommand.class, ReplayCommand.class, ResetOffsetsCommand.class, JanitorCommand.class,
                LifecycleCommand.class})
public final class Fedimg {

    public static void main(String[] args) {
        System.exit(new CommandLine(new Fedimg()).execute(args));
    }
}
