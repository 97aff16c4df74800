package io.longlink.api.push;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Status;
import io.longlink.common.grpc.GrpcErrors;
import io.longlink.proto.api.PushBatchRequest;
import io.longlink.proto.api.PushRequest;
import io.longlink.proto.command.PushCommand;

/**
 * A business system's Push or PushBatch request, as any client can send it: whatever the fields,
 * validation either builds a command that routers accept or refuses with INVALID_ARGUMENT and a
 * message; nothing else escapes it (no exception the API would answer as INTERNAL).
 * {@code mvn test} replays {@code PushValidatorFuzzTestInputs}; {@code ops/fuzz} fuzzes.
 */
public class PushValidatorFuzzTest {
    private static final GrpcErrors ERRORS = new GrpcErrors("api-node");

    @FuzzTest(maxDuration = "20s")
    void validate_whateverTheRequest_thenCommandOrInvalidArgument(byte[] input) {
        fuzzerTestOneInput(input);
    }

    public static void fuzzerTestOneInput(byte[] input) {
        PushBatchRequest batch;
        try {
            batch = PushBatchRequest.parseFrom(input);
        } catch (InvalidProtocolBufferException e) {
            return; // gRPC refuses such a message before any service code sees it
        }
        for (PushRequest request : batch.getPushesList()) {
            check(request);
        }
    }

    private static void check(PushRequest request) {
        ValidPush valid;
        try {
            valid = PushValidator.validate(request);
        } catch (RuntimeException e) {
            Status status = ERRORS.status(e);
            assertThat(status.getCode()).as("status of %s", e).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(status.getDescription()).isNotBlank();
            return;
        }
        PushCommand command = valid.template();
        assertThat(command.getAudienceCase()).isNotEqualTo(PushCommand.AudienceCase.AUDIENCE_NOT_SET);
        assertThat(command.getPush().getPayload().size()).isLessThanOrEqualTo(PushLimits.MAX_PAYLOAD_BYTES);
        assertThat(command.getTtlSeconds()).isBetween(0, PushLimits.MAX_TTL_SECONDS);
    }
}
