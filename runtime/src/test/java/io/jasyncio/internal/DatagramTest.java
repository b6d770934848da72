package io.jasyncio.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.Asyncio;
import io.jasyncio.Task;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code Asyncio.receive}/{@code send} over 127.0.0.1 with ephemeral ports. */
class DatagramTest extends LoopTestBase {
    private static final Duration BOUND = Duration.ofSeconds(30);
    private final List<DatagramChannel> channels = new ArrayList<>();

    private DatagramChannel bind() throws IOException {
        DatagramChannel channel = DatagramChannel.open();
        channels.add(channel);
        channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return channel;
    }

    @BeforeEach
    @AfterEach
    void closeChannels() throws IOException {
        for (DatagramChannel channel : channels) {
            channel.close();
        }
        channels.clear();
    }

    private static ByteBuffer bytes(String text) {
        return ByteBuffer.wrap(text.getBytes(UTF_8));
    }

    private static String text(ByteBuffer buffer) {
        buffer.flip();
        return UTF_8.decode(buffer).toString();
    }

    private static HandWoven.Step receive(DatagramChannel channel, ByteBuffer into) {
        return previous -> Asyncio.receive(channel, into);
    }

    @Test
    void receiveAndSend_twoTasks_exchangeDatagrams() throws IOException {
        DatagramChannel server = bind();
        DatagramChannel client = bind();
        SocketAddress serverAddress = server.getLocalAddress();
        ByteBuffer request = ByteBuffer.allocate(64);
        ByteBuffer response = ByteBuffer.allocate(64);
        Object reply = assertTimeoutPreemptively(BOUND, () -> runOnSystemClock(HandWoven.body()
                .step(previous -> {
                    Task<?> serving = Asyncio.createTask(HandWoven.body()
                            .step(receive(server, request))
                            .step(sender -> {
                                assertEquals(client.getLocalAddress(), sender);
                                Asyncio.send(server, bytes("response for " + text(request)), (SocketAddress) sender);
                                return null;
                            }));
                    Task<?> asking = Asyncio.createTask(HandWoven.body()
                            .step(previous2 -> {
                                Asyncio.send(client, bytes("request0"), serverAddress);
                                return null;
                            })
                            .step(receive(client, response))
                            .step(sender -> {
                                assertEquals(serverAddress, sender);
                                return text(response);
                            }));
                    return new Task<?>[] {serving, asking};
                })
                .step(tasks -> ((Task<?>[]) tasks)[1].await())));
        assertEquals("response for request0", reply);
        finish(1);
    }

    @Test
    void receive_cancelledWhileParked_datagramLeftForTheNextReceive() throws IOException {
        DatagramChannel receiver = bind();
        DatagramChannel sender = bind();
        Task<?>[] cancelled = new Task<?>[1];
        ByteBuffer lost = ByteBuffer.allocate(64);
        ByteBuffer found = ByteBuffer.allocate(64);
        assertTimeoutPreemptively(BOUND, () -> runOnSystemClock(HandWoven.body()
                .then(() -> cancelled[0] = Asyncio.createTask(HandWoven.body()
                        .step(receive(receiver, lost))
                        .then(() -> expectUnreached())))
                .step(yieldOnce())
                .then(() -> {
                    expect(1);
                    assertTrue(cancelled[0].cancel());
                    sender.send(bytes("kept"), receiver.getLocalAddress());
                })
                .step(receive(receiver, found))
                .then(() -> finish(2))));
        assertTrue(cancelled[0].isCancelled());
        assertEquals(0, lost.position(), "the cancelled receive read nothing");
        assertEquals("kept", text(found));
    }

    @Test
    void receive_cancelledAfterTheDatagramArrivedBeforeItRan_datagramLeftForTheNextReceive() throws IOException {
        DatagramChannel receiver = bind();
        DatagramChannel sender = bind();
        Task<?>[] cancelled = new Task<?>[1];
        ByteBuffer lost = ByteBuffer.allocate(64);
        ByteBuffer found = ByteBuffer.allocate(64);
        assertTimeoutPreemptively(BOUND, () -> runOnSystemClock(HandWoven.body()
                .then(() -> cancelled[0] = Asyncio.createTask(HandWoven.body()
                        .step(receive(receiver, lost))
                        .then(() -> expectUnreached())
                        .catching(failure -> {
                            assertInstanceOf(CancellationException.class, failure);
                            expect(2);
                            return null;
                        })))
                .step(yieldOnce())
                .then(() -> sender.send(bytes("kept"), receiver.getLocalAddress()))
                // spin until the loop has seen the datagram and made the receiver ready
                .repeatWhile(() -> !cancelled[0].toString().contains("ready"), yieldOnce())
                .then(() -> {
                    expect(1);
                    assertTrue(cancelled[0].cancel());
                })
                .step(receive(receiver, found)) // the datagram is there: does not park
                .step(yieldOnce()) // the cancelled receiver runs its catch
                .then(() -> finish(3))));
        assertEquals(0, lost.position(), "the cancelled receive read nothing");
        assertEquals("kept", text(found));
    }

    @Test
    void receive_datagramAlreadyThere_doesNotPark() throws IOException {
        DatagramChannel receiver = bind();
        DatagramChannel sender = bind();
        ByteBuffer found = ByteBuffer.allocate(64);
        sender.send(bytes("early"), receiver.getLocalAddress());
        assertTimeoutPreemptively(BOUND, () -> runOnSystemClock(HandWoven.body()
                .repeatWhile(() -> found.position() == 0, previous -> {
                    SocketAddress from = Asyncio.receive(receiver, found);
                    if (from != null) {
                        assertEquals(false, loop.parking, "a receive that got a datagram parked");
                    }
                    return from;
                })
                .then(() -> finish(1))));
        assertEquals("early", text(found));
    }

    @Test
    void receive_channelClosedByAnotherTaskWhileParked_throwsClosedChannelException() throws IOException {
        DatagramChannel receiver = bind();
        ByteBuffer never = ByteBuffer.allocate(64);
        Task<?>[] reading = new Task<?>[1];
        assertTimeoutPreemptively(BOUND, () -> runOnSystemClock(HandWoven.body()
                .then(() -> reading[0] = Asyncio.createTask(HandWoven.body()
                        .step(receive(receiver, never))
                        .then(() -> expectUnreached())))
                .step(yieldOnce())
                .then(() -> {
                    expect(1);
                    receiver.close();
                })
                .step(await(reading))
                .catching(failure -> {
                    assertInstanceOf(ClosedChannelException.class, failure.getCause(), failure.toString());
                    finish(2);
                    return null;
                })));
        assertEquals(0, never.position());
    }
}
