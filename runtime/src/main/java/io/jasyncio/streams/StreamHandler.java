package io.jasyncio.streams;

import io.jasyncio.Async;

/**
 * What a {@link StreamServer} runs for each connection it accepts, like the
 * {@code client_connected_cb} of {@code asyncio.start_server}. Its method is {@code @Async}, so
 * a lambda of this interface may call suspending methods such as {@link StreamReader#readLine()}.
 */
@FunctionalInterface
public interface StreamHandler {
    /**
     * Serves one connection. It runs as a task of its own; when it returns, the connection is
     * closed gracefully (the writer's buffered bytes are sent first); when it throws or is
     * cancelled (the server closed, or the loop ended), the connection is aborted.
     *
     * @param reader the bytes the client sends
     * @param writer the bytes sent to the client
     * @throws Exception anything; the task ends with it
     */
    @Async
    void handle(StreamReader reader, StreamWriter writer) throws Exception;
}
