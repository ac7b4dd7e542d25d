package org.fedoraproject.fedimg.cli.janitor;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;

import org.fedoraproject.fedimg.cli.CommandRun;
import org.fedoraproject.fedimg.messaging.EventJson;

/** Runs {@code fedimg janitor} in-process, as the CLI would, and captures what it prints. */
final class JanitorRunner {

    record Run(int exit, String out, String err) {

        JsonNode json() {
            try {
                return EventJson.MAPPER.readTree(out);
            } catch (Exception e) {
                throw new AssertionError("not JSON: " + out + "\nstderr: " + err, e);
            }
        }

        /** Ids of the findings with this action ({@code delete}, {@code mark}). */
        Set<String> ids(String action) {
            Set<String> ids = new TreeSet<>();
            json().get("findings").forEach(f -> {
                if (f.get("action").asText().equals(action)) {
                    ids.add(f.get("id").asText());
                }
            });
            return ids;
        }

        Set<String> idsWithResult(String result) {
            Set<String> ids = new TreeSet<>();
            json().get("findings").forEach(f -> {
                if (f.has("result") && f.get("result").asText().equals(result)) {
                    ids.add(f.get("id").asText());
                }
            });
            return ids;
        }

        String keptReason(String id) {
            for (JsonNode f : json().get("kept")) {
                if (f.get("id").asText().equals(id)) {
                    return f.get("reason").asText();
                }
            }
            throw new AssertionError(id + " is not among the kept resources: " + out);
        }
    }

    private JanitorRunner() {
    }

    static Run run(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--retry-interval", "PT0.05S"));
        CommandRun run = CommandRun.of(new JanitorCommand(), all.toArray(String[]::new));
        return new Run(run.exit(), run.out(), run.err());
    }
}
