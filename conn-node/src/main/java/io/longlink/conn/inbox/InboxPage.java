package io.longlink.conn.inbox;

import java.util.List;

/**
 * One page of a device's inbox in position order.
 *
 * @param entries the entries after the cursor, with their bodies (null when gone)
 * @param next    where the page after this one starts
 * @param last    nothing followed this page when it was read
 */
public record InboxPage(List<InboxEntry> entries, PageCursor next, boolean last) {
}
