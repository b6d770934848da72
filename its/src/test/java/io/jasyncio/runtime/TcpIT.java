package io.jasyncio.runtime;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.Async;
import io.jasyncio.Asyncio;
import io.jasyncio.Task;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code Asyncio.accept}/{@code connect}/{@code read}/{@code write} over 127.0.0.1, with woven code. */
class TcpIT extends AsyncTestBase {
    private static final Duration BOUND = Duration.ofSeconds(30);
    private final List<java.nio.channels.Channel> channels = new ArrayList<>();
    private ServerSocketChannel server;
    private InetSocketAddress serverAddress;

    @BeforeEach
    void listen() throws IOException {
        server = keep(ServerSocketChannel.open());
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        serverAddress = (InetSocketAddress) server.getLocalAddress();
    }

    @AfterEach
    void closeChannels() throws IOException {
        for (java.nio.channels.Channel channel : channels) {
            channel.close();
        }
    }

    private <C extends java.nio.channels.Channel> C keep(C channel) {
        channels.add(channel);
        return channel;
    }

    /** A client connected through the loop, and the server's end of it. */
    private record Pair(SocketChannel client, SocketChannel accepted) {}

    @Async
    private Pair connectPair() throws IOException {
        Task<SocketChannel> accepting = Asyncio.createTask(() -> keep(Asyncio.accept(server)));
        SocketChannel client = keep(SocketChannel.open());
        Asyncio.connect(client, serverAddress);
        return new Pair(client, accepting.await());
    }

    @Async
    private static String readText(SocketChannel channel, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (Asyncio.read(channel, buffer) < 0) {
                break;
            }
        }
        buffer.flip();
        return UTF_8.decode(buffer).toString();
    }

    /** Awaits {@code task}, which must fail with a {@code type}, and returns that failure. */
    @Async
    static <E extends Throwable> E assertFailure(Class<E> type, Task<?> task) {
        try {
            task.await();
        } catch (Throwable failure) {
            assertTrue(type.isInstance(failure), () -> "expected a " + type.getName() + " but got " + failure);
            return type.cast(failure);
        }
        throw new AssertionError("expected a " + type.getName() + " but the task returned");
    }

    private static ByteBuffer bytes(String text) {
        return ByteBuffer.wrap(text.getBytes(UTF_8));
    }

    @Test
    void acceptConnectReadWrite_clientAndServerExchangeBytes() {
        String answer = assertTimeoutPreemptively(BOUND, () -> run(() -> {
            Task<String> serving = Asyncio.createTask(() -> {
                SocketChannel accepted = keep(Asyncio.accept(server));
                assertFalse(accepted.isBlocking(), "accepted channels are non-blocking");
                String request = readText(accepted, 4);
                Asyncio.write(accepted, bytes("pong for " + request));
                return request;
            });
            SocketChannel client = keep(SocketChannel.open());
            Asyncio.connect(client, serverAddress);
            assertTrue(client.isConnected());
            Asyncio.write(client, bytes("ping"));
            String response = readText(client, 13);
            assertEquals("ping", serving.await());
            return response;
        }));
        assertEquals("pong for ping", answer);
        finish(1);
    }

    @Test
    void read_peerClosed_returnsMinusOneAtTheEnd() {
        assertTimeoutPreemptively(BOUND, () -> run(() -> {
            Pair pair = connectPair();
            Asyncio.write(pair.client(), bytes("last"));
            pair.client().close();
            assertEquals("last", readText(pair.accepted(), 4));
            expect(1);
            assertEquals(-1, Asyncio.read(pair.accepted(), ByteBuffer.allocate(8)));
        }));
        finish(2);
    }

    @Test
    void read_secondReader_getsIllegalStateExceptionNamingBothTasksAndTheChannel() {
        assertTimeoutPreemptively(BOUND, () -> run(() -> {
            Pair pair = connectPair();
            SocketChannel channel = pair.accepted();
            Task<Integer> first = Asyncio.createTask("first", () -> Asyncio.read(channel, ByteBuffer.allocate(8)));
            Asyncio.sleep(Duration.ZERO);
            Task<Integer> second = Asyncio.createTask("second", () -> Asyncio.read(channel, ByteBuffer.allocate(8)));
            IllegalStateException error = assertFailure(IllegalStateException.class, second);
            assertEquals("task second cannot read " + channel + ": task first is already waiting to read it; "
                    + "two tasks at once would steal each other's data: guard it with a Lock", error.getMessage());
            expect(1);
            Asyncio.write(pair.client(), bytes("x"));
            assertEquals(1, first.await());
        }));
        finish(2);
    }

    @Test
    void write_secondWriterWhileTheFirstWaits_getsIllegalStateException() {
        assertTimeoutPreemptively(BOUND, () -> run(() -> {
            Pair pair = connectPair();
            SocketChannel channel = pair.accepted();
            ByteBuffer large = ByteBuffer.allocate(32 << 20); // more than the socket buffers hold: the writer parks
            Task<Object> first = Asyncio.createTask("first", () -> {
                Asyncio.write(channel, large);
                return null;
            });
            Asyncio.sleep(Duration.ZERO);
            assertTrue(large.hasRemaining(), "the first writer parks with bytes left");
            Task<Object> second = Asyncio.createTask("second", () -> {
                Asyncio.write(channel, bytes("x"));
                return null;
            });
            IllegalStateException error = assertFailure(IllegalStateException.class, second);
            assertEquals("task second cannot write " + channel + ": task first is already waiting to write it; "
                    + "two tasks at once would interleave their bytes: guard it with a Lock", error.getMessage());
            expect(1);
            first.cancel();
            assertFailure(CancellationException.class, first);
        }));
        finish(2);
    }

    @Test
    void write_severalMegabytesThroughASlowReader_everyByteArrivesInOrder() {
        byte[] sent = new byte[6 << 20];
        for (int i = 0; i < sent.length; i++) {
            sent[i] = (byte) (i * 31 + (i >>> 11));
        }
        byte[] received = assertTimeoutPreemptively(BOUND, () -> run(() -> {
            Pair pair = connectPair();
            Task<byte[]> reader = Asyncio.createTask(() -> {
                ByteBuffer into = ByteBuffer.allocate(sent.length);
                int reads = 0;
                while (Asyncio.read(pair.accepted(), into) > 0) {
                    if (++reads % 8 == 0) {
                        Asyncio.sleep(1); // a slow reader: the writer's socket fills up
                    }
                }
                return into.array();
            });
            ByteBuffer source = ByteBuffer.wrap(sent);
            Asyncio.write(pair.client(), source);
            assertFalse(source.hasRemaining(), "write returns when every byte is written");
            pair.client().shutdownOutput();
            return reader.await();
        }));
        assertArrayEquals(sent, received);
        finish(1);
    }

    @Test
    void read_cancelledWhileParked_consumesNothing() {
        ByteBuffer lost = ByteBuffer.allocate(64);
        String kept = assertTimeoutPreemptively(BOUND, () -> run(() -> {
            Pair pair = connectPair();
            Task<Integer> cancelled = Asyncio.createTask(() -> Asyncio.read(pair.accepted(), lost));
            Asyncio.sleep(Duration.ZERO);
            assertTrue(cancelled.cancel());
            Asyncio.write(pair.client(), bytes("kept"));
            assertFailure(CancellationException.class, cancelled);
            expect(1);
            return readText(pair.accepted(), 4);
        }));
        assertEquals(0, lost.position(), "the cancelled read read nothing");
        assertEquals("kept", kept);
        finish(2);
    }

    @Test
    void read_cancelledAfterTheBytesArrivedBeforeItRan_consumesNothing() {
        ByteBuffer lost = ByteBuffer.allocate(64);
        String kept = assertTimeoutPreemptively(BOUND, () -> run(() -> {
            Pair pair = connectPair();
            Task<Integer> cancelled = Asyncio.createTask(() -> Asyncio.read(pair.accepted(), lost));
            Asyncio.sleep(Duration.ZERO);
            Asyncio.write(pair.client(), bytes("kept"));
            // yield until the loop has seen the bytes and made the reader ready, not yet run
            while (!cancelled.toString().contains("ready")) {
                Asyncio.sleep(Duration.ZERO);
            }
            assertTrue(cancelled.cancel());
            assertFailure(CancellationException.class, cancelled);
            expect(1);
            return readText(pair.accepted(), 4);
        }));
        assertEquals(0, lost.position(), "the cancelled read read nothing");
        assertEquals("kept", kept);
        finish(2);
    }

    @Test
    void accept_cancelledWhileParked_connectionLeftForTheNextAccept() {
        assertTimeoutPreemptively(BOUND, () -> run(() -> {
            Task<SocketChannel> cancelled = Asyncio.createTask(() -> keep(Asyncio.accept(server)));
            Asyncio.sleep(Duration.ZERO);
            assertTrue(cancelled.cancel());
            assertFailure(CancellationException.class, cancelled);
            SocketChannel client = keep(SocketChannel.open());
            Asyncio.connect(client, serverAddress);
            SocketChannel accepted = keep(Asyncio.accept(server));
            assertEquals(client.getLocalAddress(), accepted.getRemoteAddress());
        }));
        finish(1);
    }

    @Test
    void accept_secondAcceptor_getsIllegalStateExceptionNamingBothTasksAndTheChannel() {
        assertTimeoutPreemptively(BOUND, () -> run(() -> {
            Task<SocketChannel> first = Asyncio.createTask("first", () -> keep(Asyncio.accept(server)));
            Asyncio.sleep(Duration.ZERO);
            Task<SocketChannel> second = Asyncio.createTask("second", () -> keep(Asyncio.accept(server)));
            IllegalStateException error = assertFailure(IllegalStateException.class, second);
            assertEquals("task second cannot accept on " + server + ": task first is already waiting to accept on it; "
                    + "two tasks at once would steal each other's connections: guard it with a Lock", error.getMessage());
            expect(1);
            SocketChannel client = keep(SocketChannel.open());
            Asyncio.connect(client, serverAddress);
            assertEquals(client.getLocalAddress(), first.await().getRemoteAddress());
        }));
        finish(2);
    }

    @Test
    void read_channelClosedByAnotherTaskWhileWaiting_throwsClosedChannelException() {
        assertTimeoutPreemptively(BOUND, () -> run(() -> {
            Pair pair = connectPair();
            Task<Integer> reader = Asyncio.createTask(() -> Asyncio.read(pair.accepted(), ByteBuffer.allocate(8)));
            Asyncio.sleep(Duration.ZERO);
            pair.accepted().close();
            CompletionException error = assertFailure(CompletionException.class, reader);
            assertTrue(error.getCause() instanceof ClosedChannelException, () -> "cause: " + error.getCause());
        }));
        finish(1);
    }

    @Test
    void accept_serverClosedWhileWaiting_throwsClosedChannelException() {
        assertTimeoutPreemptively(BOUND, () -> run(() -> {
            Task<SocketChannel> accepting = Asyncio.createTask(() -> Asyncio.accept(server));
            Asyncio.sleep(Duration.ZERO);
            server.close();
            CompletionException error = assertFailure(CompletionException.class, accepting);
            assertTrue(error.getCause() instanceof ClosedChannelException, () -> "cause: " + error.getCause());
        }));
        finish(1);
    }

    @Test
    void connect_refused_throwsConnectExceptionNamingTheAddress() throws IOException {
        server.close(); // nobody listens on its port any more
        SocketChannel client = keep(SocketChannel.open());
        ConnectException error = assertTimeoutPreemptively(BOUND, () -> run(() -> {
            try {
                Asyncio.connect(client, serverAddress);
                expectUnreached();
                return null;
            } catch (ConnectException refused) {
                return refused;
            }
        }));
        assertEquals("connect to " + serverAddress + " failed: Connection refused", error.getMessage());
        assertFalse(client.isOpen(), "a refused channel is closed");
        finish(1);
    }
}
