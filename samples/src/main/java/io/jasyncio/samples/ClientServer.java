package io.jasyncio.samples;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.jasyncio.Async;
import io.jasyncio.Asyncio;
import io.jasyncio.Task;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.List;

/**
 * The seed's UDP client and server. Each request takes the server one second to answer; a
 * client that makes two calls one after the other waits about 2 seconds, one that makes them
 * in two tasks about 1 second, while each call is still written as plain sequential code
 * ({@link #executeApiCall}).
 *
 * <p>The server is jasyncio code too, a task on the same loop as the clients: it receives
 * requests in a loop and answers each one from a task of its own, so it handles any number of
 * requests at the same time (the seed's server needs two processes for two requests). Its one
 * second of "work" is an {@code Asyncio.sleep}, which lets the loop run the clients and the
 * other requests meanwhile. One loop keeps the sample deterministic and needs no thread; a
 * real server with CPU-bound work would run its own loop on another thread or process.
 * {@code Asyncio.run} cancels the server task when the clients are done.
 *
 * <p>Every socket is bound to 127.0.0.1 on an ephemeral port; the clients are given the
 * server's real address.
 */
public final class ClientServer {
    static final String HOST = "127.0.0.1";
    static final Duration WORK = Duration.ofSeconds(1);

    private ClientServer() {}

    /** Runs the server, then the sequential client, then the concurrent one; about 3 seconds. */
    public static void main(String[] args) throws IOException {
        try (DatagramChannel serverChannel = openLocal()) {
            SocketAddress server = serverChannel.getLocalAddress();
            Asyncio.run(() -> {
                Asyncio.createTask(() -> serve(serverChannel));
                System.out.println("sequential client:");
                sequentialClient(server);
                System.out.println("concurrent client:");
                concurrentClient(server);
            });
        }
    }

    /** Two calls in a row: the second request is sent when the first response has come. */
    @Async
    static void sequentialClient(SocketAddress server) throws IOException {
        Stopwatch stopwatch = Stopwatch.start();
        List<String> responses = List.of(
                executeApiCall(server, "request0"),
                executeApiCall(server, "request1"));
        System.out.println(responses);
        stopwatch.printElapsed();
    }

    /** Two calls in two tasks: both requests are out before either response comes back. */
    @Async
    static void concurrentClient(SocketAddress server) {
        Stopwatch stopwatch = Stopwatch.start();
        Task<String> t0 = Asyncio.createTask(() -> executeApiCall(server, "request0"));
        Task<String> t1 = Asyncio.createTask(() -> executeApiCall(server, "request1"));
        List<String> responses = List.of(t0.await(), t1.await());
        System.out.println(responses);
        stopwatch.printElapsed();
    }

    /** Sends {@code request} to {@code server} from a socket of its own and returns the response. */
    @Async
    static String executeApiCall(SocketAddress server, String request) throws IOException {
        try (DatagramChannel channel = openLocal()) {
            Asyncio.send(channel, UTF_8.encode(request), server);
            ByteBuffer response = ByteBuffer.allocate(1024);
            Asyncio.receive(channel, response);
            return UTF_8.decode(response.flip()).toString();
        }
    }

    /** Answers every request that comes to {@code channel}, each in a task of its own; never returns. */
    @Async
    static void serve(DatagramChannel channel) throws IOException {
        for (;;) {
            ByteBuffer request = ByteBuffer.allocate(1024);
            SocketAddress client = Asyncio.receive(channel, request);
            request.flip();
            Asyncio.createTask(() -> handleRequest(channel, request, client));
        }
    }

    /** Takes {@link #WORK} to prepare the response, then sends it back to {@code client}. */
    @Async
    static void handleRequest(DatagramChannel channel, ByteBuffer request, SocketAddress client) throws IOException {
        Asyncio.sleep(WORK);
        String response = "response for " + UTF_8.decode(request);
        Asyncio.send(channel, UTF_8.encode(response), client);
    }

    /** A UDP socket bound to {@link #HOST} on a port the system chooses. */
    static DatagramChannel openLocal() throws IOException {
        DatagramChannel channel = DatagramChannel.open(StandardProtocolFamily.INET);
        try {
            return channel.bind(new InetSocketAddress(HOST, 0));
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }
}
