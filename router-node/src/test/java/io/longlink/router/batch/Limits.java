package io.longlink.router.batch;

/** The router's limits as its defaults set them, with what a test varies. */
final class Limits {
    private Limits() {
    }

    static BatchRouter.Limits of(int batchMaxTargets, int ackWaitMs) {
        return new BatchRouter.Limits(batchMaxTargets, 100, 100_000, 512, 3_000, 5_000, 4, 5_000, ackWaitMs, 900_000);
    }
}
