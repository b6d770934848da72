package io.jasyncio.runtime;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * TCP on {@link SimulatedNetwork}: real connected channels whose bytes travel in virtual time
 * through simulated pipes, in order, with latency, retransmission delays for losses, and
 * partitions that hold the bytes until healed.
 */
class SimulatedTcpIT extends AsyncTestBase {

    private static long millis() {
        return Asyncio.time() / 1_000_000;
    }

    private static ServerSocketChannel listen(String host) throws IOException {
        ServerSocketChannel listener = ServerSocketChannel.open();
        listener.bind(new InetSocketAddress(host, 0));
        return listener;
    }

    /** Reads until the end of the stream; returns {@code "text@ms"} for each read. */
    @Async
    static List<String> readAll(SocketChannel channel) throws IOException {
        List<String> reads = new ArrayList<>();
        ByteBuffer buffer = ByteBuffer.allocate(256);
        while (Asyncio.read(channel, buffer) >= 0) {
            buffer.flip();
            reads.add(UTF_8.decode(buffer) + "@" + millis());
            buffer.clear();
        }
        return reads;
    }

    /** Accepts one connection and echoes what it reads until the end of the stream, then closes it. */
    @Async
    static void echoOnce(ServerSocketChannel listener) throws IOException {
        try (SocketChannel connection = Asyncio.accept(listener)) {
            ByteBuffer buffer = ByteBuffer.allocate(256);
            while (Asyncio.read(connection, buffer) >= 0) {
                buffer.flip();
                Asyncio.write(connection, buffer);
                buffer.clear();
            }
        }
    }

    @Test
    void echo_takesOneLatencyPerHop_inVirtualTime() throws IOException {
        SimulatedNetwork network = new SimulatedNetwork(1).latency(Duration.ofMillis(10), Duration.ofMillis(10));
        try (ServerSocketChannel listener = listen("127.0.0.1"); SocketChannel client = SocketChannel.open()) {
            SocketAddress server = listener.getLocalAddress();
            List<String> trace = runOn(network, () -> {
                expect(1);
                Task<Void> echo = Asyncio.createTask(() -> echoOnce(listener));
                Asyncio.connect(client, server);
                long connected = millis();
                Asyncio.write(client, ByteBuffer.wrap("hello".getBytes(UTF_8)));
                Asyncio.sleep(Duration.ofMillis(5));
                Asyncio.write(client, ByteBuffer.wrap("world".getBytes(UTF_8)));
                client.shutdownOutput(); // directly on the channel: the loop notices it
                List<String> reads = readAll(client);
                echo.await();
                reads.add(0, "connected@" + connected);
                return reads;
            });
            // handshake 10 + 10; each write 10 to the server, 10 back; the end of stream after them
            assertEquals(List.of("connected@20", "hello@40", "world@45"), trace);
            assertEquals(new InetSocketAddress("127.0.0.1", ((InetSocketAddress) server).getPort()),
                    client.getRemoteAddress());
        }
        finish(2);
    }

    @Test
    void connect_whereNobodyListens_isRefused() throws IOException {
        SocketAddress nobody;
        try (ServerSocketChannel closed = listen("127.0.0.1")) {
            nobody = closed.getLocalAddress();
        }
        try (SocketChannel client = SocketChannel.open()) {
            CompletionException thrown = assertThrows(CompletionException.class, () -> runOn(new SimulatedNetwork(1), () -> {
                Asyncio.connect(client, nobody);
                return null;
            }));
            ConnectException refused = assertInstanceOf(ConnectException.class, thrown.getCause());
            assertTrue(refused.getMessage().startsWith("connect to " + nobody + " failed: "), refused.getMessage());
        }
        finish(1);
    }

    @Test
    void partition_holdsTheBytesUntilHealed_andLosesNone() throws IOException {
        SimulatedNetwork network = new SimulatedNetwork(1).latency(Duration.ofMillis(10), Duration.ofMillis(10));
        try (ServerSocketChannel listener = listen("127.0.0.1"); SocketChannel client = SocketChannel.open()) {
            client.bind(new InetSocketAddress("127.0.0.2", 0));
            SocketAddress server = listener.getLocalAddress();
            List<String> trace = runOn(network, () -> {
                Task<List<String>> receiver = Asyncio.createTask(() -> {
                    try (SocketChannel connection = Asyncio.accept(listener)) {
                        return readAll(connection);
                    }
                });
                Asyncio.connect(client, server); // at 20
                network.partition(new InetSocketAddress("127.0.0.1", 0));
                Asyncio.write(client, ByteBuffer.wrap("held".getBytes(UTF_8)));
                Asyncio.sleep(Duration.ofSeconds(1));
                network.heal(); // at 1020
                client.close();
                return receiver.await();
            });
            assertEquals(List.of("held@1030"), trace); // a latency after the heal; then the end of stream
        }
        finish(1);
    }

    @Test
    void close_directlyOnTheChannel_endsThePeersStream_afterTheBytes() throws IOException {
        SimulatedNetwork network = new SimulatedNetwork(1).latency(Duration.ofMillis(10), Duration.ofMillis(10));
        try (ServerSocketChannel listener = listen("127.0.0.1"); SocketChannel client = SocketChannel.open()) {
            SocketAddress server = listener.getLocalAddress();
            List<String> trace = runOn(network, () -> {
                Task<List<String>> receiver = Asyncio.createTask(() -> {
                    try (SocketChannel connection = Asyncio.accept(listener)) {
                        List<String> reads = readAll(connection);
                        reads.add("end@" + millis());
                        return reads;
                    }
                });
                Asyncio.connect(client, server); // at 20
                network.partition(new InetSocketAddress("127.0.0.1", 0)); // both ends are on this host: no effect
                Asyncio.write(client, ByteBuffer.wrap("bytes".getBytes(UTF_8)));
                Asyncio.sleep(Duration.ofSeconds(1));
                client.close(); // at 1020
                return receiver.await();
            });
            assertEquals(List.of("bytes@30", "end@1030"), trace);
        }
        finish(1);
    }

    @Test
    void partition_holdsAHandshake_untilHealed() throws IOException {
        SimulatedNetwork network = new SimulatedNetwork(1).latency(Duration.ofMillis(10), Duration.ofMillis(10));
        try (ServerSocketChannel listener = listen("127.0.0.1"); SocketChannel client = SocketChannel.open()) {
            client.bind(new InetSocketAddress("127.0.0.2", 0));
            SocketAddress server = listener.getLocalAddress();
            List<String> trace = runOn(network, () -> {
                List<String> events = new ArrayList<>();
                Task<Void> acceptor = Asyncio.createTask(() -> {
                    try (SocketChannel connection = Asyncio.accept(listener)) {
                        events.add("accepted@" + millis());
                    }
                });
                network.partition(new InetSocketAddress("127.0.0.2", 0));
                Asyncio.createTask(() -> {
                    Asyncio.sleep(Duration.ofSeconds(1));
                    network.heal();
                });
                Asyncio.connect(client, server);
                events.add("connected@" + millis());
                acceptor.await();
                return events;
            });
            // held at 10 until the heal at 1000, then a latency to the listener and one back
            assertEquals(List.of("accepted@1010", "connected@1020"), trace);
        }
        finish(1);
    }

    @Test
    void read_cancelledAfterBytesWokeIt_takesNothing() throws IOException {
        SimulatedNetwork network = new SimulatedNetwork(1).latency(Duration.ofMillis(10), Duration.ofMillis(10));
        try (ServerSocketChannel listener = listen("127.0.0.1"); SocketChannel client = SocketChannel.open()) {
            SocketAddress server = listener.getLocalAddress();
            List<String> trace = runOn(network, () -> {
                Task<SocketChannel> accepted = Asyncio.createTask(() -> Asyncio.accept(listener));
                Asyncio.connect(client, server); // at 20
                try (SocketChannel connection = accepted.await()) {
                    Asyncio.write(connection, ByteBuffer.wrap("kept".getBytes(UTF_8))); // due at 30, before the timeout
                    try {
                        Asyncio.timeout(Duration.ofMillis(10), () -> Asyncio.read(client, ByteBuffer.allocate(16)));
                        expectUnreached();
                    } catch (TimeoutException expected) {
                        expect(1);
                    }
                }
                return readAll(client);
            });
            assertEquals(List.of("kept@30"), trace);
        }
        finish(2);
    }

    @Test
    void read_secondReader_failsNamingBoth() throws IOException {
        try (ServerSocketChannel listener = listen("127.0.0.1"); SocketChannel client = SocketChannel.open()) {
            SocketAddress server = listener.getLocalAddress();
            IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> runOn(new SimulatedNetwork(1), () -> {
                Task<SocketChannel> accepted = Asyncio.createTask(() -> Asyncio.accept(listener));
                Asyncio.connect(client, server);
                try (SocketChannel connection = accepted.await()) {
                    Task<Integer> first = Asyncio.createTask("first", () -> Asyncio.read(client, ByteBuffer.allocate(8)));
                    Asyncio.sleep(Duration.ofMillis(1));
                    try {
                        return Asyncio.read(client, ByteBuffer.allocate(8));
                    } finally {
                        first.cancel();
                    }
                }
            }));
            assertTrue(thrown.getMessage().matches("task Task-\\d+ cannot read simulated TCP /127\\.0\\.0\\.1:\\d+ -> "
                    + "/127\\.0\\.0\\.1:\\d+: task first is already waiting to read it; .*"), thrown.getMessage());
        }
        finish(1);
    }

    @Test
    void read_whenAnotherTaskClosesTheChannel_failsWithAsynchronousClose() throws IOException {
        try (ServerSocketChannel listener = listen("127.0.0.1"); SocketChannel client = SocketChannel.open()) {
            SocketAddress server = listener.getLocalAddress();
            runOn(new SimulatedNetwork(1).latency(Duration.ofMillis(10), Duration.ofMillis(10)), () -> {
                Task<SocketChannel> accepted = Asyncio.createTask(() -> Asyncio.accept(listener));
                Asyncio.connect(client, server);
                try (SocketChannel connection = accepted.await()) {
                    Task<Integer> reader = Asyncio.createTask(() -> Asyncio.read(client, ByteBuffer.allocate(8)));
                    Asyncio.sleep(Duration.ofMillis(1));
                    client.close();
                    try {
                        reader.await();
                        expectUnreached();
                    } catch (CompletionException thrown) {
                        assertInstanceOf(AsynchronousCloseException.class, thrown.getCause());
                        expect(1);
                    }
                }
                return null;
            });
        }
        finish(2);
    }

    /** The client sends 50 numbered lines with loss; returns what the server got and when the last came. */
    @Async
    static String lossyTransfer(ServerSocketChannel listener, SocketChannel client) throws IOException {
        Task<String> receiver = Asyncio.createTask(() -> {
            try (SocketChannel connection = Asyncio.accept(listener)) {
                StringBuilder received = new StringBuilder();
                for (String read : readAll(connection)) {
                    received.append(read, 0, read.lastIndexOf('@'));
                }
                return received + "|" + millis();
            }
        });
        Asyncio.connect(client, listener.getLocalAddress());
        for (int i = 0; i < 50; i++) {
            Asyncio.write(client, ByteBuffer.wrap((i + "\n").getBytes(UTF_8)));
            Asyncio.sleep(Duration.ofMillis(1));
        }
        client.close();
        return receiver.await();
    }

    private static String expectedLines() {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            lines.append(i).append('\n');
        }
        return lines.toString();
    }

    @Test
    void loss_delaysBytesByRetransmissions_butDeliversAllInOrder() throws IOException {
        String clean;
        String lossy;
        try (ServerSocketChannel listener = listen("127.0.0.1"); SocketChannel client = SocketChannel.open()) {
            clean = runOn(new SimulatedNetwork(3).latency(Duration.ofMillis(5), Duration.ofMillis(15)),
                    () -> lossyTransfer(listener, client));
        }
        try (ServerSocketChannel listener = listen("127.0.0.1"); SocketChannel client = SocketChannel.open()) {
            lossy = runOn(new SimulatedNetwork(3).latency(Duration.ofMillis(5), Duration.ofMillis(15)).loss(0.3),
                    () -> lossyTransfer(listener, client));
        }
        assertEquals(expectedLines(), clean.substring(0, clean.indexOf('|')));
        assertEquals(expectedLines(), lossy.substring(0, lossy.indexOf('|')));
        long cleanEnd = Long.parseLong(clean.substring(clean.indexOf('|') + 1));
        long lossyEnd = Long.parseLong(lossy.substring(lossy.indexOf('|') + 1));
        assertTrue(cleanEnd < 100, "50 ms of writes and at most 15 ms on the way: " + cleanEnd);
        assertTrue(lossyEnd >= cleanEnd + 200, "a loss costs at least one 200 ms retransmission: " + lossyEnd);
        finish(1);
    }

    @Test
    void seed_sameSeedSameTrace_otherSeedOtherTrace() throws IOException {
        List<String> traces = new ArrayList<>();
        for (long seed : new long[] {7, 7, 8}) {
            try (ServerSocketChannel listener = listen("127.0.0.1"); SocketChannel client = SocketChannel.open()) {
                SimulatedNetwork network = new SimulatedNetwork(seed).latency(Duration.ofMillis(1), Duration.ofMillis(50))
                        .loss(0.2);
                traces.add(runOn(network, () -> lossyTransfer(listener, client)));
            }
        }
        assertEquals(traces.get(0), traces.get(1));
        assertNotEquals(traces.get(0), traces.get(2));
        finish(1);
    }

    @Test
    void streams_serverAndClient_workUnchanged() throws IOException {
        SimulatedNetwork network = new SimulatedNetwork(5).latency(Duration.ofMillis(10), Duration.ofMillis(10));
        List<String> lines = runOn(network, () -> {
            StreamServer server = Streams.startServer((reader, writer) -> {
                String line;
                while ((line = reader.readLine()) != null) {
                    writer.write(line.toUpperCase() + "\n");
                }
            }, "127.0.0.1", 0);
            StreamConnection connection = Streams.openConnection("127.0.0.1", server.port());
            connection.writer().write("one\ntwo\n");
            connection.writer().writeEof();
            List<String> replies = new ArrayList<>();
            String reply;
            while ((reply = connection.reader().readLine()) != null) {
                replies.add(reply + "@" + millis());
            }
            connection.writer().close();
            connection.writer().waitClosed();
            server.close();
            server.waitClosed();
            return replies;
        });
        assertEquals(List.of("ONE@40", "TWO@40"), lines);
        finish(1);
    }

    @Test
    void deadlock_readWithNothingInFlight_isReported() throws IOException {
        try (ServerSocketChannel listener = listen("127.0.0.1"); SocketChannel client = SocketChannel.open()) {
            IllegalStateException thrown = assertThrows(IllegalStateException.class,
                    () -> runOn(new SimulatedNetwork(1), () -> {
                        Task<SocketChannel> accepted = Asyncio.createTask(() -> Asyncio.accept(listener));
                        Asyncio.connect(client, listener.getLocalAddress());
                        try (SocketChannel connection = accepted.await()) {
                            return Asyncio.read(client, ByteBuffer.allocate(8)); // the server never writes
                        }
                    }));
            assertTrue(thrown.getMessage().startsWith("deadlock: no task is ready and none can ever wake up"),
                    thrown.getMessage());
            assertTrue(thrown.getMessage().contains("read on simulated TCP " + listener.getLocalAddress() + " -> "),
                    thrown.getMessage());
        }
        finish(1);
    }
}
