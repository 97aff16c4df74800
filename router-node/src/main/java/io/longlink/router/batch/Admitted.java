package io.longlink.router.batch;

import java.util.List;

/**
 * What the admission round trip found.
 *
 * @param verdicts one per message, at its {@link Message#index}
 * @param copies the copies to deliver, in message and device order: those of accepted messages whose
 *     inbox write was not refused for a newer message with the same collapse key
 */
record Admitted(List<Message> messages, List<Verdict> verdicts, List<Copy> copies) {
    Verdict verdict(Message m) {
        return verdicts.get(m.index);
    }
}
