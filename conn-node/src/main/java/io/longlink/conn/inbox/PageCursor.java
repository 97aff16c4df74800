package io.longlink.conn.inbox;

/**
 * Where the next page of a zset ordered by position (an inbox, a broadcast log) starts: after
 * {@code member} at {@code position}. Positions are unique, except for entries written before
 * there were positions (all at score 0), so a page is read from the position itself
 * ({@code ZRANGEBYSCORE [position}) and the {@code ties} members already read there, those up to
 * {@code member} in the zset's own order, are dropped: nothing is read twice or skipped, even when
 * entries are removed between two pages.
 *
 * @param member null at the start of the zset
 * @param ties   members read at {@code position} so far
 */
public record PageCursor(long position, String member, int ties) {
    public static final PageCursor START = new PageCursor(0, null, 0);
    /** Sorts after every 20-digit member. */
    private static final String PAST_EVERY_MEMBER = "~";

    /** A cursor past every entry at {@code position} (a device's log position, for one). */
    public static PageCursor after(long position) {
        return new PageCursor(position, PAST_EVERY_MEMBER, 1);
    }

    /** The lower bound of the next read: {@code -inf}, or the position, inclusive. */
    public String min() {
        return member == null ? "-inf" : Long.toString(position);
    }

    /** How many entries to read for {@code page} new ones (the ties come again). */
    public int ask(int page) {
        return page + ties;
    }

    /** Whether the entry at {@code position} with {@code member} was read before this cursor. */
    public boolean wasRead(long position, String member) {
        return this.member != null && position == this.position && member.compareTo(this.member) <= 0;
    }

    /** This cursor moved past the entry at {@code position} with {@code member}, the next one read. */
    public PageCursor past(long position, String member) {
        boolean tie = this.member != null && position == this.position;
        return new PageCursor(position, member, tie ? ties + 1 : 1);
    }
}
