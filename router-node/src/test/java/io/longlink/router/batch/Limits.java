package io.longlink.router.batch;

/** The router's limits as its defaults set them, with what a test varies. */
final class Limits {
    private Limits() {
    }

    static BatchRouter.Limits of(int batchMaxTargets, int ackWaitMs) {
        return new BatchRouter.Limits(batchMaxTargets, 100, 100_000, 512, 3_000, 5_000, 30_000, 4, 5_000, ackWaitMs);
    }

    /** Without ACK wait, with these bounds of the inbox and the broadcast log. */
    static BatchRouter.Limits bounds(int inboxMax, int broadcastLogMax) {
        return new BatchRouter.Limits(10_000, inboxMax, broadcastLogMax, 512, 3_000, 5_000, 30_000, 4, 5_000, 0);
    }

    /** Without ACK wait, FanOuts tried again for {@code fanOutRetryMs}. */
    static BatchRouter.Limits fanOutRetry(long fanOutRetryMs) {
        return new BatchRouter.Limits(10_000, 100, 100_000, 512, 3_000, 5_000, fanOutRetryMs, 4, 5_000, 0);
    }
}
