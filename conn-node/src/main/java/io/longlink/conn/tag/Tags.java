package io.longlink.conn.tag;

import java.util.List;
import java.util.concurrent.CompletionStage;

/** What the session layer reads of a device's tags: {@link TagStore} in Redis. */
public interface Tags {
    /** The device's tag names; fails with the store's own error. */
    CompletionStage<List<String>> read(String appKey, String deviceId);
}
