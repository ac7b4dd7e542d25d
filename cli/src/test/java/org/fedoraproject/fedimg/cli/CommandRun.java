package org.fedoraproject.fedimg.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

import picocli.CommandLine;

/** A {@code fedimg} subcommand run in-process, as the CLI would run it, with what it printed. */
public record CommandRun(int exit, String out, String err) {

    public static CommandRun of(Object command, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(command);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new CommandRun(exit, out.toString(), err.toString());
    }
}
