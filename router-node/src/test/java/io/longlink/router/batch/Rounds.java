package io.longlink.router.batch;

import io.longlink.common.redis.Route;
import io.longlink.proto.command.PushCommand;
import io.prometheus.client.CollectorRegistry;
import java.util.ArrayList;
import java.util.List;

/** A round's messages and copies as the phases before the one under test would hand them over. */
final class Rounds {
    static final String APP = "app1";

    private Rounds() {
    }

    /** The commands as one round's messages (device lists as named), routed with or without an ACK wait. */
    static List<Message> messages(boolean ackWait, PushCommand... commands) {
        List<Message> messages = new ArrayList<>();
        for (PushCommand c : commands) {
            messages.add(new Message(messages.size(), c, c.hasDevices() ? c.getDevices().getIdsList() : List.of(),
                    ackWait));
        }
        return messages;
    }

    /** A copy of {@code m} to {@code device} at {@code route} ({@code node|connection}, or null for none). */
    static Copy copy(Message m, String device, String route) {
        return new Copy(m, device, Route.parse(route));
    }

    /** Every message accepted on its first routing. */
    static Admitted admitted(List<Message> messages, List<Copy> copies) {
        return new Admitted(messages, messages.stream().map(m -> Verdict.FIRST_ROUTING).toList(), copies,
                new long[messages.size()], List.of());
    }

    /** The messages with these verdicts, without copies. */
    static Admitted judged(List<Message> messages, Verdict... verdicts) {
        return new Admitted(messages, List.of(verdicts), List.of(), new long[messages.size()], List.of());
    }

    static double sample(CollectorRegistry registry, String name, String label, String value) {
        Double v = registry.getSampleValue(name, new String[] {label}, new String[] {value});
        return v == null ? 0 : v;
    }
}
