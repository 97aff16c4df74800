package io.longlink.router.batch;

/** One copy and what became of it in a delivery. */
record CopyResult(Copy copy, CopyOutcome outcome) {
}
