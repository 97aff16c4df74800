package io.longlink.conn.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.longlink.conn.inbox.InboxEntry;
import io.longlink.conn.inbox.PageCursor;
import io.longlink.proto.device.Push;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PendingDrainTest {
    /** A message id made at millisecond {@code ms} (its timestamp bits), {@code seq} telling ids of one ms apart. */
    private static long at(long ms, int seq) {
        return ms << 22 | seq;
    }

    private static long at(long ms) {
        return at(ms, 0);
    }

    private static PendingDrain connect() {
        return PendingDrain.afterConnect(1, 0, false, true);
    }

    @Test
    void hold_whenBoundReached_thenRefused() {
        PendingDrain d = PendingDrain.afterConnect(2, 0, false, true);
        assertThat(d.hold(Push.newBuilder().setMessageId(1).build())).isTrue();
        assertThat(d.hold(Push.newBuilder().setMessageId(2).build())).isTrue();
        assertThat(d.hold(Push.newBuilder().setMessageId(3).build())).isFalse();
        assertThat(d.pending()).extracting(Push::getMessageId).containsExactly(1L, 2L);
    }

    @Test
    void firstWrite_whenIdsInAnyOrderIncludingUnsignedHigh_thenEachOnceAndFoundAfter() {
        PendingDrain d = connect();
        long[] ids = {100, 3, Long.MAX_VALUE, -2L /* 2^64-2 unsigned */, 9};
        for (long id : ids) {
            assertThat(d.firstWrite(id)).isTrue();
        }
        for (int i = 0; i < 40; i++) { // past any initial capacity
            d.firstWrite(1000 + i);
        }
        for (long id : ids) {
            assertThat(d.firstWrite(id)).isFalse();
            assertThat(d.wasWritten(id)).isTrue();
        }
        assertThat(d.wasWritten(4)).isFalse();
        assertThat(d.wasWritten(-1L)).isFalse();
        assertThat(d.wasWritten(1039)).isTrue();
        assertThat(connect().wasWritten(1)).isFalse();
    }

    private static List<InboxEntry> entries(long... ids) {
        List<InboxEntry> out = new ArrayList<>();
        long position = 0;
        for (long id : ids) {
            out.add(new InboxEntry(Long.toString(id), id, ++position, new byte[] {(byte) id}));
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

    private static void inboxPage(PendingDrain d, boolean last, long... ids) {
        d.inboxPageRead(entries(ids), PageCursor.START, last);
    }

    private static void logPage(PendingDrain d, boolean last, long... ids) {
        d.logPageRead(entries(ids), PageCursor.after(ids.length), ids.length, last, 100);
    }

    @Test
    void next_whenBothSourcesHavePages_thenInterleavedByTimeAndACommonIdOnce() {
        PendingDrain d = connect();
        inboxPage(d, true, at(2), at(5), at(9));
        logPage(d, true, at(1), at(5), at(7), at(12));

        assertThat(take(d)).containsExactly(at(1), at(2), at(5), at(7), at(9), at(12));
        assertThat(d.finished()).isTrue();
        assertThat(d.lastReplayed()).isEqualTo(at(12));
    }

    @Test
    void next_whenASourceRunsAgainstTime_thenItsOrderKept() {
        PendingDrain d = connect();
        // positions (acceptance order) disagree with the ids' clocks: each source keeps its own order
        inboxPage(d, true, at(9), at(3));
        logPage(d, true, at(8, 1), at(1));

        assertThat(take(d)).containsExactly(at(8, 1), at(1), at(9), at(3));
    }

    @Test
    void next_whenTimesEqual_thenTheInboxFirst() {
        PendingDrain d = connect();
        inboxPage(d, true, at(4, 2));
        logPage(d, true, at(4, 1));
        assertThat(take(d)).containsExactly(at(4, 2), at(4, 1));
    }

    @Test
    void next_whenOnePageUsedUpAndItsSourceNotFinished_thenWaitsForItsNextPage() {
        PendingDrain d = connect();
        inboxPage(d, false, at(2), at(4));
        logPage(d, true, at(3), at(10));

        assertThat(take(d)).containsExactly(at(2), at(3), at(4)); // 10 must wait: the inbox may hold 5..9
        assertThat(d.needsInbox()).isTrue();
        assertThat(d.needsLog()).isFalse();
        assertThat(d.finished()).isFalse();

        inboxPage(d, true, at(8), at(11));
        assertThat(take(d)).containsExactly(at(8), at(10), at(11));
        assertThat(d.finished()).isTrue();
    }

    @Test
    void next_whenLogNotRead_thenNothingUntilLogPageOrFinished() {
        PendingDrain d = connect();
        inboxPage(d, true, 1, 2);
        assertThat(d.next()).isNull();
        assertThat(d.needsLog()).isTrue();

        d.logFailed();
        assertThat(take(d)).containsExactly(1L, 2L);
        assertThat(d.lastReplayed()).isZero();
        assertThat(d.finished()).isTrue();
        assertThat(d.logFailedEarly()).isTrue();
        assertThat(d.logReached()).isEqualTo(-1);
    }

    @Test
    void fromInbox_thenSaysWhichSourceTheEntryCameFrom() {
        PendingDrain d = connect();
        inboxPage(d, true, at(2), at(3));
        logPage(d, true, at(1), at(3));
        assertThat(d.next().id()).isEqualTo(at(1));
        assertThat(d.fromInbox()).isFalse();
        assertThat(d.next().id()).isEqualTo(at(2));
        assertThat(d.fromInbox()).isTrue();
        InboxEntry both = d.next(); // 3: both, written once, from the inbox
        assertThat(both.id()).isEqualTo(at(3));
        assertThat(d.fromInbox()).isTrue();
        assertThat(d.next()).isNull();
        assertThat(d.lastReplayed()).isEqualTo(at(3)); // the log's copy was written already: its ACK counts
        assertThat(d.finished()).isTrue();
    }

    @Test
    void next_whenIdsAboveSignedRange_thenOrderedByUnsignedTime() {
        PendingDrain d = connect();
        inboxPage(d, true, -5L); // 2^64 - 5: the latest time there is
        logPage(d, true, 7, Long.MAX_VALUE);
        assertThat(take(d)).containsExactly(7L, Long.MAX_VALUE, -5L);
    }

    @Test
    void inboxPageRead_thenTheNextReadStartsAtItsCursorAndTheInboxEndsOnItsLastPage() {
        PendingDrain d = connect();
        d.logFailed();
        assertThat(d.mayMissNewCopies()).as("no inbox read sent: it will find any copy stored now").isFalse();
        assertThat(d.inboxReadStarted()).isEqualTo(PageCursor.START);
        assertThat(d.mayMissNewCopies()).as("the read sent may have run before a copy is stored").isTrue();
        assertThat(d.wantsInboxPage()).isFalse(); // being read
        PageCursor next = new PageCursor(2, "2", 1);
        d.inboxPageRead(entries(2), next, false);
        assertThat(d.needsInbox()).isFalse();
        take(d);
        assertThat(d.wantsInboxPage()).isTrue();
        assertThat(d.inboxReadStarted()).isEqualTo(next);

        d.inboxPageRead(entries(3), PageCursor.after(3), true);
        take(d);
        assertThat(d.needsInbox()).isFalse();
        assertThat(d.wantsInboxPage()).isFalse();
        assertThat(d.mayMissNewCopies()).isTrue();
        assertThat(d.finished()).isTrue();
    }

    @Test
    void logPageRead_thenTheReplayEndsAtTheLastPageAndAwaitsTheLastReplayedAck() {
        PendingDrain d = PendingDrain.afterConnect(1, 0, true, true);
        d.inboxPageRead(List.of(), PageCursor.START, true);
        assertThat(d.wantsLogPage()).isFalse(); // waits for the tags
        d.tagsLoaded();
        assertThat(d.wantsLogPage()).isTrue();
        assertThat(d.logReadStarted()).isNull(); // the position comes first
        d.logStartsAt(PageCursor.START, 0);
        assertThat(d.logWant(2, 3)).isEqualTo(2);
        d.logPageRead(entries(5), new PageCursor(6, "6", 1), 2, false, 3);
        assertThat(take(d)).containsExactly(5L);
        assertThat(d.replayAwaitingAck()).isEqualTo(5);
        assertThat(d.logReached()).isEqualTo(6);
        assertThat(d.logReadStarted()).isEqualTo(new PageCursor(6, "6", 1));
        assertThat(d.logWant(2, 3)).isEqualTo(1);
        d.logPageRead(entries(7), new PageCursor(7, "7", 1), 1, true, 3);
        take(d);
        assertThat(d.finished()).isTrue();
        assertThat(d.logCut()).isFalse();
        assertThat(d.logReached()).isEqualTo(7);
        d.lastReplayedAcked();
        assertThat(d.replayAwaitingAck()).isZero();
    }

    @Test
    void logPageRead_whenTheReplayMaxIsReachedBeforeTheEnd_thenCutAndTheNextRoundGoesOnFromThere() {
        PendingDrain d = connect();
        d.inboxPageRead(List.of(), PageCursor.START, true);
        d.logReadStarted();
        d.logStartsAt(PageCursor.START, 0);
        d.logPageRead(entries(at(1), at(2)), PageCursor.after(2), 2, false, 2);
        assertThat(take(d)).containsExactly(at(1), at(2));
        assertThat(d.finished()).isTrue();
        assertThat(d.logCut()).isTrue();

        PendingDrain next = d.next(true, true, null);
        assertThat(next.isRedrain()).isTrue();
        assertThat(next.logReadStarted()).isEqualTo(PageCursor.after(2));
        next.inboxPageRead(entries(at(1), at(5)), PageCursor.START, true); // the inbox from its start
        next.logPageRead(List.of(), PageCursor.after(2), 0, true, 2);
        assertThat(take(next)).containsExactly(at(5)); // at(1) was written by the round before
    }

    @Test
    void tooOld_whenAFloorIsSet_thenOnlyIdsBeforeItsTime() {
        PendingDrain d = connect();
        assertThat(d.tooOld(at(1))).isFalse();
        d.logStartsAt(PageCursor.START, 100);
        assertThat(d.tooOld(at(99, 4095))).isTrue();
        assertThat(d.tooOld(at(100))).isFalse();
    }

    @Test
    void redrain_withoutTheLog_thenInboxOnlyWithoutWaitingForTags() {
        PendingDrain d = PendingDrain.redrain(1, false, null);
        assertThat(d.isRedrain()).isTrue();
        assertThat(d.needsLog()).isFalse();
        assertThat(d.wantsInboxPage()).isTrue();
        inboxPage(d, true, 3);
        assertThat(take(d)).containsExactly(3L);
        assertThat(d.finished()).isTrue();
        assertThat(d.logReached()).isEqualTo(-1);
    }

    @Test
    void redrain_withTheLogFromAPosition_thenReadFromThereWithoutReadingThePosition() {
        PendingDrain d = PendingDrain.redrain(1, true, PageCursor.after(40));
        assertThat(d.wantsLogPage()).isTrue();
        assertThat(d.logReadStarted()).isEqualTo(PageCursor.after(40));
    }

    @Test
    void resumeWhenWritable_thenTrueOnlyOnceAfterWaiting() {
        PendingDrain d = connect();
        assertThat(d.resumeWhenWritable()).isFalse();
        d.waitForWritable();
        assertThat(d.resumeWhenWritable()).isTrue();
        assertThat(d.resumeWhenWritable()).isFalse();
    }

    @Test
    void redelivered_whenAtOrBelowTheConnectHint_thenTrue() {
        PendingDrain d = PendingDrain.afterConnect(1, 20, false, true);
        assertThat(d.redelivered(20)).isTrue();
        assertThat(d.redelivered(21)).isFalse();
        assertThat(connect().redelivered(1)).isFalse();
    }
}
