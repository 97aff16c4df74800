package io.longlink.cli.push;

import io.longlink.cli.Api;
import io.longlink.cli.ApiCommand;
import io.longlink.cli.EnumChoice;
import io.longlink.cli.IntRange;
import io.longlink.proto.api.StreamReceiptsRequest;
import io.longlink.proto.receipt.Receipt;
import io.longlink.proto.receipt.ReceiptKind;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "watch-receipts", description = {"Prints the app's receipts as they happen, one line each, until --count or ^C",
    "message_id=... device_id=... kind=... at_ms=... node_id=..."})
public final class WatchReceiptsCommand extends ApiCommand {
    @Option(names = "--kind", paramLabel = "KIND", converter = Kinds.class, completionCandidates = Kinds.class,
            description = "only these: acked, stored, expired, revoked or dropped (repeat for more; default: all)")
    private List<ReceiptKind> kinds = new ArrayList<>();

    @Option(names = "--count", paramLabel = "N", converter = IntRange.NonNegative.class,
            description = "stop after N receipts (default: 0, no limit)")
    private int count;

    @Override
    protected void run(Api api) {
        // no deadline: this is a live tail until the server ends it, the count is reached or ^C
        Iterator<Receipt> it = api.receipts().streamReceipts(StreamReceiptsRequest.newBuilder().addAllKinds(kinds).build());
        int seen = 0;
        while (it.hasNext()) {
            Receipt r = it.next();
            api.print("message_id", Long.toUnsignedString(r.getMessageId()), "device_id", r.getDeviceId(), "kind",
                    r.getKind(), "at_ms", r.getAtMs(), "node_id", r.getNodeId());
            if (count > 0 && ++seen >= count) {
                return;
            }
        }
    }

    private static final class Kinds extends EnumChoice<ReceiptKind> {
        Kinds() {
            super(ReceiptKind.class, "", "acked", "stored", "expired", "revoked", "dropped");
        }
    }
}
