package io.longlink.loadtest.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.longlink.sdk.PushMessage;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ChaosTallyTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final RecoveryWindows windows = new RecoveryWindows(0, 10, 1_000);
    private final AcceptedPushes accepted = new AcceptedPushes(windows);
    private final List<DeviceLog> devices = List.of(new DeviceLog(0, now::get, windows),
            new DeviceLog(1, now::get, windows));

    private void show(int device, long id, PushKind kind) {
        devices.get(device).onMessage(new PushMessage(id, new Probe(kind, 0, 0).encode(), "", "", "", 0, 0));
    }

    private ChaosTally.Report tally() {
        return ChaosTally.of(accepted, devices, List.of(new ChaosTally.Phase("steady", 0),
                new ChaosTally.Phase("conn_kill", 500)), 0, Long.MAX_VALUE);
    }

    @Test
    void of_whenEveryTargetShownOnceInOrder_thenNothingFound() {
        accepted.add(new Accepted(11, PushKind.PUSH, 600, 100, 0, 1, new int[]{0}));
        accepted.add(new Accepted(12, PushKind.PUSH, 600, 200, 0, 2, new int[]{0}));
        accepted.add(new Accepted(13, PushKind.BROADCAST, 600, 300, 200, 1, new int[]{0, 1}));
        show(0, 11, PushKind.PUSH);
        show(0, 13, PushKind.BROADCAST);
        show(0, 12, PushKind.PUSH);
        show(1, 13, PushKind.BROADCAST);

        ChaosTally.Report r = tally();

        assertThat(r.total().accepted).isEqualTo(3);
        assertThat(new long[]{r.total().lost, r.total().duplicates, r.total().orderViolations}).containsOnly(0);
        assertThat(r.samples()).isEmpty();
    }

    @Test
    void of_whenOneTargetMissedAndTtl0Missed_thenLostCountsOnlyTheStoredOneInItsPhase() {
        accepted.add(new Accepted(21, PushKind.TAG, 600, 600, 201, 1, new int[]{0, 1}));
        accepted.add(new Accepted(22, PushKind.TTL0, 0, 700, 203, 1, new int[]{1}));
        show(0, 21, PushKind.TAG);

        ChaosTally.Report r = tally();

        assertThat(r.total().lost).isEqualTo(1);
        assertThat(r.total().lostCopies).isEqualTo(1);
        assertThat(r.total().lostTtl0).isEqualTo(1);
        assertThat(r.byPhase().get("conn_kill").lost).isEqualTo(1);
        assertThat(r.byPhase().get("conn_kill").lostKindsText()).isEqualTo("tag:1");
        assertThat(r.samples()).singleElement().satisfies(l -> assertThat(l.device()).isEqualTo(1));
    }

    @Test
    void of_whenShownTwiceAndOutOfAcceptanceOrder_thenCounted() {
        accepted.add(new Accepted(31, PushKind.BATCH, 600, 100, 100, 1, new int[]{1}));
        accepted.add(new Accepted(32, PushKind.BATCH, 600, 100, 100, 2, new int[]{1}));
        accepted.add(new Accepted(33, PushKind.BATCH, 600, 100, 100, 3, new int[]{1}));
        show(1, 32, PushKind.BATCH);
        show(1, 31, PushKind.BATCH);
        show(1, 33, PushKind.BATCH);
        show(1, 33, PushKind.BATCH);

        ChaosTally.Report r = tally();

        assertThat(r.total().orderViolations).isEqualTo(1);
        assertThat(r.reorders()).singleElement().satisfies(o -> {
            assertThat(o.push().id()).isEqualTo(31);
            assertThat(o.after().id()).isEqualTo(32);
        });
        assertThat(r.total().duplicates).isEqualTo(1);
        assertThat(r.total().lost).isZero();
    }
}
