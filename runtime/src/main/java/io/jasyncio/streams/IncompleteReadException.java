package io.jasyncio.streams;

import java.io.EOFException;

/**
 * The stream ended before a read was satisfied, like asyncio's {@code IncompleteReadError}:
 * {@link StreamReader#readExactly} got fewer bytes than asked, or {@link StreamReader#readUntil}
 * found no separator. The bytes that did arrive were consumed and are in {@link #partial()}.
 */
public class IncompleteReadException extends EOFException {
    private static final long serialVersionUID = 1L;

    private final byte[] partial;
    private final int expected;

    /**
     * @param partial the bytes read before the end of the stream; kept, not copied
     * @param expected how many bytes were asked for, or -1 when the read looked for a separator
     */
    public IncompleteReadException(byte[] partial, int expected) {
        super(partial.length + " bytes read on a total of " + (expected < 0 ? "undefined" : Integer.toString(expected))
                + " expected bytes: the stream ended");
        this.partial = partial;
        this.expected = expected;
    }

    /**
     * The bytes that arrived before the end of the stream.
     *
     * @return the bytes, possibly empty; the array itself, not a copy
     */
    public byte[] partial() {
        return partial;
    }

    /**
     * How many bytes the read asked for.
     *
     * @return the count, or -1 for a read up to a separator
     */
    public int expected() {
        return expected;
    }
}
