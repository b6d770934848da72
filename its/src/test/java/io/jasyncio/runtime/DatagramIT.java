package io.jasyncio.runtime;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.Async;
import io.jasyncio.Asyncio;
import io.jasyncio.Task;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code Asyncio.receive}/{@code send} over 127.0.0.1, ephemeral ports, with woven code. */
class DatagramIT extends AsyncTestBase {
    private static final Duration BOUND = Duration.ofSeconds(30);
    private final List<DatagramChannel> channels = new ArrayList<>();

    private DatagramChannel bind() throws IOException {
        DatagramChannel channel = DatagramChannel.open();
        channels.add(channel);
        channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return channel;
    }

    @AfterEach
    void closeChannels() throws IOException {
        for (DatagramChannel channel : channels) {
            channel.close();
        }
    }

    private static ByteBuffer bytes(String text) {
        return ByteBuffer.wrap(text.getBytes(UTF_8));
    }

    private static String text(ByteBuffer buffer) {
        buffer.flip();
        return UTF_8.decode(buffer).toString();
    }

    @Async
    static void serve(DatagramChannel socket, int requests) throws IOException {
        for (int i = 0; i < requests; i++) {
            ByteBuffer request = ByteBuffer.allocate(256);
            SocketAddress client = Asyncio.receive(socket, request);
            Asyncio.send(socket, bytes("response for " + text(request)), client);
        }
    }

    @Async
    static String call(DatagramChannel socket, SocketAddress server, String request) throws IOException {
        Asyncio.send(socket, bytes(request), server);
        ByteBuffer response = ByteBuffer.allocate(256);
        SocketAddress from = Asyncio.receive(socket, response);
        assertEquals(server, from);
        return text(response);
    }

    @Test
    void receiveAndSend_tasksExchangeDatagrams() throws IOException {
        DatagramChannel server = bind();
        DatagramChannel first = bind();
        DatagramChannel second = bind();
        SocketAddress serverAddress = server.getLocalAddress();
        List<String> responses = assertTimeoutPreemptively(BOUND, () -> run(() -> {
            Task<Void> serving = Asyncio.createTask(() -> serve(server, 2));
            Task<String> request0 = Asyncio.createTask(() -> call(first, serverAddress, "request0"));
            Task<String> request1 = Asyncio.createTask(() -> call(second, serverAddress, "request1"));
            List<String> answers = List.of(request0.await(), request1.await());
            serving.await();
            return answers;
        }));
        assertEquals(List.of("response for request0", "response for request1"), responses);
        finish(1);
    }

    @Test
    void receive_cancelledWhileParked_datagramLeftForTheNextReceive() throws IOException {
        DatagramChannel receiver = bind();
        DatagramChannel sender = bind();
        ByteBuffer lost = ByteBuffer.allocate(64);
        String kept = assertTimeoutPreemptively(BOUND, () -> run(() -> {
            Task<SocketAddress> cancelled = Asyncio.createTask(() -> Asyncio.receive(receiver, lost));
            Asyncio.sleep(Duration.ZERO);
            expect(1);
            assertTrue(cancelled.cancel());
            sender.send(bytes("kept"), receiver.getLocalAddress());
            try {
                cancelled.await();
                expectUnreached();
            } catch (CancellationException expected) {
                expect(2);
            }
            ByteBuffer found = ByteBuffer.allocate(64);
            Asyncio.receive(receiver, found);
            return text(found);
        }));
        assertEquals(0, lost.position(), "the cancelled receive read nothing");
        assertEquals("kept", kept);
        finish(3);
    }

    @Test
    void receive_cancelledAfterTheDatagramArrivedBeforeItRan_datagramLeftForTheNextReceive() throws IOException {
        DatagramChannel receiver = bind();
        DatagramChannel sender = bind();
        ByteBuffer lost = ByteBuffer.allocate(64);
        String kept = assertTimeoutPreemptively(BOUND, () -> run(() -> {
            Task<SocketAddress> cancelled = Asyncio.createTask(() -> Asyncio.receive(receiver, lost));
            Asyncio.sleep(Duration.ZERO);
            sender.send(bytes("kept"), receiver.getLocalAddress());
            // yield until the loop has seen the datagram and made the receiver ready
            while (!cancelled.toString().contains("ready")) {
                Asyncio.sleep(Duration.ZERO);
            }
            assertTrue(cancelled.cancel());
            ByteBuffer found = ByteBuffer.allocate(64);
            Asyncio.receive(receiver, found);
            try {
                cancelled.await();
                expectUnreached();
            } catch (CancellationException expected) {
                expect(1);
            }
            return text(found);
        }));
        assertEquals(0, lost.position(), "the cancelled receive read nothing");
        assertEquals("kept", kept);
        finish(2);
    }
}
