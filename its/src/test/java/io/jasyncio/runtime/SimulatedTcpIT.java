package io.jasyncio.runtime;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import io.jasyncio.streams.StreamWriter;
import io.jasyncio.streams.Streams;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
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
 * through simulated pipes, in order, with latency, retransmission delays for losses, delays
 * for reordering, partitions that hold the bytes until healed, a window that makes writers
 * wait for their readers, and resets when bytes reach a closed channel.
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
    void accept_secondAcceptor_failsAsOnTheRealPath() throws IOException {
        try (ServerSocketChannel listener = listen("127.0.0.1")) {
            IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> runOn(new SimulatedNetwork(1), () -> {
                Task<SocketChannel> first = Asyncio.createTask("first", () -> Asyncio.accept(listener));
                Asyncio.sleep(Duration.ofMillis(1));
                try {
                    return Asyncio.createTask("second", () -> Asyncio.accept(listener)).await();
                } finally {
                    first.cancel();
                }
            }));
            assertEquals("task second cannot accept on simulated TCP " + listener.getLocalAddress()
                    + ": task first is already waiting to accept on it; two tasks at once would steal each other's "
                    + "connections: guard it with a Lock", thrown.getMessage());
        }
        finish(1);
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

    // ------------------------------------------------------------------ the window

    /** {@code count} bytes of a pattern that shows misplaced or lost bytes. */
    private static byte[] pattern(int count) {
        byte[] bytes = new byte[count];
        for (int i = 0; i < count; i++) {
            bytes[i] = (byte) (i % 251);
        }
        return bytes;
    }

    /** Reads until the end of the stream, {@code chunk} bytes at most per read. */
    @Async
    static byte[] readToEnd(SocketChannel channel, int chunk) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(chunk);
        while (Asyncio.read(channel, buffer) >= 0) {
            all.write(buffer.array(), 0, buffer.position());
            buffer.clear();
        }
        return all.toByteArray();
    }

    /** Accepts one connection, sleeps {@code pause}, then reads it to the end. */
    @Async
    static byte[] acceptSleepRead(ServerSocketChannel listener, Duration pause, int chunk) throws IOException {
        try (SocketChannel connection = Asyncio.accept(listener)) {
            Asyncio.sleep(pause);
            return readToEnd(connection, chunk);
        }
    }

    @Test
    void write_toASlowReader_parksUntilItsReadsFreeRoom() throws IOException {
        SimulatedNetwork network = new SimulatedNetwork(1).latency(Duration.ofMillis(10), Duration.ofMillis(10));
        assertEquals(256 * 1024, network.tcpWindow());
        byte[] sent = pattern(1024 * 1024);
        try (ServerSocketChannel listener = listen("127.0.0.1"); SocketChannel client = SocketChannel.open()) {
            long[] writtenAt = new long[1];
            byte[] received = runOn(network, () -> {
                Task<byte[]> reader = Asyncio.createTask(
                        () -> acceptSleepRead(listener, Duration.ofSeconds(1), 64 * 1024));
                Asyncio.connect(client, listener.getLocalAddress()); // at 20; the reader starts reading at 1010
                Asyncio.write(client, ByteBuffer.wrap(sent));
                writtenAt[0] = millis();
                client.shutdownOutput();
                return reader.await();
            });
            assertArrayEquals(sent, received);
            // 256 KiB go at once; the other 768 KiB only as the reader reads, from 1010 on
            assertTrue(writtenAt[0] >= 1010, "the write waited for the reader: " + writtenAt[0]);
        }
        finish(1);
    }

    @Test
    void tcpWindow_boundsTheBytesInFlightAndUnread() throws IOException {
        SimulatedNetwork network = new SimulatedNetwork(1).latency(Duration.ofMillis(10), Duration.ofMillis(10))
                .tcpWindow(1000);
        byte[] sent = pattern(5000);
        try (ServerSocketChannel listener = listen("127.0.0.1"); SocketChannel client = SocketChannel.open()) {
            List<String> trace = runOn(network, () -> {
                List<String> events = new ArrayList<>();
                Task<byte[]> reader = Asyncio.createTask(() -> acceptSleepRead(listener, Duration.ofSeconds(1), 4096));
                Asyncio.connect(client, listener.getLocalAddress());
                Asyncio.write(client, ByteBuffer.wrap(sent));
                events.add("written@" + millis());
                client.shutdownOutput();
                assertArrayEquals(sent, reader.await());
                events.add("read@" + millis());
                return events;
            });
            // 1000 bytes at 20 (read at 1010), then 1000 more at each read, each a latency away
            assertEquals(List.of("written@1040", "read@1050"), trace);
        }
        assertEquals(5, network.tcpSegmentsSent());
        assertThrows(IllegalArgumentException.class, () -> network.tcpWindow(0));
        finish(1);
    }

    @Test
    void write_cancelled_keepsTheBytesItTook_andSendsNoMore() throws IOException {
        SimulatedNetwork network = new SimulatedNetwork(1).latency(Duration.ofMillis(10), Duration.ofMillis(10))
                .tcpWindow(1000);
        byte[] sent = pattern(5000);
        try (ServerSocketChannel listener = listen("127.0.0.1"); SocketChannel client = SocketChannel.open()) {
            byte[] received = runOn(network, () -> {
                Task<byte[]> reader = Asyncio.createTask(() -> acceptSleepRead(listener, Duration.ofSeconds(1), 4096));
                Asyncio.connect(client, listener.getLocalAddress());
                ByteBuffer src = ByteBuffer.wrap(sent);
                try {
                    Asyncio.timeout(Duration.ofMillis(50), () -> {
                        Asyncio.write(client, src);
                    });
                    expectUnreached();
                } catch (TimeoutException expected) {
                    expect(1);
                }
                assertEquals(1000, src.position(), "what the window took before the cancel");
                Asyncio.write(client, ByteBuffer.wrap("tail".getBytes(UTF_8)));
                client.shutdownOutput();
                return reader.await();
            });
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            expected.write(sent, 0, 1000);
            expected.write("tail".getBytes(UTF_8));
            assertArrayEquals(expected.toByteArray(), received);
        }
        finish(2);
    }

    @Test
    void write_secondWriter_failsNamingBoth() throws IOException {
        SimulatedNetwork network = new SimulatedNetwork(1).tcpWindow(10);
        try (ServerSocketChannel listener = listen("127.0.0.1"); SocketChannel client = SocketChannel.open()) {
            IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> runOn(network, () -> {
                Task<SocketChannel> accepted = Asyncio.createTask(() -> Asyncio.accept(listener));
                Asyncio.connect(client, listener.getLocalAddress());
                try (SocketChannel connection = accepted.await()) {
                    Task<Void> first = Asyncio.createTask("first", () -> Asyncio.write(client, ByteBuffer.allocate(100)));
                    Asyncio.sleep(Duration.ofMillis(1));
                    try {
                        Asyncio.write(client, ByteBuffer.allocate(1));
                        return null;
                    } finally {
                        first.cancel();
                    }
                }
            }));
            assertTrue(thrown.getMessage().matches("task Task-\\d+ cannot write simulated TCP /127\\.0\\.0\\.1:\\d+ -> "
                    + "/127\\.0\\.0\\.1:\\d+: task first is already waiting to write it; two tasks at once would "
                    + "interleave their bytes: guard it with a Lock"), thrown.getMessage());
        }
        finish(1);
    }

    @Test
    void deadlock_writerOnAFullWindowWhoseReaderNeverReads_isReported() throws IOException {
        SimulatedNetwork network = new SimulatedNetwork(1).latency(Duration.ofMillis(10), Duration.ofMillis(10))
                .tcpWindow(1000);
        try (ServerSocketChannel listener = listen("127.0.0.1"); SocketChannel client = SocketChannel.open()) {
            IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> runOn(network, () -> {
                Task<SocketChannel> accepted = Asyncio.createTask(() -> Asyncio.accept(listener));
                Asyncio.connect(client, listener.getLocalAddress());
                try (SocketChannel connection = accepted.await()) {
                    Asyncio.write(client, ByteBuffer.allocate(2000)); // the server never reads
                    return null;
                }
            }));
            assertTrue(thrown.getMessage().startsWith("deadlock: no task is ready and none can ever wake up"),
                    thrown.getMessage());
            assertTrue(thrown.getMessage().contains("write on simulated TCP " + client.getLocalAddress() + " -> "
                    + listener.getLocalAddress()), thrown.getMessage());
        }
        finish(1);
    }

    @Test
    void streams_drain_waitsForASlowReader() throws IOException {
        SimulatedNetwork network = new SimulatedNetwork(1).latency(Duration.ofMillis(10), Duration.ofMillis(10));
        byte[] sent = pattern(1024 * 1024);
        try (ServerSocketChannel listener = listen("127.0.0.1"); SocketChannel client = SocketChannel.open()) {
            long[] drainedAt = new long[2];
            byte[] received = runOn(network, () -> {
                Task<byte[]> reader = Asyncio.createTask(
                        () -> acceptSleepRead(listener, Duration.ofSeconds(1), 64 * 1024));
                Asyncio.connect(client, listener.getLocalAddress());
                StreamWriter writer = Streams.open(client).writer();
                writer.write(sent);
                drainedAt[1] = writer.buffered();
                writer.drain();
                drainedAt[0] = millis();
                writer.close();
                writer.waitClosed();
                return reader.await();
            });
            assertArrayEquals(sent, received);
            assertEquals(1024 * 1024 - 256 * 1024, drainedAt[1], "the window took 256 KiB, the writer buffers the rest");
            assertTrue(drainedAt[0] >= 1010, "drain waited for the reader: " + drainedAt[0]);
        }
        finish(1);
    }

    // ------------------------------------------------------------------ resets

    @Test
    void reset_writesAfterThePeerClosed_failWithBrokenPipe_onceTheResetCameBack() throws IOException {
        SimulatedNetwork network = new SimulatedNetwork(1).latency(Duration.ofMillis(10), Duration.ofMillis(10));
        try (ServerSocketChannel listener = listen("127.0.0.1"); SocketChannel client = SocketChannel.open()) {
            List<String> trace = runOn(network, () -> {
                List<String> events = new ArrayList<>();
                Task<SocketChannel> accepted = Asyncio.createTask(() -> Asyncio.accept(listener));
                Asyncio.connect(client, listener.getLocalAddress()); // at 20
                accepted.await().close(); // its end of stream reaches the client at 30
                Asyncio.write(client, ByteBuffer.wrap("a".getBytes(UTF_8))); // reaches the closed end at 30
                events.add("first write@" + millis());
                Asyncio.sleep(Duration.ofMillis(30)); // the reset is back at 40
                for (int i = 0; i < 2; i++) {
                    try {
                        Asyncio.write(client, ByteBuffer.wrap("b".getBytes(UTF_8)));
                        expectUnreached();
                    } catch (IOException thrown) {
                        events.add(thrown.getMessage() + "@" + millis());
                    }
                }
                events.add("read " + Asyncio.read(client, ByteBuffer.allocate(8)));
                return events;
            });
            assertEquals(List.of("first write@20", "Broken pipe@50", "Broken pipe@50", "read -1"), trace);
        }
        finish(1);
    }

    @Test
    void reset_closingWithUnreadBytes_resetsThePeer_whoseReadFails() throws IOException {
        SimulatedNetwork network = new SimulatedNetwork(1).latency(Duration.ofMillis(10), Duration.ofMillis(10));
        try (ServerSocketChannel listener = listen("127.0.0.1"); SocketChannel client = SocketChannel.open()) {
            List<String> trace = runOn(network, () -> {
                List<String> events = new ArrayList<>();
                Task<SocketChannel> accepted = Asyncio.createTask(() -> Asyncio.accept(listener));
                Asyncio.connect(client, listener.getLocalAddress()); // at 20
                SocketChannel connection = accepted.await();
                Asyncio.write(client, ByteBuffer.wrap("unread".getBytes(UTF_8)));
                Asyncio.write(connection, ByteBuffer.wrap("y".getBytes(UTF_8)));
                Asyncio.sleep(Duration.ofMillis(20));
                connection.close(); // at 40, with "unread" unread: a reset instead of the end of stream
                Asyncio.sleep(Duration.ofMillis(20));
                for (int i = 0; i < 2; i++) {
                    ByteBuffer buffer = ByteBuffer.allocate(8);
                    try {
                        events.add("read " + Asyncio.read(client, buffer));
                    } catch (SocketException thrown) {
                        events.add(thrown.getMessage());
                    }
                }
                try {
                    Asyncio.write(client, ByteBuffer.wrap("b".getBytes(UTF_8)));
                    expectUnreached();
                } catch (IOException thrown) {
                    events.add(thrown.getMessage());
                }
                return events;
            });
            // the byte that came before the reset, then the reset, as Linux and the JDK report them
            assertEquals(List.of("read 1", "Connection reset", "Broken pipe"), trace);
        }
        finish(1);
    }

    @Test
    void reset_failsAParkedWrite() throws IOException {
        SimulatedNetwork network = new SimulatedNetwork(1).latency(Duration.ofMillis(10), Duration.ofMillis(10))
                .tcpWindow(1000);
        try (ServerSocketChannel listener = listen("127.0.0.1"); SocketChannel client = SocketChannel.open()) {
            String failure = runOn(network, () -> {
                Task<SocketChannel> accepted = Asyncio.createTask(() -> Asyncio.accept(listener));
                Asyncio.connect(client, listener.getLocalAddress()); // at 20
                SocketChannel connection = accepted.await();
                Asyncio.createTask(() -> {
                    Asyncio.sleep(Duration.ofMillis(100));
                    connection.close(); // 1000 bytes unread: a reset, back at the writer at 130
                });
                try {
                    Asyncio.write(client, ByteBuffer.allocate(5000));
                    expectUnreached();
                    return null;
                } catch (IOException thrown) {
                    return thrown.getMessage() + "@" + millis();
                }
            });
            assertEquals("Connection reset by peer@130", failure);
        }
        finish(1);
    }

    // ------------------------------------------------------------------ cancelled connects

    @Test
    void connect_cancelledBeforeTheHandshakeArrived_closesTheChannel_andIsNeverAccepted() throws IOException {
        SimulatedNetwork network = new SimulatedNetwork(1).latency(Duration.ofMillis(10), Duration.ofMillis(10));
        try (ServerSocketChannel listener = listen("127.0.0.1"); SocketChannel cancelled = SocketChannel.open();
                SocketChannel second = SocketChannel.open()) {
            List<String> trace = runOn(network, () -> {
                List<String> events = new ArrayList<>();
                Task<SocketChannel> accepted = Asyncio.createTask(() -> Asyncio.accept(listener));
                try {
                    Asyncio.timeout(Duration.ofMillis(5), () -> {
                        Asyncio.connect(cancelled, listener.getLocalAddress());
                    });
                    expectUnreached();
                } catch (TimeoutException expected) {
                    events.add("cancelled@" + millis() + " open " + cancelled.isOpen());
                }
                Asyncio.connect(second, listener.getLocalAddress()); // from 5: reaches the listener at 15
                try (SocketChannel connection = accepted.await()) {
                    events.add("accepted@" + millis() + " from the second "
                            + connection.getRemoteAddress().equals(second.getLocalAddress()));
                }
                return events;
            });
            assertEquals(List.of("cancelled@5 open false", "accepted@25 from the second true"), trace);
        }
        finish(1);
    }

    @Test
    void connect_cancelledAfterTheListenerAccepted_closesTheChannel_andEndsThePeersStream() throws IOException {
        SimulatedNetwork network = new SimulatedNetwork(1).latency(Duration.ofMillis(10), Duration.ofMillis(10));
        try (ServerSocketChannel listener = listen("127.0.0.1"); SocketChannel client = SocketChannel.open()) {
            List<String> trace = runOn(network, () -> {
                List<String> events = new ArrayList<>();
                Task<Void> server = Asyncio.createTask(() -> {
                    try (SocketChannel connection = Asyncio.accept(listener)) {
                        events.add("accepted@" + millis());
                        events.add("read " + Asyncio.read(connection, ByteBuffer.allocate(8)) + "@" + millis());
                    }
                });
                try {
                    Asyncio.timeout(Duration.ofMillis(15), () -> {
                        Asyncio.connect(client, listener.getLocalAddress());
                    });
                    expectUnreached();
                } catch (TimeoutException expected) {
                    events.add("cancelled@" + millis() + " open " + client.isOpen());
                }
                server.await();
                return events;
            });
            assertEquals(List.of("accepted@10", "cancelled@15 open false", "read -1@25"), trace);
        }
        finish(1);
    }

    // ------------------------------------------------------------------ reordering, counters

    @Test
    void reordering_delaysTcpBytes_butDeliversAllInOrder() throws IOException {
        List<String> results = new ArrayList<>();
        for (SimulatedNetwork network : new SimulatedNetwork[] {
                new SimulatedNetwork(3).latency(Duration.ofMillis(10), Duration.ofMillis(10)),
                new SimulatedNetwork(3).latency(Duration.ofMillis(10), Duration.ofMillis(10)).reordering(1.0),
                new SimulatedNetwork(3).latency(Duration.ofMillis(1), Duration.ofMillis(30)).reordering(0.5)
                        .duplication(1.0)}) {
            try (ServerSocketChannel listener = listen("127.0.0.1"); SocketChannel client = SocketChannel.open()) {
                results.add(runOn(network, () -> lossyTransfer(listener, client)));
            }
        }
        for (String result : results) {
            assertEquals(expectedLines(), result.substring(0, result.indexOf('|')), "every byte, in order, once");
        }
        // handshake 20, writes until 70, the end of stream 10 later; picked for reordering,
        // every segment (handshake legs included) takes a second 10 ms
        assertEquals("80", results.get(0).substring(results.get(0).indexOf('|') + 1));
        assertEquals("110", results.get(1).substring(results.get(1).indexOf('|') + 1));
        finish(1);
    }

    @Test
    void counters_countTcpSegmentsAndRetransmissions_apartFromDatagrams() throws IOException {
        SimulatedNetwork clean = new SimulatedNetwork(3).latency(Duration.ofMillis(5), Duration.ofMillis(15));
        SimulatedNetwork lossy = new SimulatedNetwork(3).latency(Duration.ofMillis(5), Duration.ofMillis(15)).loss(0.3);
        for (SimulatedNetwork network : new SimulatedNetwork[] {clean, lossy}) {
            try (ServerSocketChannel listener = listen("127.0.0.1"); SocketChannel client = SocketChannel.open()) {
                runOn(network, () -> lossyTransfer(listener, client));
            }
            assertEquals(50, network.tcpSegmentsSent(), "one segment per write");
            assertEquals(0, network.sent(), "no datagram");
        }
        assertEquals(0, clean.tcpRetransmissions());
        assertTrue(lossy.tcpRetransmissions() > 0, "losses at 0.3 over 50 writes, a close and a handshake");
        // the counters start again with each run
        try (ServerSocketChannel listener = listen("127.0.0.1"); SocketChannel client = SocketChannel.open()) {
            runOn(clean, () -> {
                Task<SocketChannel> accepted = Asyncio.createTask(() -> Asyncio.accept(listener));
                Asyncio.connect(client, listener.getLocalAddress());
                accepted.await().close();
                return null;
            });
        }
        assertEquals(0, clean.tcpSegmentsSent());
        finish(1);
    }
}
