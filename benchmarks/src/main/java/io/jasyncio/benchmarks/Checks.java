package io.jasyncio.benchmarks;

import java.nio.ByteBuffer;

/** The sanity checks every workload makes on its own result, whatever system ran it. */
final class Checks {
    /** The size of every udp echo request and reply. */
    static final int DATAGRAM_BYTES = 64;

    private Checks() {}

    /** Throws {@link IllegalStateException} naming {@code what} unless {@code actual == expected}. */
    static void equal(String what, long expected, long actual) {
        if (actual != expected) {
            throw new IllegalStateException(what + ": " + actual + " instead of " + expected);
        }
    }

    /** Checks that {@code reply} holds a whole echo of request {@code n} of client {@code client}. */
    static void reply(ByteBuffer reply, int client, int n) {
        if (reply.position() != DATAGRAM_BYTES || reply.getInt(0) != client || reply.getInt(4) != n) {
            throw new IllegalStateException("udp: client " + client + " got a wrong reply to request " + n
                    + " (" + reply.position() + " bytes, client " + reply.getInt(0) + ", request " + reply.getInt(4) + ")");
        }
    }
}
