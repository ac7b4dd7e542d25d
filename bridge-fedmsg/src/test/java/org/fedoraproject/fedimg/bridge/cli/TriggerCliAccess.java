package org.fedoraproject.fedimg.bridge.cli;

import java.io.PrintStream;
import java.util.Map;

/** Lets tests in other packages run the CLI without System.exit. */
public final class TriggerCliAccess {
    private TriggerCliAccess() {
    }

    public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        return TriggerCli.run(args, env, out, err);
    }
}
