package io.jasyncio.streams;

import io.jasyncio.Async;
import io.jasyncio.internal.Coroutines;
import io.jasyncio.internal.EventLoop;
import io.jasyncio.internal.Frame;
import io.jasyncio.internal.PrimitiveFrames;
import io.jasyncio.internal.Resumer;
import io.jasyncio.internal.SocketIo;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Objects;

/**
 * TCP streams, after asyncio's streams API: {@link #openConnection} connects and returns a
 * {@link StreamReader} and {@link StreamWriter} pair; {@link #startServer} listens and runs a
 * {@link StreamHandler} for each connection.
 *
 * <p>Connections are made with {@code TCP_NODELAY} set, as asyncio does, so small writes are
 * not held back. A host name is resolved on the loop's thread, which blocks it while the name
 * service answers: give an address literal ({@code "127.0.0.1"}) or a resolved
 * {@link InetSocketAddress} when that matters.
 */
public final class Streams {
    /** The default length of a server's queue of connections not accepted yet: 100, as in asyncio. */
    public static final int DEFAULT_BACKLOG = 100;

    private static final Resumer CONNECTING = frame -> frame == null ? null
            : connected(EventLoop.current(), frame, (SocketChannel) frame.refs[0]);

    private Streams() {}

    /**
     * Connects to {@code host}:{@code port}, like {@code asyncio.open_connection}.
     *
     * @param host a host name or address literal
     * @param port the port
     * @return the connection's reader and writer
     * @throws java.net.ConnectException when the connection is refused; its message names the address
     * @throws IOException as opening or connecting the channel throws it
     * @throws java.nio.channels.UnresolvedAddressException when {@code host} cannot be resolved
     * @throws java.util.concurrent.CancellationException if the task is cancelled while it waits
     *     (the channel is then closed)
     */
    @Async
    public static StreamConnection openConnection(String host, int port) throws IOException {
        return openConnection(new InetSocketAddress(Objects.requireNonNull(host, "host"), port));
    }

    /**
     * Connects to {@code remote}; see {@link #openConnection(String, int)}.
     *
     * @param remote the address to connect to
     * @return the connection's reader and writer
     * @throws IOException as {@link #openConnection(String, int)} throws it
     */
    @Async
    public static StreamConnection openConnection(SocketAddress remote) throws IOException {
        Objects.requireNonNull(remote, "remote");
        EventLoop loop = Coroutines.enter("io.jasyncio.streams.Streams.openConnection");
        SocketChannel channel = SocketChannel.open();
        try {
            configure(channel);
            SocketIo.connect(loop, channel, remote);
        } catch (Throwable failure) {
            channel.close();
            throw failure;
        }
        if (loop.parking) {
            PrimitiveFrames.spill(loop, null, CONNECTING, /* state = */ 1, channel);
            return null;
        }
        return open(channel);
    }

    private static Object connected(EventLoop loop, Frame frame, SocketChannel channel) throws IOException {
        try {
            Coroutines.resumeValue(loop);
        } catch (Throwable failure) {
            channel.close();
            throw failure;
        }
        return open(channel);
    }

    /**
     * Wraps a connected channel, such as one from {@code Asyncio.accept}, in a reader and a
     * writer. Puts it in non-blocking mode.
     *
     * @param channel a connected channel, used by the pair only from now on
     * @return the connection's reader and writer
     * @throws IOException when the channel cannot be made non-blocking
     */
    public static StreamConnection open(SocketChannel channel) throws IOException {
        Objects.requireNonNull(channel, "channel");
        channel.configureBlocking(false);
        return new StreamConnection(new StreamReader(channel), new StreamWriter(channel));
    }

    /**
     * Listens on {@code host}:{@code port} and serves each connection with {@code handler} in a
     * task of its own, like {@code asyncio.start_server}. Not a suspending call: the server
     * accepts from the moment the caller next parks. See {@link StreamServer} for how it
     * closes.
     *
     * @param handler what serves each connection
     * @param host the address to listen on (a host name or address literal); null for every
     *     address of the machine
     * @param port the port; 0 lets the system choose one ({@link StreamServer#port()} tells it)
     * @return the server, accepting
     * @throws IOException when the address cannot be bound
     * @throws IllegalStateException when no loop runs on this thread
     */
    public static StreamServer startServer(StreamHandler handler, String host, int port) throws IOException {
        return startServer(handler, host == null ? new InetSocketAddress(port) : new InetSocketAddress(host, port),
                DEFAULT_BACKLOG);
    }

    /**
     * Listens on {@code local}; see {@link #startServer(StreamHandler, String, int)}.
     *
     * @param handler what serves each connection
     * @param local the address to listen on; port 0 lets the system choose one
     * @param backlog how many connections may wait to be accepted (the system may lower it);
     *     many clients connecting at once need a large one, or some retry after a second
     * @return the server, accepting
     * @throws IOException when the address cannot be bound
     * @throws IllegalStateException when no loop runs on this thread
     */
    public static StreamServer startServer(StreamHandler handler, SocketAddress local, int backlog) throws IOException {
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(local, "local");
        EventLoop.require("Streams.startServer");
        ServerSocketChannel channel = ServerSocketChannel.open();
        try {
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            channel.bind(local, backlog);
            channel.configureBlocking(false);
            return new StreamServer(channel, handler);
        } catch (Throwable failure) {
            channel.close();
            throw failure;
        }
    }

    /** The options of every stream connection. */
    static void configure(SocketChannel channel) throws IOException {
        channel.configureBlocking(false);
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
    }
}
