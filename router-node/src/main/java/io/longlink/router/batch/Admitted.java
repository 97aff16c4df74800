package io.longlink.router.batch;

import java.util.List;

/**
 * What the admission round trip found.
 *
 * @param verdicts     one per message, at its {@link Message#index}
 * @param copies       the copies of accepted messages to deliver, in message and device order
 * @param logPositions per message index, its broadcast-log position (0 when it has no log entry)
 * @param drops        the messages the inbox and log writes trimmed
 */
record Admitted(List<Message> messages, List<Verdict> verdicts, List<Copy> copies, long[] logPositions,
                List<Dropped> drops) {
    Verdict verdict(Message m) {
        return verdicts.get(m.index);
    }

    long logPosition(Message m) {
        return logPositions[m.index];
    }
}
