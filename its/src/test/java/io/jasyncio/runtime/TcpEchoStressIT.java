package io.jasyncio.runtime;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.jasyncio.Async;
import io.jasyncio.Asyncio;
import io.jasyncio.Task;
import io.jasyncio.streams.StreamConnection;
import io.jasyncio.streams.StreamReader;
import io.jasyncio.streams.StreamServer;
import io.jasyncio.streams.StreamWriter;
import io.jasyncio.streams.Streams;
import io.jasyncio.sync.Barrier;
import java.util.concurrent.BrokenBarrierException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A TCP echo server and 1,000 clients connected to it at once on 127.0.0.1, all on one loop,
 * through the stream layer; every byte echoed is checked. Kept apart from the behaviour tests.
 */
@Tag("stress")
class TcpEchoStressIT extends AsyncTestBase {
    private static final int CLIENTS = 1_000;
    private static final int LINES = 20;
    private final int[] mostConnections = {0};

    /** Echoes every line back, until the client closes its side. */
    @Async
    private static void echo(StreamReader reader, StreamWriter writer) throws IOException {
        String line;
        while ((line = reader.readLine()) != null) {
            writer.write(line + "\n");
            writer.drain();
        }
    }

    /** The {@code index}-th line of client {@code client}: lengths vary from 1 to a few KiB. */
    private static String line(int client, int index) {
        StringBuilder text = new StringBuilder().append(client).append(':').append(index).append(':');
        int length = (client * 131 + index * 977) % 3000;
        for (int i = 0; i < length; i++) {
            text.append((char) ('a' + (client + i * index) % 26));
        }
        return text.toString();
    }

    /** Sends every line (with a few writes at a time), reads every echo, and returns how many bytes came back. */
    @Async
    private long client(StreamServer server, Barrier connected, int client) throws IOException, BrokenBarrierException {
        StreamConnection connection = Streams.openConnection(server.address());
        connected.await(); // every client connects before any sends
        mostConnections[0] = Math.max(mostConnections[0], server.connectionCount());
        long bytes = 0;
        for (int index = 0; index < LINES; index += 2) {
            connection.writer().write(line(client, index) + "\n" + line(client, index + 1) + "\n");
            connection.writer().drain();
            for (int echoed = index; echoed < index + 2; echoed++) {
                String line = connection.reader().readLine();
                assertEquals(line(client, echoed), line, "echo of line " + echoed + " of client " + client);
                bytes += line.length() + 1;
            }
        }
        connection.writer().writeEof();
        assertNull(connection.reader().readLine(), "the server closes after the client's end of stream");
        connection.writer().close();
        connection.writer().waitClosed();
        return bytes;
    }

    @Test
    void echo_thousandConcurrentConnections_everyByteComesBack() {
        long expected = 0;
        for (int client = 0; client < CLIENTS; client++) {
            for (int index = 0; index < LINES; index++) {
                expected += line(client, index).getBytes(UTF_8).length + 1;
            }
        }
        long echoed = assertTimeoutPreemptively(Duration.ofSeconds(120), () -> run(() -> {
            StreamServer server = Streams.startServer(TcpEchoStressIT::echo,
                    new InetSocketAddress("127.0.0.1", 0), /* backlog = */ CLIENTS);
            Barrier connected = new Barrier(CLIENTS);
            List<Task<Long>> clients = new ArrayList<>();
            for (int client = 0; client < CLIENTS; client++) {
                int id = client;
                clients.add(Asyncio.createTask(() -> client(server, connected, id)));
            }
            long total = 0;
            for (long bytes : Asyncio.gather(clients)) {
                total += bytes;
            }
            server.close();
            server.waitClosed();
            return total;
        }));
        assertEquals(expected, echoed);
        assertEquals(CLIENTS, mostConnections[0], "every connection was open at once");
        finish(1);
    }
}
