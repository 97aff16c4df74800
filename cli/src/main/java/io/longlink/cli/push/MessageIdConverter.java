package io.longlink.cli.push;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** A message id as push prints it: an unsigned 64-bit decimal, never 0. */
final class MessageIdConverter implements ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
        try {
            long id = Long.parseUnsignedLong(value);
            if (id == 0) {
                throw new NumberFormatException();
            }
            return id;
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + value + "' (expected: a message id printed by push)");
        }
    }
}
