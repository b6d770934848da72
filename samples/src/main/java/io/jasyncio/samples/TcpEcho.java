package io.jasyncio.samples;

import io.jasyncio.Async;
import io.jasyncio.Asyncio;
import io.jasyncio.Task;
import io.jasyncio.streams.StreamConnection;
import io.jasyncio.streams.StreamReader;
import io.jasyncio.streams.StreamServer;
import io.jasyncio.streams.StreamWriter;
import io.jasyncio.streams.Streams;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A TCP echo server and three clients on one loop, through the stream layer, like the echo
 * examples of asyncio's streams documentation ({@code asyncio.start_server},
 * {@code asyncio.open_connection}).
 *
 * <p>The server runs {@link #echo} for each connection in a task of its own; each client is a
 * task too, and they talk at the same time, each written as plain sequential code. The server
 * listens on 127.0.0.1 on an ephemeral port; the clients are given the port it got. The output
 * is printed once every client is done, in client order, so it is the same on every run.
 */
public final class TcpEcho {
    static final String HOST = "127.0.0.1";
    static final int CLIENTS = 3;

    /** Lines echoed by the server, over every connection. */
    private static int echoed;

    private TcpEcho() {}

    /** Starts the server, runs the clients at the same time, prints what each got back, closes the server. */
    public static void main(String[] args) {
        Asyncio.run(() -> {
            StreamServer server = Streams.startServer(TcpEcho::echo, HOST, 0);
            List<Task<List<String>>> clients = new ArrayList<>();
            for (int id = 0; id < CLIENTS; id++) {
                int client = id;
                clients.add(Asyncio.createTask(() -> client(server.port(), client)));
            }
            List<List<String>> answers = Asyncio.gather(clients);
            for (int client = 0; client < CLIENTS; client++) {
                System.out.println("client " + client + " got back " + answers.get(client));
            }
            server.close();
            server.waitClosed();
            System.out.println("the server echoed " + echoed + " lines");
        });
    }

    /** The server's side of one connection: sends every line back until the client closes. */
    @Async
    static void echo(StreamReader reader, StreamWriter writer) throws IOException {
        String line;
        while ((line = reader.readLine()) != null) {
            writer.write(line + "\n");
            writer.drain(); // waits only if the client reads more slowly than we write
            echoed++;
        }
    }

    /** One client: sends three lines, one at a time, reading each echo before the next line. */
    @Async
    static List<String> client(int port, int id) throws IOException {
        StreamConnection connection = Streams.openConnection(HOST, port);
        List<String> answers = new ArrayList<>();
        for (String line : List.of("hello", "from", "client " + id)) {
            connection.writer().write(line + "\n");
            answers.add(connection.reader().readLine());
        }
        connection.writer().close();
        connection.writer().waitClosed();
        return answers;
    }
}
