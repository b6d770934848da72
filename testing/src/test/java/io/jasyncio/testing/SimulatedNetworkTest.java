package io.jasyncio.testing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.Async;
import io.jasyncio.Asyncio;
import io.jasyncio.SimulatedNetwork;
import io.jasyncio.Task;
import io.jasyncio.streams.StreamConnection;
import io.jasyncio.streams.StreamServer;
import io.jasyncio.streams.Streams;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** UDP and TCP under {@code @AsyncTest(simulatedNetwork = true)}: a network per schedule, seeded from the schedule's seed. */
class SimulatedNetworkTest {
    private static final Duration QUIET = Duration.ofSeconds(1);

    /**
     * Sends {@code count} numbered datagrams from 127.0.0.2 to an echo server on 127.0.0.1 and
     * returns what came back until the client heard nothing for {@link #QUIET}, each as
     * {@code "ping N@ms"} in virtual milliseconds since the test began.
     */
    @Async
    static List<String> echoExchange(int count) throws IOException {
        try (DatagramChannel server = DatagramChannel.open(); DatagramChannel client = DatagramChannel.open()) {
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            client.bind(new InetSocketAddress("127.0.0.2", 0));
            Task<Void> echo = Asyncio.createTask("echo", () -> {
                for (;;) {
                    ByteBuffer buffer = ByteBuffer.allocate(64);
                    SocketAddress from = Asyncio.receive(server, buffer);
                    buffer.flip();
                    Asyncio.send(server, buffer, from);
                }
            });
            for (int i = 0; i < count; i++) {
                Asyncio.send(client, ByteBuffer.wrap(("ping " + i).getBytes(UTF_8)), server.getLocalAddress());
            }
            List<String> trace = receiveUntilQuiet(client);
            echo.cancel();
            try {
                echo.await();
            } catch (CancellationException expected) {
                // the echo server ends here
            }
            return trace;
        }
    }

    @Async
    static List<String> receiveUntilQuiet(DatagramChannel channel) {
        List<String> received = new ArrayList<>();
        for (;;) {
            try {
                received.add(Asyncio.timeout(QUIET, () -> {
                    ByteBuffer buffer = ByteBuffer.allocate(64);
                    Asyncio.receive(channel, buffer);
                    buffer.flip();
                    return UTF_8.decode(buffer) + "@" + AsyncTesting.clock().now().toMillis();
                }));
            } catch (TimeoutException quietEnough) {
                return received;
            }
        }
    }

    @AsyncTest(simulatedNetwork = true, seed = 11)
    @Async
    void udpExchange_withLatencyAndLoss_losesSomeDatagrams_inVirtualTime() throws IOException {
        SimulatedNetwork network = AsyncTesting.network();
        assertSame(network, SimulatedNetwork.current());
        assertEquals(AsyncTesting.networkSeed(11), network.seed());
        network.latency(Duration.ofMillis(5), Duration.ofMillis(20)).loss(0.3);
        List<String> trace = echoExchange(40);
        assertTrue(trace.size() > 0 && trace.size() < 40, "30% loss each way should lose some of 40 echoes: " + trace);
        assertTrue(network.dropped() > 0);
        assertEquals(network.sent(), network.delivered() + network.dropped()); // no duplication: each one once
        assertEquals(40 + network.delivered() - trace.size(), network.sent()); // the server echoed each ping it got
        for (String echo : trace) {
            long millis = Long.parseLong(echo.substring(echo.indexOf('@') + 1));
            assertTrue(millis >= 10 && millis <= 40, "two hops of 5 to 20 ms each, got " + echo);
        }
    }

    @AsyncTest(simulatedNetwork = true)
    @Async
    void partition_dropsDatagrams_untilHealed() throws IOException {
        SimulatedNetwork network = AsyncTesting.network().latency(Duration.ofMillis(10), Duration.ofMillis(10));
        try (DatagramChannel a = DatagramChannel.open(); DatagramChannel b = DatagramChannel.open()) {
            a.bind(new InetSocketAddress("127.0.0.1", 0));
            b.bind(new InetSocketAddress("127.0.0.2", 0));
            network.partition(new InetSocketAddress("127.0.0.2", 0));
            Asyncio.send(a, ByteBuffer.wrap("lost".getBytes(UTF_8)), b.getLocalAddress());
            assertEquals(List.of(), receiveUntilQuiet(b));
            network.heal();
            Asyncio.send(a, ByteBuffer.wrap("through".getBytes(UTF_8)), b.getLocalAddress());
            assertEquals(List.of("through@1010"), receiveUntilQuiet(b)); // sent after one quiet second, 10 ms on the way
            assertEquals(1, network.dropped());
        }
    }

    @AsyncTest(simulatedNetwork = true, seed = 21, schedules = 5)
    @Async
    void tcpStreams_lineEcho_withLossyLatency_deliversEveryLineInOrder() throws IOException {
        AsyncTesting.network().latency(Duration.ofMillis(5), Duration.ofMillis(20)).loss(0.2);
        StreamServer server = Streams.startServer((reader, writer) -> {
            String line;
            while ((line = reader.readLine()) != null) {
                writer.write(line + "!\n");
            }
        }, "127.0.0.1", 0);
        StreamConnection connection = Streams.openConnection("127.0.0.1", server.port());
        List<String> replies = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            connection.writer().write("line " + i + "\n");
        }
        connection.writer().writeEof();
        String reply;
        while ((reply = connection.reader().readLine()) != null) {
            replies.add(reply);
        }
        connection.writer().close();
        connection.writer().waitClosed();
        server.close();
        server.waitClosed();
        AsyncTesting.runUntilIdle(); // the cancelled accept task ends (waitClosed does not wait for it)
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            expected.add("line " + i + "!");
        }
        assertEquals(expected, replies);
        assertTrue(AsyncTesting.clock().now().toMillis() >= 30, "two handshake legs and a round trip of at least 5 ms each");
    }

    @AsyncTest(simulatedNetwork = true, seed = 100, schedules = 3)
    @Async
    void everySchedule_getsAFreshNetwork_seededFromItsOwnSeed() {
        SimulatedNetwork network = AsyncTesting.network();
        assertEquals(0, network.sent());
        assertTrue(List.of(AsyncTesting.networkSeed(100), AsyncTesting.networkSeed(101), AsyncTesting.networkSeed(102))
                .contains(network.seed()), "seed " + network.seed());
    }

    @AsyncTest
    @Async
    void network_withoutSimulatedNetwork_isRefused_andRealIoStaysRefused() {
        IllegalStateException refused = assertThrows(IllegalStateException.class, AsyncTesting::network);
        assertTrue(refused.getMessage().contains("@AsyncTest(simulatedNetwork = true)"), refused.getMessage());
    }

    /** Runs the lossy echo exchange on one schedule seed and returns its trace. */
    private static List<String> traceOf(long seed) {
        List<String> trace = new ArrayList<>();
        AsyncTestRunner.Settings settings = AsyncTestRunner.Settings.seeds(seed, 1).withSimulatedNetwork(true);
        Throwable failure = AsyncTestRunner.runSchedule(settings, seed, () -> {
            AsyncTesting.network().latency(Duration.ofMillis(1), Duration.ofMillis(50)).loss(0.2).duplication(0.1)
                    .reordering(0.2);
            trace.addAll(echoExchange(30));
            trace.add("sent " + AsyncTesting.network().sent() + ", dropped " + AsyncTesting.network().dropped());
        });
        assertNull(failure);
        return trace;
    }

    @Test
    void sameSeed_replaysTheSameTrace_andAnotherSeedDoesNot() {
        List<String> first = traceOf(5);
        assertEquals(first, traceOf(5));
        assertNotEquals(first, traceOf(6));
    }
}
