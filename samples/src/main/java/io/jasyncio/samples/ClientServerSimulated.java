package io.jasyncio.samples;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.jasyncio.Async;
import io.jasyncio.Asyncio;
import io.jasyncio.SimulatedNetwork;
import io.jasyncio.Task;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * The seed's client and server ({@link ClientServer}) on a {@link SimulatedNetwork}, in virtual
 * time: first unchanged on a network that only delays datagrams, then with 30 % of the
 * datagrams lost, where a client that waits for ever would hang and a client that resends
 * after a timeout ({@link #executeWithRetries}) completes, for every one of 100 seeds.
 *
 * <p>The program takes no real time: the server's one second of work and every timeout are
 * timers, and the loop's virtual clock jumps to the next one whenever every task waits. So the
 * times printed are virtual, exact, and the same at every run, because every choice the
 * network makes (latency, loss) comes from its seed. The {@code elapsed} lines of
 * {@link ClientServer}'s clients measure real time: next to nothing.
 */
public final class ClientServerSimulated {
    /** How long a client waits for a response before it sends its request again. */
    static final Duration PATIENCE = ClientServer.WORK.plusMillis(100);

    private ClientServerSimulated() {}

    public static void main(String[] args) throws IOException {
        try (DatagramChannel serverChannel = ClientServer.openLocal()) {
            SocketAddress server = serverChannel.getLocalAddress();

            SimulatedNetwork network = new SimulatedNetwork(/* seed = */ 1)
                    .latency(Duration.ofMillis(1), Duration.ofMillis(20));
            network.run(() -> {
                Asyncio.createTask(() -> ClientServer.serve(serverChannel));
                System.out.println("sequential client:");
                long start = Asyncio.time();
                ClientServer.sequentialClient(server);
                System.out.println("virtual time: " + millisSince(start) + " ms");
                System.out.println("concurrent client:");
                start = Asyncio.time();
                ClientServer.concurrentClient(server);
                System.out.println("virtual time: " + millisSince(start) + " ms");
            });

            int resends = 0;
            long longest = 0;
            for (long seed = 1; seed <= 100; seed++) {
                SimulatedNetwork lossy = new SimulatedNetwork(seed)
                        .latency(Duration.ofMillis(1), Duration.ofMillis(20))
                        .loss(0.3);
                int[] attempts = lossy.run(() -> {
                    Asyncio.createTask(() -> ClientServer.serve(serverChannel));
                    Task<Integer> t0 = Asyncio.createTask(() -> executeWithRetries(server, "request0"));
                    Task<Integer> t1 = Asyncio.createTask(() -> executeWithRetries(server, "request1"));
                    return new int[] {t0.await(), t1.await(), (int) (Asyncio.time() / 1_000_000)};
                });
                resends += attempts[0] - 1 + attempts[1] - 1;
                longest = Math.max(longest, attempts[2]);
            }
            System.out.println("30 % loss, 100 seeds: every call answered, " + resends
                    + " requests sent again, the slowest run took " + longest + " ms of virtual time");
        }
    }

    private static long millisSince(long start) {
        return (Asyncio.time() - start) / 1_000_000;
    }

    /**
     * {@link ClientServer#executeApiCall} for a lossy network: sends {@code request} again
     * whenever no response has come within {@link #PATIENCE}; returns how many times it sent it.
     */
    @Async
    static int executeWithRetries(SocketAddress server, String request) throws IOException {
        try (DatagramChannel channel = ClientServer.openLocal()) {
            for (int attempt = 1; ; attempt++) {
                Asyncio.send(channel, UTF_8.encode(request), server);
                try {
                    String response = Asyncio.timeout(PATIENCE, () -> {
                        ByteBuffer buffer = ByteBuffer.allocate(1024);
                        Asyncio.receive(channel, buffer);
                        return UTF_8.decode(buffer.flip()).toString();
                    });
                    if (!response.equals("response for " + request)) {
                        throw new IllegalStateException("wrong response " + response + " to " + request);
                    }
                    return attempt;
                } catch (TimeoutException lost) {
                    // the request or its response was lost: ask again
                }
            }
        }
    }
}
