package io.jasyncio.streams;

import io.jasyncio.Async;
import io.jasyncio.AsyncCallable;
import io.jasyncio.Asyncio;
import io.jasyncio.Task;
import io.jasyncio.internal.Coroutines;
import io.jasyncio.internal.EventLoop;
import io.jasyncio.internal.Frame;
import io.jasyncio.internal.PrimitiveFrames;
import io.jasyncio.internal.Resumer;
import io.jasyncio.internal.SocketIo;
import io.jasyncio.sync.Event;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.CancellationException;

/**
 * A listening TCP server made by {@link Streams#startServer}, like {@code asyncio.Server}: it
 * accepts connections in a task of its own (named {@code accept <address>}) and runs the
 * {@link StreamHandler} for each in a new task (named {@code connection <remote address>}).
 *
 * <h2>Closing</h2>
 * {@link #close()} stops accepting (the listening channel is closed) and cancels every
 * connection's task; each connection is closed as its task ends: gracefully when the handler
 * returns, aborted when it throws or is cancelled. The server closes itself the same way when
 * its accept task is cancelled, which {@code Asyncio.run} does to every task left when main
 * ends, so no socket outlives the loop. {@link #waitClosed()} waits until every connection's
 * task has ended.
 *
 * <p>A handler's failure ends its task with that failure and is reported as any task's
 * failure that nobody awaited; it does not stop the server. A failure to accept (too many open
 * files, say) closes the server, and {@link #serveForever()} and {@link #waitClosed()} throw it.
 *
 * <p>Must be used on the loop's thread.
 */
public final class StreamServer {
    private static final Resumer ACCEPTING = frame -> frame == null ? null
            : ((StreamServer) frame.refs[0]).accept(EventLoop.current(), frame);
    private static final Resumer SERVING = frame -> frame == null ? null
            : ((StreamServer) frame.refs[0]).serveForever(EventLoop.current(), frame);
    private static final Resumer WAITING = frame -> frame == null ? null
            : ((StreamServer) frame.refs[0]).waitClosed(EventLoop.current(), frame);

    private final ServerSocketChannel channel;
    private final StreamHandler handler;
    private final InetSocketAddress address;
    private final Task<Object> acceptor;
    /** The connections being served: their tasks have not ended. */
    private final Set<Connection> connections = new LinkedHashSet<>();
    private boolean closed;
    /** The failure that stopped accepting, or null. */
    private IOException failure;
    /** Set by {@link #close()}. */
    private final Event closedEvent = new Event();
    /** Set once closed and every connection's task has ended. */
    private final Event finished = new Event();
    /** Whether the accept task has ended; {@link #waitClosed} waits for it too. */
    private boolean acceptorEnded;

    StreamServer(ServerSocketChannel channel, StreamHandler handler) throws IOException {
        this.channel = channel;
        this.handler = handler;
        this.address = (InetSocketAddress) channel.getLocalAddress();
        this.acceptor = Asyncio.createTask("accept " + address, (AsyncCallable<Object>) () -> accept(null, null));
    }

    /**
     * The address the server listens on, its port the one the system chose when 0 was asked.
     *
     * @return the bound address
     */
    public InetSocketAddress address() {
        return address;
    }

    /**
     * The port the server listens on.
     *
     * @return the bound port
     */
    public int port() {
        return address.getPort();
    }

    /**
     * Whether the server still accepts connections, like {@code Server.is_serving}.
     *
     * @return {@code false} once closed
     */
    public boolean isServing() {
        return !closed;
    }

    /**
     * How many connections are being served now.
     *
     * @return the number of connection tasks that have not ended
     */
    public int connectionCount() {
        return connections.size();
    }

    /**
     * Stops accepting and cancels every connection's task, like {@code Server.close} followed
     * by {@code close_clients}; never parks. Does nothing the second time.
     */
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            channel.close();
        } catch (IOException ignored) {
            // the listening socket is released either way
        }
        acceptor.cancel();
        // Abort first: a task cancelled before it started never runs to close its socket.
        for (Connection connection : new ArrayList<>(connections)) {
            connection.writer.abort();
            connection.task.cancel();
            if (connection.task.isDone()) {
                connections.remove(connection);
            }
        }
        closedEvent.set();
        if (acceptor.isDone()) {
            acceptorEnded = true; // cancelled before it ever ran
        }
        finishIfIdle();
    }

    /** Sets {@link #finished} once the server is closed and its accept task and every connection task have ended. */
    private void finishIfIdle() {
        if (closed && acceptorEnded && connections.isEmpty()) {
            finished.set();
        }
    }

    /**
     * Parks until the server is closed, like {@code Server.serve_forever}. Cancelling the task
     * in it closes the server.
     *
     * @throws IOException the failure that made the server stop accepting, if any
     * @throws java.util.concurrent.CancellationException if the task is cancelled while it waits
     *     (the server is then closed)
     */
    @Async
    public void serveForever() throws IOException {
        EventLoop loop = Coroutines.enter("io.jasyncio.streams.StreamServer.serveForever");
        serveForever(loop, null);
    }

    private Object serveForever(EventLoop loop, Frame frame) throws IOException {
        if (frame != null) {
            try {
                Coroutines.resumeValue(loop);
            } catch (CancellationException cancelled) {
                close();
                throw cancelled;
            }
        }
        closedEvent.await();
        if (loop.parking) {
            PrimitiveFrames.spill(loop, frame, SERVING, /* state = */ 1, this);
            return null;
        }
        checkFailure();
        return null;
    }

    /**
     * Parks until the server is closed and its accept task and the task of every connection have ended, like
     * {@code Server.wait_closed}.
     *
     * @throws IOException the failure that made the server stop accepting, if any
     * @throws java.util.concurrent.CancellationException if the task is cancelled while it waits
     */
    @Async
    public void waitClosed() throws IOException {
        EventLoop loop = Coroutines.enter("io.jasyncio.streams.StreamServer.waitClosed");
        waitClosed(loop, null);
    }

    private Object waitClosed(EventLoop loop, Frame frame) throws IOException {
        if (frame != null) {
            Coroutines.resumeValue(loop);
        }
        finished.await();
        if (loop.parking) {
            PrimitiveFrames.spill(loop, frame, WAITING, /* state = */ 1, this);
            return null;
        }
        checkFailure();
        return null;
    }

    private void checkFailure() throws IOException {
        if (failure != null) {
            throw new IOException("StreamServer " + address + " stopped accepting: " + failure, failure);
        }
    }

    /** The accept task's body: accepts for ever, a task per connection. Hand-woven. */
    private Object accept(EventLoop loop, Frame frame) {
        if (loop == null) {
            loop = Coroutines.enter("io.jasyncio.streams.StreamServer.accept");
        }
        boolean parked = false;
        try {
            SocketChannel accepted = frame == null ? null : (SocketChannel) Coroutines.resumeValue(loop);
            for (;;) {
                if (accepted != null) {
                    serve(accepted);
                }
                accepted = SocketIo.accept(loop, channel);
                if (loop.parking) {
                    PrimitiveFrames.spill(loop, frame, ACCEPTING, /* state = */ 1, this);
                    parked = true;
                    return null;
                }
            }
        } catch (ClosedChannelException closedByClose) {
            close();
        } catch (IOException e) {
            failure = e;
            close();
        } catch (CancellationException cancelled) {
            close();
            throw cancelled;
        } finally {
            if (!parked) { // the accept task ends here: waitClosed may return once the connections have
                acceptorEnded = true;
                finishIfIdle();
            }
        }
        return null;
    }

    /** Starts the task that serves {@code accepted}; a connection already reset by its client is dropped. */
    private void serve(SocketChannel accepted) throws IOException {
        String name;
        try {
            Streams.configure(accepted);
            name = "connection " + accepted.getRemoteAddress();
        } catch (IOException resetAlready) {
            accepted.close();
            return;
        }
        if (closed) {
            accepted.close();
            return;
        }
        Connection connection = new Connection(accepted);
        connection.task = Asyncio.createTask(name, connection);
        connections.add(connection);
    }

    /** A connection's task body: the handler, then closing. Hand-woven. */
    private final class Connection implements AsyncCallable<Object> {
        private final StreamReader reader;
        private final StreamWriter writer;
        Task<Object> task;

        Connection(SocketChannel channel) {
            this.reader = new StreamReader(channel);
            this.writer = new StreamWriter(channel);
        }

        @Override
        public Object call() {
            return run(null);
        }

        Object run(Frame frame) {
            EventLoop loop = Coroutines.enter("io.jasyncio.streams.StreamServer.handle");
            try {
                if (frame == null) {
                    handler.handle(reader, writer);
                } else {
                    Coroutines.resumeValue(loop);
                }
                if (loop.parking) {
                    PrimitiveFrames.spill(loop, frame, HANDLING, /* state = */ 1, this);
                    return null;
                }
            } catch (Throwable failure) {
                writer.abort();
                ended(this);
                throw Coroutines.<RuntimeException>sneakyThrow(failure);
            }
            writer.close();
            ended(this);
            return null;
        }
    }

    private static final Resumer HANDLING = frame -> frame == null ? null : ((Connection) frame.refs[0]).run(frame);

    private void ended(Connection connection) {
        connections.remove(connection);
        finishIfIdle();
    }

    @Override
    public String toString() {
        return "StreamServer[" + address + (closed ? ", closed" : ", " + connections.size() + " connections") + "]";
    }
}
