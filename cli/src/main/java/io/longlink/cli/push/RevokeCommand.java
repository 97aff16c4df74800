package io.longlink.cli.push;

import io.longlink.cli.Api;
import io.longlink.cli.ApiCommand;
import io.longlink.proto.api.RevokeRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "revoke", description = {"Withdraws a message not yet delivered: message_id=... body_removed=...",
    "A device that already received the message keeps it."})
public final class RevokeCommand extends ApiCommand {
    @Parameters(paramLabel = "MESSAGE_ID", converter = MessageIdConverter.class, description = "as push printed it")
    private long messageId;

    @Override
    protected void run(Api api) {
        boolean removed = api.push().revoke(RevokeRequest.newBuilder().setMessageId(messageId).build()).getBodyRemoved();
        api.print("message_id", Long.toUnsignedString(messageId), "body_removed", removed);
    }
}
