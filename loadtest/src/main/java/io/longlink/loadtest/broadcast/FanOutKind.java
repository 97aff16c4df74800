package io.longlink.loadtest.broadcast;

import io.longlink.proto.api.Audience;
import io.longlink.proto.api.TagFilter;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** What each push of the broadcast scenario addresses: every device of the app, or a tag they all carry. */
enum FanOutKind {
    BROADCAST,
    TAG;

    /** The tag every device carries in a {@link #TAG} run, written to its tag set before it connects. */
    static final String TAG_NAME = "bench-all";

    Audience audience() {
        return this == BROADCAST ? Audience.newBuilder().setBroadcast(true).build()
                : Audience.newBuilder().setTags(TagFilter.newBuilder().addAnyOf(TAG_NAME)).build();
    }

    String optionValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** {@code --kind broadcast|tag}. */
    static final class Converter implements ITypeConverter<FanOutKind> {
        @Override
        public FanOutKind convert(String raw) {
            for (FanOutKind k : values()) {
                if (k.optionValue().equals(raw.strip().toLowerCase(Locale.ROOT))) {
                    return k;
                }
            }
            throw new TypeConversionException("not one of broadcast, tag");
        }
    }
}
