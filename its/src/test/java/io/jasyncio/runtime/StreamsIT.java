package io.jasyncio.runtime;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.Async;
import io.jasyncio.Asyncio;
import io.jasyncio.Task;
import io.jasyncio.streams.IncompleteReadException;
import io.jasyncio.streams.LimitOverrunException;
import io.jasyncio.streams.StreamConnection;
import io.jasyncio.streams.StreamReader;
import io.jasyncio.streams.StreamServer;
import io.jasyncio.streams.StreamWriter;
import io.jasyncio.streams.Streams;
import io.jasyncio.sync.Queue;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;

/** The stream layer ({@code io.jasyncio.streams}) over 127.0.0.1, with woven code. */
class StreamsIT extends AsyncTestBase {
    private static final Duration BOUND = Duration.ofSeconds(30);
    private static final String LOOPBACK = "127.0.0.1";

    /** Both ends of one stream connection: the client's, and the reader and writer its server handler got. */
    private record Ends(StreamConnection client, StreamReader serverReader, StreamWriter serverWriter, StreamServer server) {}

    /**
     * A server whose handler hands its reader and writer over to the test and then waits until
     * they are closed, and a client connected to it.
     */
    @Async
    private static Ends connect() throws IOException {
        Queue<Object[]> handed = new Queue<>(0);
        StreamServer server = Streams.startServer((reader, writer) -> {
            handed.put(new Object[] {reader, writer});
            writer.waitClosed();
        }, LOOPBACK, 0);
        StreamConnection client = Streams.openConnection(LOOPBACK, server.port());
        Object[] pair = handed.get();
        return new Ends(client, (StreamReader) pair[0], (StreamWriter) pair[1], server);
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

    /** Yields until {@code reader} holds {@code count} bytes. */
    @Async
    private static void awaitBuffered(StreamReader reader, int count) {
        while (reader.buffered() < count) {
            Asyncio.sleep(Duration.ZERO);
        }
    }

    private static byte[] pattern(int size) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (i * 7 + (i >>> 9));
        }
        return bytes;
    }

    @Test
    void openConnectionAndStartServer_echoLines() {
        List<String> answers = assertTimeoutPreemptively(BOUND, () -> run(() -> {
            StreamServer server = Streams.startServer((reader, writer) -> {
                String line;
                while ((line = reader.readLine()) != null) {
                    writer.write("echo " + line + "\n");
                    writer.drain();
                }
            }, LOOPBACK, 0);
            StreamConnection connection = Streams.openConnection(LOOPBACK, server.port());
            List<String> got = new ArrayList<>();
            for (String line : List.of("one", "two", "three")) {
                connection.writer().write(line + "\n");
                got.add(connection.reader().readLine());
            }
            connection.writer().close();
            connection.writer().waitClosed();
            server.close();
            server.waitClosed();
            assertFalse(server.isServing());
            return got;
        }));
        assertEquals(List.of("echo one", "echo two", "echo three"), answers);
        finish(1);
    }

    @Test
    void readLine_dropsTerminators_lastLineWithoutOne_thenNull() {
        List<String> lines = assertTimeoutPreemptively(BOUND, () -> run(() -> {
            Ends ends = connect();
            ends.client().writer().write("a\r\nb\n\nlast");
            ends.client().writer().close();
            List<String> got = new ArrayList<>();
            String line;
            while ((line = ends.serverReader().readLine()) != null) {
                got.add(line);
            }
            assertTrue(ends.serverReader().atEof());
            assertNull(ends.serverReader().readLine());
            ends.server().close();
            return got;
        }));
        assertEquals(List.of("a", "b", "", "last"), lines);
        finish(1);
    }

    @Test
    void readExactly_streamEndsFirst_throwsIncompleteReadWithThePartialBytes() {
        IncompleteReadException error = assertTimeoutPreemptively(BOUND, () -> run(() -> {
            Ends ends = connect();
            ends.client().writer().write("abc");
            ends.client().writer().close();
            try {
                ends.serverReader().readExactly(5);
                expectUnreached();
                return null;
            } catch (IncompleteReadException incomplete) {
                assertTrue(ends.serverReader().atEof(), "the partial bytes were consumed");
                ends.server().close();
                return incomplete;
            }
        }));
        assertEquals("abc", new String(error.partial(), UTF_8));
        assertEquals(5, error.expected());
        assertEquals("3 bytes read on a total of 5 expected bytes: the stream ended", error.getMessage());
        finish(1);
    }

    @Test
    void readUntil_returnsUpToTheSeparator_andAtTheEndThrowsIncompleteRead() {
        assertTimeoutPreemptively(BOUND, () -> run(() -> {
            Ends ends = connect();
            ends.client().writer().write("key=value;;rest");
            ends.client().writer().close();
            byte[] separator = ";;".getBytes(UTF_8);
            assertEquals("key=value;;", new String(ends.serverReader().readUntil(separator), UTF_8));
            try {
                ends.serverReader().readUntil(separator);
                expectUnreached();
            } catch (IncompleteReadException incomplete) {
                assertEquals("rest", new String(incomplete.partial(), UTF_8));
                assertEquals(-1, incomplete.expected());
                assertEquals("4 bytes read on a total of undefined expected bytes: the stream ended",
                        incomplete.getMessage());
                expect(1);
            }
            ends.server().close();
        }));
        finish(2);
    }

    @Test
    void readLine_longerThanTheLimit_throwsLimitOverrunAndConsumesNothing() {
        assertTimeoutPreemptively(BOUND, () -> run(() -> {
            Ends ends = connect();
            StreamReader reader = ends.serverReader();
            reader.setLimit(8);
            ends.client().writer().write("0123456789abc\nok\n");
            try {
                reader.readLine();
                expectUnreached();
            } catch (LimitOverrunException overrun) {
                assertEquals("StreamReader.readLine: the line is longer than the limit of 8 bytes; "
                        + overrun.buffered() + " bytes are buffered and left for the next read", overrun.getMessage());
                expect(1);
            }
            assertEquals("0123456789abc\n", new String(reader.readExactly(14), UTF_8));
            assertEquals("ok", reader.readLine());
            ends.server().close();
        }));
        finish(2);
    }

    @Test
    void readExactly_cancelledWithPartOfTheMessageBuffered_theNextReadGetsTheWholeMessage() {
        String message = assertTimeoutPreemptively(BOUND, () -> run(() -> {
            Ends ends = connect();
            StreamReader reader = ends.serverReader();
            Task<byte[]> cancelled = Asyncio.createTask(() -> reader.readExactly(12));
            ends.client().writer().write("hello ");
            awaitBuffered(reader, 6); // the cancelled read took these bytes from the socket
            assertTrue(cancelled.cancel());
            assertFailure(CancellationException.class, cancelled);
            expect(1);
            ends.client().writer().write("world!");
            Task<byte[]> next = Asyncio.createTask(() -> reader.readExactly(12));
            String whole = new String(next.await(), UTF_8);
            ends.server().close();
            return whole;
        }));
        assertEquals("hello world!", message);
        finish(2);
    }

    @Test
    void readLine_cancelledWithPartOfTheLineBuffered_theNextReadGetsTheWholeLine() {
        String line = assertTimeoutPreemptively(BOUND, () -> run(() -> {
            Ends ends = connect();
            StreamReader reader = ends.serverReader();
            Task<String> cancelled = Asyncio.createTask(() -> reader.readLine());
            ends.client().writer().write("hel");
            awaitBuffered(reader, 3);
            assertTrue(cancelled.cancel());
            assertFailure(CancellationException.class, cancelled);
            expect(1);
            ends.client().writer().write("lo\n");
            Task<String> next = Asyncio.createTask(() -> reader.readLine());
            String whole = next.await();
            ends.server().close();
            return whole;
        }));
        assertEquals("hello", line);
        finish(2);
    }

    @Test
    void readExactly_cancelledAfterTheRestArrivedBeforeItRan_theNextReadGetsTheWholeMessage() {
        String message = assertTimeoutPreemptively(BOUND, () -> run(() -> {
            Ends ends = connect();
            StreamReader reader = ends.serverReader();
            Task<byte[]> cancelled = Asyncio.createTask(() -> reader.readExactly(12));
            ends.client().writer().write("hello ");
            awaitBuffered(reader, 6);
            ends.client().writer().write("world!");
            // yield until the loop has seen the rest and made the reader ready, not yet run
            while (!cancelled.toString().contains("ready")) {
                Asyncio.sleep(Duration.ZERO);
            }
            assertTrue(cancelled.cancel());
            assertFailure(CancellationException.class, cancelled);
            assertEquals(6, reader.buffered(), "the rest stayed in the socket");
            String whole = new String(reader.readExactly(12), UTF_8);
            ends.server().close();
            return whole;
        }));
        assertEquals("hello world!", message);
        finish(1);
    }

    @Test
    void read_secondReaderWhileTheFirstWaits_getsIllegalStateException() {
        assertTimeoutPreemptively(BOUND, () -> run(() -> {
            Ends ends = connect();
            StreamReader reader = ends.serverReader();
            Task<byte[]> first = Asyncio.createTask("first", () -> reader.readExactly(4));
            ends.client().writer().write("ab\n");
            awaitBuffered(reader, 3); // a whole line is buffered, and still the second may not take it
            Task<String> second = Asyncio.createTask("second", () -> reader.readLine());
            IllegalStateException error = assertFailure(IllegalStateException.class, second);
            assertEquals("StreamReader.readLine: task second cannot read " + ends.serverWriter().channel()
                    + ": task first is already waiting in a read of this stream; two readers would take each "
                    + "other's bytes: guard it with a Lock", error.getMessage());
            expect(1);
            ends.client().writer().write("c");
            assertEquals("ab\nc", new String(first.await(), UTF_8));
            ends.server().close();
        }));
        finish(2);
    }

    @Test
    void writeAndDrain_megabytesThroughASlowReader_writeBuffersWithoutParking_everyByteArrives() {
        byte[] sent = pattern(16 << 20);
        byte[] received = assertTimeoutPreemptively(BOUND, () -> run(() -> {
            Ends ends = connect();
            StreamReader clientReader = ends.client().reader();
            Task<byte[]> reading = Asyncio.createTask(() -> {
                byte[] all = new byte[sent.length];
                int at = 0;
                while (at < all.length) {
                    byte[] chunk = clientReader.read(64 * 1024);
                    System.arraycopy(chunk, 0, all, at, chunk.length);
                    at += chunk.length;
                    Asyncio.sleep(1); // slow: the server's writer has to buffer
                }
                assertEquals(0, clientReader.read(10).length, "the end of the stream");
                return all;
            });
            StreamWriter writer = ends.serverWriter();
            writer.write(sent);
            assertTrue(writer.buffered() > writer.highWater(), "write buffered what the socket could not take");
            writer.drain();
            assertTrue(writer.buffered() <= writer.highWater());
            expect(1);
            writer.close();
            byte[] all = reading.await();
            ends.server().close();
            return all;
        }));
        assertArrayEquals(sent, received);
        finish(2);
    }

    @Test
    void close_withBytesBuffered_sendsThemAllBeforeClosing() {
        byte[] sent = pattern(16 << 20);
        byte[] received = assertTimeoutPreemptively(BOUND, () -> run(() -> {
            Ends ends = connect();
            StreamWriter writer = ends.serverWriter();
            writer.write(sent);
            writer.close();
            assertTrue(writer.isClosing());
            byte[] all = ends.client().reader().readExactly(sent.length);
            writer.waitClosed();
            assertEquals(0, ends.client().reader().read(1).length);
            assertTrue(ends.client().reader().atEof());
            ends.server().close();
            return all;
        }));
        assertArrayEquals(sent, received);
        finish(1);
    }

    @Test
    void handlerReturns_connectionClosedAfterItsBytesAreSent() {
        List<String> lines = assertTimeoutPreemptively(BOUND, () -> run(() -> {
            StreamServer server = Streams.startServer((reader, writer) -> writer.write("bye\n"), LOOPBACK, 0);
            StreamConnection client = Streams.openConnection(LOOPBACK, server.port());
            List<String> got = new ArrayList<>();
            got.add(client.reader().readLine());
            got.add(client.reader().readLine());
            client.writer().close();
            server.close();
            server.waitClosed();
            return got;
        }));
        assertEquals(java.util.Arrays.asList("bye", null), lines);
        finish(1);
    }

    @Test
    void waitClosed_returnsOnlyOnceTheAcceptTaskHasEnded() {
        int left = assertTimeoutPreemptively(BOUND, () -> run(() -> {
            StreamServer server = Streams.startServer((reader, writer) -> { }, LOOPBACK, 0);
            Asyncio.sleep(Duration.ZERO); // the accept task parks in accept
            server.close();
            server.waitClosed();
            // like asyncio's Server.wait_closed: nothing of the server is left running
            return Asyncio.allTasks().size();
        }));
        assertEquals(1, left, "only the main task should be left once waitClosed returned");
        finish(1);
    }

    @Test
    void waitClosed_ofAServerClosedBeforeItsAcceptTaskRan_returns() {
        assertTimeoutPreemptively(BOUND, () -> run(() -> {
            StreamServer server = Streams.startServer((reader, writer) -> { }, LOOPBACK, 0);
            server.close(); // the accept task never starts
            server.waitClosed();
            assertEquals(1, Asyncio.allTasks().size());
        }));
        finish(1);
    }

    @Test
    void serverClose_cancelsHandlerTasksAndClosesTheirSockets() {
        List<String> events = new ArrayList<>();
        int port = assertTimeoutPreemptively(BOUND, () -> run(() -> {
            StreamServer server = Streams.startServer((reader, writer) -> {
                events.add("handler started");
                try {
                    events.add("handler read " + reader.readLine());
                } catch (CancellationException cancelled) {
                    events.add("handler cancelled");
                    throw cancelled;
                }
            }, LOOPBACK, 0);
            StreamConnection client = Streams.openConnection(LOOPBACK, server.port());
            while (events.isEmpty()) {
                Asyncio.sleep(Duration.ZERO); // until the handler has started and parked in readLine
            }
            server.close();
            server.waitClosed();
            events.add("closed");
            events.add("client read " + client.reader().readLine());
            client.writer().close();
            return server.port();
        }));
        assertEquals(List.of("handler started", "handler cancelled", "closed", "client read null"), events);
        assertThrows(ConnectException.class, () -> new Socket(LOOPBACK, port).close(), "nobody listens any more");
        finish(1);
    }

    @Test
    void loopEnds_serverAndConnectionsAreClosed() throws IOException {
        List<String> events = new ArrayList<>();
        Socket[] client = new Socket[1];
        int port = assertTimeoutPreemptively(BOUND, () -> run(() -> {
            StreamServer server = Streams.startServer((reader, writer) -> {
                events.add("handler started");
                try {
                    reader.readLine();
                } catch (CancellationException cancelled) {
                    events.add("handler cancelled");
                    throw cancelled;
                }
            }, LOOPBACK, 0);
            client[0] = new Socket(LOOPBACK, server.port()); // a blocking client: the backlog takes it at once
            while (events.isEmpty()) {
                Asyncio.sleep(Duration.ZERO);
            }
            return server.port(); // main ends with the server open: Asyncio.run cancels what is left
        }));
        try (Socket socket = client[0]) {
            socket.setSoTimeout(10_000);
            assertEquals(-1, socket.getInputStream().read(), "the server's end was closed");
        }
        assertEquals(List.of("handler started", "handler cancelled"), events);
        assertThrows(ConnectException.class, () -> new Socket(LOOPBACK, port).close(), "nobody listens any more");
        finish(1);
    }

    @Test
    void serveForever_returnsWhenTheServerIsClosed_andClosesItWhenCancelled() {
        assertTimeoutPreemptively(BOUND, () -> run(() -> {
            StreamServer closedByOther = Streams.startServer((reader, writer) -> { }, LOOPBACK, 0);
            Task<Void> serving = Asyncio.createTask(() -> closedByOther.serveForever());
            Asyncio.sleep(Duration.ZERO);
            assertFalse(serving.isDone(), "serveForever parks while the server is open");
            closedByOther.close();
            serving.await();
            expect(1);
            StreamServer closedByCancel = Streams.startServer((reader, writer) -> { }, LOOPBACK, 0);
            Task<Void> cancelled = Asyncio.createTask(() -> closedByCancel.serveForever());
            Asyncio.sleep(Duration.ZERO);
            assertTrue(closedByCancel.isServing());
            cancelled.cancel();
            assertFailure(CancellationException.class, cancelled);
            assertFalse(closedByCancel.isServing(), "cancelling serveForever closes the server");
            closedByCancel.waitClosed();
        }));
        finish(2);
    }

    @Test
    void openConnection_refused_throwsConnectExceptionNamingTheAddress() throws IOException {
        int port;
        try (ServerSocket closedSoon = new ServerSocket(0, 1, java.net.InetAddress.getByName(LOOPBACK))) {
            port = closedSoon.getLocalPort();
        }
        ConnectException error = assertTimeoutPreemptively(BOUND, () -> run(() -> {
            try {
                Streams.openConnection(LOOPBACK, port);
                expectUnreached();
                return null;
            } catch (ConnectException refused) {
                return refused;
            }
        }));
        assertEquals("connect to " + new InetSocketAddress(LOOPBACK, port) + " failed: Connection refused",
                error.getMessage());
        finish(1);
    }
}
