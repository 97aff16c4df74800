package io.longlink.conn.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.longlink.conn.inbox.InboxEntry;
import io.longlink.proto.device.Push;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PendingDrainTest {
    @Test
    void hold_whenBoundReached_thenRefused() {
        PendingDrain d = PendingDrain.afterConnect(2, 0, false);
        assertThat(d.hold(Push.newBuilder().setMessageId(1).build())).isTrue();
        assertThat(d.hold(Push.newBuilder().setMessageId(2).build())).isTrue();
        assertThat(d.hold(Push.newBuilder().setMessageId(3).build())).isFalse();
        assertThat(d.pending()).extracting(Push::getMessageId).containsExactly(1L, 2L);
    }

    @Test
    void wasDrained_whenIdsAscendingIncludingUnsignedHigh_thenFoundByBinarySearch() {
        PendingDrain d = PendingDrain.afterConnect(1, 0, false);
        long[] ids = {3, 9, 100, Long.MAX_VALUE, -2L /* 2^64-2 unsigned */};
        for (int i = 0; i < 40; i++) { // force growth past the initial capacity
            d.drained(1000 + i);
        }
        PendingDrain e = PendingDrain.afterConnect(1, 0, false);
        for (long id : ids) {
            e.drained(id);
        }
        for (long id : ids) {
            assertThat(e.wasDrained(id)).isTrue();
        }
        assertThat(e.wasDrained(4)).isFalse();
        assertThat(e.wasDrained(-1L)).isFalse();
        assertThat(d.wasDrained(1039)).isTrue();
        assertThat(d.wasDrained(1040)).isFalse();
    }

    private static List<InboxEntry> entries(long... ids) {
        List<InboxEntry> out = new ArrayList<>();
        for (long id : ids) {
            out.add(new InboxEntry(Long.toString(id), id, new byte[] {(byte) id}));
        }
        return out;
    }

    /** Drains what the merge gives now. */
    private static List<Long> take(PendingDrain d) {
        List<Long> out = new ArrayList<>();
        for (InboxEntry e = d.next(); e != null; e = d.next()) {
            out.add(e.id());
        }
        return out;
    }

    @Test
    void next_whenBothSourcesHavePages_thenMergedInIdOrderAndCommonIdOnce() {
        PendingDrain d = PendingDrain.afterConnect(1, 0, false);
        d.inboxPage(entries(2, 5, 9), true);
        d.logPage(entries(1, 5, 7, 12), true);

        assertThat(take(d)).containsExactly(1L, 2L, 5L, 7L, 9L, 12L);
        assertThat(d.finished()).isTrue();
        assertThat(d.lastReplayed()).isEqualTo(12);
    }

    @Test
    void next_whenOnePageUsedUpAndItsSourceNotFinished_thenWaitsForItsNextPage() {
        PendingDrain d = PendingDrain.afterConnect(1, 0, false);
        d.inboxPage(entries(2, 4), false);
        d.logPage(entries(3, 10), true);

        assertThat(take(d)).containsExactly(2L, 3L, 4L); // 10 must wait: the inbox may hold 5..9
        assertThat(d.needsInbox()).isTrue();
        assertThat(d.needsLog()).isFalse();
        assertThat(d.finished()).isFalse();

        d.inboxPage(entries(8, 11), true);
        assertThat(take(d)).containsExactly(8L, 10L, 11L);
        assertThat(d.finished()).isTrue();
    }

    @Test
    void next_whenLogNotRead_thenNothingUntilLogPageOrFinished() {
        PendingDrain d = PendingDrain.afterConnect(1, 0, false);
        d.inboxPage(entries(1, 2), true);
        assertThat(d.next()).isNull();
        assertThat(d.needsLog()).isTrue();

        d.logFinished();
        assertThat(take(d)).containsExactly(1L, 2L);
        assertThat(d.lastReplayed()).isZero();
        assertThat(d.finished()).isTrue();
    }

    @Test
    void fromInbox_whenEntryCameFromLogOnly_thenFalse() {
        PendingDrain d = PendingDrain.afterConnect(1, 0, false);
        d.inboxPage(entries(2, 3), true);
        d.logPage(entries(1, 3), true);
        assertThat(d.fromInbox(d.next())).isFalse(); // 1: log
        assertThat(d.fromInbox(d.next())).isTrue(); // 2: inbox
        InboxEntry both = d.next(); // 3: both, written once, counted as inbox
        assertThat(both.id()).isEqualTo(3);
        assertThat(d.fromInbox(both)).isTrue();
        assertThat(d.lastReplayed()).isEqualTo(3);
        assertThat(d.next()).isNull();
        assertThat(d.finished()).isTrue();
    }

    @Test
    void next_whenIdsAboveSignedRange_thenOrderedUnsigned() {
        PendingDrain d = PendingDrain.afterConnect(1, 0, false);
        d.inboxPage(entries(-5L), true); // 2^64 - 5
        d.logPage(entries(7, Long.MAX_VALUE), true);
        assertThat(take(d)).containsExactly(7L, Long.MAX_VALUE, -5L);
    }

    @Test
    void inboxPageRead_thenNextReadStartsAfterTheLastMemberAndInboxEndsOnAShortPageOrTheMax() {
        PendingDrain d = PendingDrain.afterConnect(1, 0, false);
        d.logFinished();
        assertThat(d.inboxReadStarted()).isEqualTo("-");
        assertThat(d.wantsInboxPage()).isFalse(); // being read
        List<InboxEntry> page = entries(1, 2);
        d.inboxPageRead(page, page.subList(1, 2), 2, 3); // entry 1 was expired: 1 written of 3
        assertThat(d.needsInbox()).isFalse();
        take(d);
        assertThat(d.wantsInboxPage()).isTrue();
        assertThat(d.inboxWant(5, 3)).isEqualTo(2);
        assertThat(d.inboxReadStarted()).isEqualTo("2");

        d.inboxPageRead(entries(3, 4), entries(3, 4), 2, 3); // 3 written: the max
        take(d);
        assertThat(d.needsInbox()).isFalse();
        assertThat(d.wantsInboxPage()).isFalse();
    }

    @Test
    void logPageRead_thenReplayEndsAtTheLastPageAndAwaitsTheLastReplayedAck() {
        PendingDrain d = PendingDrain.afterConnect(1, 0, true);
        d.inboxPage(List.of(), true);
        assertThat(d.wantsLogPage()).isFalse(); // waits for the tags
        d.tagsLoaded();
        assertThat(d.wantsLogPage()).isTrue();
        assertThat(d.logReadStarted()).isNull(); // the position comes first
        d.logStartsAt("-");
        assertThat(d.logWant(2, 3)).isEqualTo(2);
        assertThat(d.logEntriesSeen(2, 2, 3)).isFalse();
        d.logPageRead(entries(5), "6", false);
        assertThat(take(d)).containsExactly(5L);
        assertThat(d.replayAwaitingAck()).isEqualTo(5);
        assertThat(d.logReadStarted()).isEqualTo("6");
        assertThat(d.logWant(2, 3)).isEqualTo(1);
        assertThat(d.logEntriesSeen(1, 1, 3)).isTrue(); // the max
        d.logPageRead(entries(7), "7", true);
        take(d);
        assertThat(d.finished()).isTrue();
        assertThat(d.logReached()).isEqualTo("7");
        d.lastReplayedAcked();
        assertThat(d.replayAwaitingAck()).isZero();
    }

    @Test
    void redrain_thenInboxOnlyWithoutWaitingForTags() {
        PendingDrain d = PendingDrain.redrain(1);
        assertThat(d.isRedrain()).isTrue();
        assertThat(d.needsLog()).isFalse();
        assertThat(d.wantsInboxPage()).isTrue();
        d.inboxPage(entries(3), true);
        assertThat(take(d)).containsExactly(3L);
        assertThat(d.finished()).isTrue();
        assertThat(d.logReached()).isNull();
    }

    @Test
    void resumeWhenWritable_thenTrueOnlyOnceAfterWaiting() {
        PendingDrain d = PendingDrain.afterConnect(1, 0, false);
        assertThat(d.resumeWhenWritable()).isFalse();
        d.waitForWritable();
        assertThat(d.resumeWhenWritable()).isTrue();
        assertThat(d.resumeWhenWritable()).isFalse();
    }

    @Test
    void redelivered_whenAtOrBelowTheConnectHint_thenTrue() {
        PendingDrain d = PendingDrain.afterConnect(1, 20, false);
        assertThat(d.redelivered(20)).isTrue();
        assertThat(d.redelivered(21)).isFalse();
        assertThat(PendingDrain.afterConnect(1, 0, false).redelivered(1)).isFalse();
    }
}
