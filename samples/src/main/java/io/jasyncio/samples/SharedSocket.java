package io.jasyncio.samples;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.jasyncio.Async;
import io.jasyncio.Asyncio;
import io.jasyncio.Task;
import io.jasyncio.sync.Lock;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.List;

/**
 * The seed's aside: two concurrent calls that share one socket instead of opening one each.
 * Without coordination both would wait to read the same socket and could take each other's
 * response (jasyncio refuses a second reader with an {@code IllegalStateException} rather than
 * let it hang). Each call therefore holds a {@link Lock} from sending its request until it has
 * read its response.
 *
 * <p>The lock makes the calls take turns, so this takes about 2 seconds, like
 * {@link ClientServer}'s sequential client: sharing the socket costs the concurrency. The
 * server is {@link ClientServer}'s.
 */
public final class SharedSocket {
    private SharedSocket() {}

    /** Runs the server and the two calls; about 2 seconds. */
    public static void main(String[] args) throws IOException {
        try (DatagramChannel serverChannel = ClientServer.openLocal();
             DatagramChannel shared = ClientServer.openLocal()) {
            SocketAddress server = serverChannel.getLocalAddress();
            Asyncio.run(() -> {
                Asyncio.createTask(() -> ClientServer.serve(serverChannel));
                Stopwatch stopwatch = Stopwatch.start();
                Lock lock = new Lock();
                Task<String> t0 = Asyncio.createTask(() -> executeApiCall(shared, lock, server, "request0"));
                Task<String> t1 = Asyncio.createTask(() -> executeApiCall(shared, lock, server, "request1"));
                List<String> responses = List.of(t0.await(), t1.await());
                System.out.println(responses);
                stopwatch.printElapsed();
            });
        }
    }

    /** Sends {@code request} on the shared {@code channel} and reads its response, holding {@code lock} throughout. */
    @Async
    static String executeApiCall(DatagramChannel channel, Lock lock, SocketAddress server, String request)
            throws IOException {
        lock.acquire();
        try {
            Asyncio.send(channel, UTF_8.encode(request), server);
            ByteBuffer response = ByteBuffer.allocate(1024);
            Asyncio.receive(channel, response);
            return UTF_8.decode(response.flip()).toString();
        } finally {
            lock.release();
        }
    }
}
