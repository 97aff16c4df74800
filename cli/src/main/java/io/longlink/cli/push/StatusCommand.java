package io.longlink.cli.push;

import io.longlink.cli.Api;
import io.longlink.cli.ApiCommand;
import io.longlink.proto.api.GetMessageStatusRequest;
import io.longlink.proto.api.MessageStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "status", description = {"A message's counts: targeted, online, stored, acked, expired, revoked, dropped,",
    "and its times (log_trimmed_at_ms: its broadcast-log entry was trimmed; 0 = never)"})
public final class StatusCommand extends ApiCommand {
    @Parameters(paramLabel = "MESSAGE_ID", converter = MessageIdConverter.class, description = "as push printed it")
    private long messageId;

    @Override
    protected void run(Api api) {
        MessageStatus s = api.push().getMessageStatus(GetMessageStatusRequest.newBuilder().setMessageId(messageId).build());
        api.print("message_id", Long.toUnsignedString(s.getMessageId()), "targeted", s.getTargeted(), "online",
                s.getOnline(), "stored", s.getStored(), "acked", s.getAcked(), "expired", s.getExpired(), "revoked",
                s.getRevoked(), "dropped", s.getDropped(), "created_at_ms", s.getCreatedAtMs(), "accepted_at_ms",
                s.getAcceptedAtMs(), "routed_at_ms", s.getRoutedAtMs(), "revoked_at_ms", s.getRevokedAtMs(),
                "log_trimmed_at_ms", s.getLogTrimmedAtMs());
    }
}
