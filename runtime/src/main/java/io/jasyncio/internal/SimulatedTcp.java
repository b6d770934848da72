package io.jasyncio.internal;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * TCP on the simulated network ({@link NetworkSimulator}): connections between real socket
 * channels whose bytes travel through in-memory pipes in the loop's (virtual) time.
 *
 * <h2>Real sockets, simulated bytes</h2>
 * A connect makes the real connection at once over loopback (a blocking connect there takes
 * no time, and the kernel answers "refused" when nobody listens), so that the program gets
 * real channels with real addresses, and methods the program calls on them directly
 * ({@code shutdownOutput}, {@code close}, {@code getRemoteAddress}) keep working. No byte ever
 * goes through those sockets: {@code Asyncio.read}, {@code write} and the streams layer go
 * through a {@link Pipe} per direction instead. The handshake takes a latency to reach the
 * listener (where {@code accept} may take the connection from then on) and another to come
 * back (where {@code connect} returns). A connect cancelled meanwhile closes its channel, as
 * asyncio closes the socket of a cancelled {@code open_connection}: before the first leg
 * reached the listener the connection is forgotten (nothing is ever accepted), after it the
 * accepted side reads the end of the stream.
 *
 * <h2>A pipe</h2>
 * The segments a side writes (one per write call that puts bytes in the pipe) wait in its pipe
 * in order, each with the instant it arrives: the send time plus a latency drawn from the
 * seed, plus, for each loss drawn, a retransmission timeout (200 ms, doubling), plus a second
 * latency draw when the segment is picked for reordering; and never before the segment ahead
 * of it, so a reordered segment holds up those behind it (head-of-line blocking) and the
 * reader still sees every byte in order. Duplicates have no effect on TCP (the receiver
 * discards them), so the duplication rate is not drawn for it. The pipe is its own timer, set
 * for its first segment: one timer per direction however much is in flight. When it falls due
 * during a partition between its two ends the pipe stalls, and {@code heal} restarts it a
 * latency later; nothing is lost, as TCP loses nothing. The end of the stream
 * ({@code shutdownOutput}, or the channel found closed) and a reset are segments too.
 *
 * <h2>The window: backpressure</h2>
 * Each direction holds at most a window of bytes ({@link #DEFAULT_WINDOW} unless set) that
 * were written and not read yet, in flight or arrived. A write takes what fits: {@code
 * Asyncio.write} parks for the rest (the pipe is its wait site, {@code write on simulated TCP
 * a -> b}), the streams' {@code writeNow} returns what it took (maybe 0) and their
 * {@code awaitWritable} parks until there is room. Room frees the moment the reader reads
 * (not a latency later, as a real window update would come), and wakes the writer. A parked
 * writer is woken only by a read (or a reset, or its channel closing), not by a timer, so a
 * writer whose reader never reads is stuck, and the loop's deadlock report says so.
 *
 * <h2>Closing and resets</h2>
 * A program may close a channel directly; the loop tells the simulator each time it runs out
 * of ready tasks ({@link #noticeClosed}), at the same virtual instant, and the simulator sends
 * the end of the stream for each newly closed channel and wakes the tasks parked on it. As on
 * Linux, bytes that reach a closed end are discarded and answered by a reset, and a channel
 * closed with bytes arrived and unread discards them and sends a reset instead of the end of
 * the stream. The reset takes a latency back like any segment. Once it has arrived the
 * connection is dead: what the other side had in flight is dropped, and its next read or
 * write reports the error Linux would ({@link Pipe#failWrite}, {@link Pipe#take}): after the
 * peer's end of stream, writes fail with "Broken pipe" and reads return -1; before it, the
 * next write fails with "Connection reset by peer" (then "Broken pipe") or the next read, once
 * the bytes arrived before the reset are read, with "Connection reset" (and every read after
 * it, as the JDK remembers it).
 *
 * <p>Rejected: carrying the bytes through the real sockets and only delaying their reading
 * (the kernel's loopback timing would leak into the run, and the bytes written before a
 * partition could not be held back); a window update that travels back a latency after the
 * read (it would slow a full pipe down to one window per round trip, as real TCP does, but
 * adds a timer per read for a cost no test asked for).
 */
final class SimulatedTcp {
    /** What the first retransmission of a lost segment costs; each further loss doubles it. */
    static final long RETRANSMISSION_TIMEOUT = 200_000_000L;
    /** Bytes a direction holds (written and not read) unless {@link #window(int)} says otherwise: 256 KiB. */
    static final int DEFAULT_WINDOW = 256 * 1024;
    /** Losses drawn for one segment at most: TCP would give up on the connection after so many. */
    private static final int MAX_RETRANSMISSIONS = 10;

    private final NetworkSimulator network;
    /** The window of every direction, read at each write; a setting, kept across runs. */
    private int window = DEFAULT_WINDOW;
    /** Every connected channel's end, in the order the ends were made (for deterministic scans). */
    private final Map<SocketChannel, End> ends = new LinkedHashMap<>();
    private final Map<ServerSocketChannel, Listener> listeners = new LinkedHashMap<>();
    /** Handshakes that reached their listener's address and were not accepted yet, in arrival order. */
    private final List<End> arrived = new ArrayList<>();
    /** Timers in flight (pipes, handshakes), removed from the loop when the run ends. */
    private final Set<TimerEntry> timers = new LinkedHashSet<>();
    /** Pipes and handshakes held by a partition until {@code heal}. */
    private final Set<Travel> stalled = new LinkedHashSet<>();
    /** Segments of bytes sent in the current or last run: write calls that put bytes in a pipe. */
    private long segmentsSent;
    /** Losses drawn in the current or last run, each a retransmission (bytes, ends of stream, resets, handshake legs). */
    private long retransmissions;

    SimulatedTcp(NetworkSimulator network) {
        this.network = network;
    }

    /** Sets the window of each direction, in bytes; see the class comment. */
    void window(int bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("the TCP window must be at least 1 byte, got " + bytes);
        }
        window = bytes;
    }

    int window() {
        return window;
    }

    /** {segments sent, retransmissions} of the current or last run. */
    long[] counts() {
        return new long[] {segmentsSent, retransmissions};
    }

    /** A run starts: its counters start at 0. */
    void attach() {
        segmentsSent = 0;
        retransmissions = 0;
    }

    // ------------------------------------------------------------------ connecting

    /** {@code Asyncio.connect}: the real connection now, then parks for the handshake's round trip. */
    void connect(EventLoop loop, SocketChannel channel, SocketAddress remote) throws IOException {
        if (ends.containsKey(channel) || channel.isConnected()) {
            throw new AlreadyConnectedException();
        }
        if (!channel.isOpen()) {
            throw new ClosedChannelException();
        }
        channel.configureBlocking(true); // over loopback: connected or refused at once
        try {
            channel.connect(remote);
        } catch (ConnectException refused) {
            ConnectException named = new ConnectException("connect to " + remote + " failed: " + refused.getMessage());
            named.initCause(refused);
            throw named;
        } finally {
            if (channel.isOpen()) {
                channel.configureBlocking(false);
            }
        }
        End client = new End(channel, channel.getLocalAddress(), remote);
        client.outbound = new Pipe(this, client.local, remote);
        client.inbound = new Pipe(this, remote, client.local);
        client.outbound.reverse = client.inbound;
        client.inbound.reverse = client.outbound;
        client.inbound.sink = client;
        ends.put(channel, client);
        TaskCore task = loop.current;
        client.connecting = task;
        client.handshake = new Handshake(this, client, /* reply = */ false);
        start(client.handshake, client.local, remote);
        loop.suspend(task, client, EventLoop.primitiveFrame(task, CONNECT, new Object[] {channel, null, client}));
    }

    private static final Resumer CONNECT = frame -> {
        if (frame == null) {
            return null;
        }
        EventLoop loop = EventLoop.current();
        try {
            Coroutines.resumeValue(loop);
        } catch (Throwable cancelled) {
            loop.network.tcp.abandonConnect((End) frame.refs[2]);
            throw cancelled;
        }
        return null;
    };

    /**
     * A connect was cancelled: its channel is closed, as asyncio closes the socket of a
     * cancelled {@code open_connection}. Before the handshake reached the listener, the
     * connection is forgotten (its leg in flight dropped); after, the end stays, so that the
     * end of the stream goes to the side that accepted it (or will).
     */
    private void abandonConnect(End client) {
        client.connecting = null;
        try {
            client.channel.close();
        } catch (IOException ignored) {
            // the channel is released either way, and the cancellation is what the caller gets
        }
        if (!client.reached) {
            Handshake leg = client.handshake;
            network.loop().removeTimer(leg);
            timers.remove(leg);
            stalled.remove(leg);
            ends.remove(client.channel);
        }
    }

    /** {@code Asyncio.accept}: a connection that has arrived, or parks until one does. */
    SocketChannel accept(EventLoop loop, ServerSocketChannel server) throws IOException {
        Listener listener = listeners.get(server);
        if (listener == null) {
            if (!server.isOpen()) {
                throw new ClosedChannelException();
            }
            listener = new Listener(server);
            listeners.put(server, listener);
        }
        TaskCore task = loop.current;
        if (listener.acceptor != null && listener.acceptor != task) {
            throw EventLoop.busy(task, listener.acceptor, "accept on", listener.describe());
        }
        SocketChannel accepted = takeArrived(listener);
        if (accepted != null) {
            return accepted;
        }
        listener.acceptor = task;
        loop.suspend(task, listener, EventLoop.primitiveFrame(task, ACCEPT, new Object[] {server, null, listener}));
        return null;
    }

    private static final Resumer ACCEPT = frame -> {
        if (frame == null) {
            return null;
        }
        EventLoop loop = EventLoop.current();
        Listener listener = (Listener) frame.refs[2];
        SocketChannel accepted;
        try {
            Coroutines.resumeValue(loop);
            if (!listener.server.isOpen()) {
                throw new AsynchronousCloseException();
            }
            accepted = loop.network.tcp.takeArrived(listener);
        } catch (Throwable failure) {
            listener.acceptor = null;
            throw failure;
        }
        if (accepted == null) {
            listener.acceptor = loop.current;
            loop.suspend(loop.current, listener, frame);
            return null;
        }
        listener.acceptor = null;
        return accepted;
    };

    /** The first arrived connection for {@code listener}'s address, now the accepted channel's end; or null. */
    private SocketChannel takeArrived(Listener listener) throws IOException {
        if (!listener.server.isOpen()) {
            throw new ClosedChannelException();
        }
        InetSocketAddress address = (InetSocketAddress) listener.server.getLocalAddress();
        for (Iterator<End> it = arrived.iterator(); it.hasNext();) {
            End client = it.next();
            InetSocketAddress target = (InetSocketAddress) client.remote;
            if (target.getPort() == address.getPort()
                    && (address.getAddress().isAnyLocalAddress() || address.getAddress().equals(target.getAddress()))) {
                it.remove();
                SocketChannel channel = realAccept(listener, client.local);
                End end = new End(channel, channel.getLocalAddress(), client.local);
                end.inbound = client.outbound;
                end.outbound = client.inbound;
                end.inbound.sink = end;
                ends.put(channel, end);
                return channel;
            }
        }
        return null;
    }

    /** The kernel's side of the connection from {@code client}: it is in the listen queue since the connect returned. */
    private static SocketChannel realAccept(Listener listener, SocketAddress client) throws IOException {
        long giveUp = System.nanoTime() + 5_000_000_000L;
        for (;;) {
            SocketChannel found = listener.kernelQueue.remove(client);
            if (found != null) {
                found.configureBlocking(false);
                return found;
            }
            if (listener.server.isBlocking()) {
                listener.server.configureBlocking(false);
            }
            SocketChannel next = listener.server.accept();
            if (next != null) {
                listener.kernelQueue.put(next.getRemoteAddress(), next);
            } else if (System.nanoTime() - giveUp > 0) {
                throw new IllegalStateException("the kernel never queued the connection from " + client
                        + " on " + listener.describe());
            } else {
                Thread.onSpinWait();
            }
        }
    }

    // ------------------------------------------------------------------ bytes

    /** {@code Asyncio.read}: what has arrived, -1 after the end of the stream, or parks until one of them. */
    int read(EventLoop loop, SocketChannel channel, ByteBuffer dst) throws IOException {
        End end = end(channel);
        Pipe pipe = end.inbound;
        TaskCore task = loop.current;
        if (pipe.reader != null && pipe.reader != task) {
            throw EventLoop.busy(task, pipe.reader, "read", pipe.describe());
        }
        if (!dst.hasRemaining()) {
            return 0;
        }
        int count = pipe.take(dst);
        if (count != 0) {
            return count;
        }
        Object[] refs = pipe.readRefs;
        refs[0] = channel;
        refs[1] = dst;
        pipe.reader = task;
        loop.suspend(task, pipe, EventLoop.primitiveFrame(task, READ, refs));
        return 0;
    }

    private static final Resumer READ = frame -> {
        if (frame == null) {
            return null;
        }
        EventLoop loop = EventLoop.current();
        Object[] refs = frame.refs;
        Pipe pipe = (Pipe) refs[2];
        int count;
        try {
            Coroutines.resumeValue(loop); // throws the CancellationException before any byte is taken
            if (!((SocketChannel) refs[0]).isOpen()) {
                throw new AsynchronousCloseException();
            }
            count = pipe.take((ByteBuffer) refs[1]);
        } catch (Throwable failure) {
            refs[1] = null;
            pipe.reader = null;
            throw failure;
        }
        if (count == 0) {
            pipe.reader = loop.current;
            loop.suspend(loop.current, pipe, frame);
            return 0;
        }
        refs[1] = null;
        pipe.reader = null;
        return count;
    };

    /**
     * {@code Asyncio.write}: takes what the window has room for, and parks until the reader
     * frees room for the rest; returns when every byte is taken. A write cancelled while it
     * waits has sent what it took (the buffer's position says how much) and nothing more.
     */
    void write(EventLoop loop, SocketChannel channel, ByteBuffer src) throws IOException {
        End end = end(channel);
        Pipe pipe = end.outbound;
        TaskCore task = loop.current;
        if (pipe.writing != null && pipe.writing != task) {
            throw pipe.busyWriting(task);
        }
        pipe.offer(channel, src);
        if (!src.hasRemaining()) {
            return;
        }
        Object[] refs = pipe.writeRefs;
        refs[0] = channel;
        refs[1] = src;
        pipe.writing = task;
        pipe.waiter = task;
        loop.suspend(task, pipe, EventLoop.primitiveFrame(task, WRITE, refs));
    }

    private static final Resumer WRITE = frame -> {
        if (frame == null) {
            return null;
        }
        EventLoop loop = EventLoop.current();
        Object[] refs = frame.refs;
        Pipe pipe = (Pipe) refs[2];
        ByteBuffer src = (ByteBuffer) refs[1];
        try {
            Coroutines.resumeValue(loop); // throws the CancellationException before any more byte is taken
            SocketChannel channel = (SocketChannel) refs[0];
            if (!channel.isOpen()) {
                throw new AsynchronousCloseException();
            }
            pipe.offer(channel, src);
        } catch (Throwable failure) {
            refs[1] = null;
            pipe.writing = null;
            throw failure;
        }
        if (src.hasRemaining()) {
            pipe.waiter = loop.current;
            loop.suspend(loop.current, pipe, frame);
            return null;
        }
        refs[1] = null;
        pipe.writing = null;
        return null;
    };

    /** The streams' {@code writeNow}: takes what the window has room for, maybe nothing; never parks. */
    int writeNow(SocketChannel channel, ByteBuffer src) throws IOException {
        return end(channel).outbound.offer(channel, src);
    }

    /**
     * The streams' {@code awaitWritable}: parks until the window has room, or a write would fail
     * (a reset, the channel closed); the caller spills its own frame after this, and writes
     * again when it resumes.
     */
    void awaitWritable(EventLoop loop, SocketChannel channel) throws IOException {
        End end = end(channel);
        Pipe pipe = end.outbound;
        TaskCore task = loop.current;
        if (pipe.writing != null && pipe.writing != task) {
            throw pipe.busyWriting(task);
        }
        if (pipe.waiter != null && pipe.waiter != task) {
            throw pipe.busyWriting(task);
        }
        pipe.waiter = task;
        loop.suspend(task, pipe, null);
        if (pipe.writable(channel)) { // nothing to wait for: the task goes on at the next step, as the selector would have it
            pipe.waiter = null;
            loop.wake(task, null);
        }
    }

    /** {@code shutdownOutput} through the streams: the end of the stream follows the bytes written. */
    void shutdownOutput(SocketChannel channel) throws IOException {
        End end = end(channel);
        channel.shutdownOutput();
        if (!end.outbound.finQueued) {
            end.outbound.sendEnd();
        }
    }

    private End end(SocketChannel channel) throws IOException {
        End end = ends.get(channel);
        if (end == null) {
            if (!channel.isOpen()) {
                throw new ClosedChannelException();
            }
            throw new NotYetConnectedException();
        }
        if (!channel.isOpen()) {
            throw new ClosedChannelException();
        }
        return end;
    }

    /**
     * Called by the loop whenever it runs out of ready tasks: channels closed or shut down for
     * output since the last call send their end of stream (or reset), and the tasks parked on
     * closed ones wake to fail.
     */
    void noticeClosed(EventLoop loop) {
        for (End end : ends.values()) {
            if (!end.channel.isOpen()) {
                seeClosed(loop, end);
            } else if (!end.outbound.finQueued && end.channel.socket().isOutputShutdown()) {
                end.outbound.sendEnd(); // shut down directly on the channel
            }
        }
        for (Listener listener : listeners.values()) {
            if (!listener.server.isOpen() && listener.acceptor != null) {
                TaskCore acceptor = listener.acceptor;
                listener.acceptor = null;
                loop.wake(acceptor, null);
            }
        }
    }

    /**
     * What closing {@code end}'s channel does, once: bytes arrived and unread are discarded and
     * answered by a reset instead of the end of the stream (as Linux does); the tasks parked on
     * the channel wake to fail.
     */
    private void seeClosed(EventLoop loop, End end) {
        if (end.closedSeen) {
            return;
        }
        end.closedSeen = true;
        if (end.inbound.discardArrived()) {
            end.outbound.sendReset();
        } else if (!end.outbound.finQueued) {
            end.outbound.sendEnd();
        }
        TaskCore reader = end.inbound.reader;
        if (reader != null) {
            end.inbound.reader = null;
            loop.wake(reader, null);
        }
        end.outbound.wakeWaiter(loop);
    }

    // ------------------------------------------------------------------ travel in time

    private void start(TimerEntry travel, SocketAddress from, SocketAddress to) {
        schedule(travel, network.loop().now() + transit(from, to));
    }

    private void schedule(TimerEntry entry, long deadline) {
        timers.add(entry);
        network.loop().addTimerAt(entry, deadline);
    }

    /**
     * How long a segment sent now takes, before the order on its pipe: a latency, the
     * retransmission timeouts of the losses drawn for it, and a second latency when it is
     * picked for reordering (drawn only when that rate is not 0, so that runs without
     * reordering draw the same numbers as before it applied to TCP).
     */
    private long transit(SocketAddress from, SocketAddress to) {
        long delay = network.latency(from, to) + retransmissionDelay(from, to);
        if (network.reordered()) {
            delay += network.latency(from, to) + 1;
        }
        return delay;
    }

    /** The retransmission timeouts of the losses drawn for one segment. */
    private long retransmissionDelay(SocketAddress from, SocketAddress to) {
        long delay = 0;
        long timeout = RETRANSMISSION_TIMEOUT;
        for (int i = 0; i < MAX_RETRANSMISSIONS && network.lost(from, to); i++) {
            delay += timeout;
            timeout *= 2;
            retransmissions++;
        }
        return delay;
    }

    /** Restarts everything a partition held: each goes on a latency from now. */
    void heal() {
        List<Travel> held = new ArrayList<>(stalled);
        stalled.clear();
        for (Travel travel : held) {
            schedule((TimerEntry) travel, network.loop().now() + network.latency(travel.from(), travel.to()));
        }
    }

    /** The run is over: timers dropped, accepted-but-unclaimed kernel channels closed. */
    void detach(EventLoop loop) {
        for (TimerEntry timer : timers) {
            loop.removeTimer(timer);
        }
        timers.clear();
        stalled.clear();
        for (Listener listener : listeners.values()) {
            for (SocketChannel unclaimed : listener.kernelQueue.values()) {
                try {
                    unclaimed.close();
                } catch (IOException ignored) {
                    // the run is over; nothing reads it
                }
            }
        }
        listeners.clear();
        ends.clear();
        arrived.clear();
    }

    /** Something that crosses the network and may be held by a partition. */
    private interface Travel {
        /** Where it leaves from. */
        SocketAddress from();

        /** Where it goes. */
        SocketAddress to();

        /** Whether it can cross now; when not, it is held until {@code heal}. */
        default boolean cross(SimulatedTcp tcp, SocketAddress from, SocketAddress to) {
            if (tcp.network.separated(from, to)) {
                tcp.stalled.add(this);
                return false;
            }
            return true;
        }
    }

    /** One leg of the handshake: to the listener's address, then ({@code reply}) back to the connecting task. */
    private static final class Handshake extends TimerEntry implements Travel {
        private final SimulatedTcp tcp;
        private final End client;
        private final boolean reply;

        Handshake(SimulatedTcp tcp, End client, boolean reply) {
            this.tcp = tcp;
            this.client = client;
            this.reply = reply;
        }

        @Override
        public SocketAddress from() {
            return reply ? client.remote : client.local;
        }

        @Override
        public SocketAddress to() {
            return reply ? client.local : client.remote;
        }

        @Override
        protected void expire(EventLoop loop) {
            tcp.timers.remove(this);
            if (!cross(tcp, from(), to())) {
                return;
            }
            if (!reply) {
                client.reached = true;
                tcp.arrived.add(client);
                for (Listener listener : tcp.listeners.values()) {
                    TaskCore acceptor = listener.acceptor;
                    if (acceptor != null) {
                        listener.acceptor = null;
                        loop.wake(acceptor, null); // it looks for its own address's connections when it runs
                    }
                }
                tcp.start(new Handshake(tcp, client, /* reply = */ true), client.remote, client.local);
            } else if (client.connecting != null) {
                TaskCore task = client.connecting;
                client.connecting = null;
                loop.wake(task, null);
            }
        }
    }

    /** The error a reset leaves for the next read or write, as Linux's pending socket error. */
    private static final int NO_ERROR = 0;
    /** ECONNRESET: the reset came before the peer's end of stream. */
    private static final int RESET_ERROR = 1;
    /** EPIPE: the reset came after the peer's end of stream. */
    private static final int PIPE_ERROR = 2;

    /**
     * One direction of a connection, from a writer's end to a reader's end: the segments in
     * flight, then the bytes arrived and not read; the wait site of the reader, and of the
     * writer while the window is full. It also carries the reset of its writer's end to its
     * reader's end, and keeps the error that reset left there.
     */
    static final class Pipe extends TimerEntry implements Travel, WaitSite {
        private final SimulatedTcp tcp;
        final SocketAddress from;
        final SocketAddress to;
        /** The other direction of the connection. */
        Pipe reverse;
        /** The reader's end; null until the connection is accepted (the bytes then wait for it). */
        End sink;
        /** Segments in flight, in order. */
        private final ArrayDeque<Segment> inFlight = new ArrayDeque<>();
        /** When the last segment in flight arrives: none may arrive before it. */
        private long last = Long.MIN_VALUE;
        /** Bytes arrived and not read yet. */
        private final ArrayDeque<ByteBuffer> arrived = new ArrayDeque<>();
        /** Bytes written and not read: in flight plus arrived. Invariant: at most the window when the write took them. */
        private long unread;
        private boolean endArrived;
        /** Whether the writer has sent its end of stream or reset: it sends nothing more. */
        boolean finQueued;
        private boolean resetQueued;
        /** Whether the writer's reset has reached the reader's end: the connection is dead. */
        private boolean resetArrived;
        /** The error the reset left for the reader's end's next read or write ({@link #RESET_ERROR}...). */
        private int pendingError = NO_ERROR;
        /** Whether a read has reported the reset: every later read does too, as in the JDK. */
        private boolean readReset;
        /** Whether the reader's reset reached the writer: nothing is sent any more. */
        private boolean dead;
        /** Whether a partition holds it (it is then not scheduled). */
        private boolean held;
        /** The task parked reading, until a segment wakes it. */
        TaskCore reader;
        /** {channel, buffer, this} of the parked read. */
        final Object[] readRefs = {null, null, this};
        /** The task inside {@code Asyncio.write} here, from its first park until it returns. */
        TaskCore writing;
        /** The task parked until the window has room (a write, or the streams' flush), until woken. */
        TaskCore waiter;
        /** {channel, buffer, this} of the parked write. */
        final Object[] writeRefs = {null, null, this};

        Pipe(SimulatedTcp tcp, SocketAddress from, SocketAddress to) {
            this.tcp = tcp;
            this.from = from;
            this.to = to;
        }

        @Override
        public SocketAddress from() {
            return from;
        }

        @Override
        public SocketAddress to() {
            return to;
        }

        /**
         * A write's bytes: as many of {@code src}'s as the window has room for, as one segment;
         * returns their count. Fails first when the reader's end has reset the connection.
         */
        int offer(SocketChannel channel, ByteBuffer src) throws IOException {
            if (finQueued || channel.socket().isOutputShutdown()) {
                throw new ClosedChannelException();
            }
            reverse.failWrite();
            int count = (int) Math.min(src.remaining(), Math.max(0, tcp.window - unread));
            if (count > 0) {
                byte[] bytes = new byte[count];
                src.get(bytes);
                unread += count;
                tcp.segmentsSent++;
                send(new Segment(bytes, /* reset = */ false));
            }
            return count;
        }

        /** Whether a write on {@code channel} would take a byte or fail now, instead of waiting for room. */
        boolean writable(SocketChannel channel) {
            return unread < tcp.window || finQueued || reverse.resetArrived || !channel.isOpen()
                    || channel.socket().isOutputShutdown();
        }

        /**
         * On the pipe that carries the peer's reset to a writer: throws the error a write gets
         * once the reset has arrived, as Linux reports it.
         */
        void failWrite() throws IOException {
            if (!resetArrived) {
                return;
            }
            int error = pendingError;
            pendingError = NO_ERROR;
            throw new IOException(error == RESET_ERROR ? "Connection reset by peer" : "Broken pipe");
        }

        void sendEnd() {
            finQueued = true;
            send(new Segment(null, /* reset = */ false));
        }

        void sendReset() {
            finQueued = true;
            if (!resetQueued) {
                resetQueued = true;
                send(new Segment(null, /* reset = */ true));
            }
        }

        private void send(Segment segment) {
            if (dead) {
                return; // the peer's reset arrived: nothing goes out any more
            }
            long deadline = Math.max(tcp.network.loop().now() + tcp.transit(from, to), last);
            last = deadline;
            segment.deadline = deadline;
            inFlight.add(segment);
            if (!held && !isScheduled()) {
                tcp.schedule(this, inFlight.peek().deadline);
            }
        }

        @Override
        protected void expire(EventLoop loop) {
            tcp.timers.remove(this);
            if (!cross(tcp, from, to)) {
                held = true;
                return;
            }
            held = false;
            long now = loop.now();
            boolean any = false;
            while (!inFlight.isEmpty() && inFlight.peek().deadline <= now) {
                Segment segment = inFlight.poll();
                if (sink != null && !sink.channel.isOpen()) {
                    arriveClosed(loop, segment);
                } else if (segment.reset) {
                    arriveReset(loop);
                    any = true;
                } else if (segment.bytes == null) {
                    endArrived = true;
                    any = true;
                } else {
                    arrived.add(ByteBuffer.wrap(segment.bytes));
                    any = true;
                }
            }
            if (!inFlight.isEmpty()) {
                tcp.schedule(this, inFlight.peek().deadline);
            }
            if (any && reader != null) {
                TaskCore task = reader;
                reader = null;
                loop.wake(task, null);
            }
        }

        /** A segment reached an end whose channel is closed: bytes are discarded and answered by a reset. */
        private void arriveClosed(EventLoop loop, Segment segment) {
            tcp.seeClosed(loop, sink);
            if (segment.bytes != null) {
                unread -= segment.bytes.length;
                wakeWaiter(loop);
                reverse.sendReset();
            }
        }

        /** The writer's reset reached the reader's end: the connection is dead, its bytes the other way dropped. */
        private void arriveReset(EventLoop loop) {
            resetArrived = true;
            pendingError = endArrived ? PIPE_ERROR : RESET_ERROR;
            reverse.purge();
            reverse.wakeWaiter(loop);
        }

        /** Drops what is in flight; sends nothing more. */
        private void purge() {
            dead = true;
            inFlight.clear();
            unread = arrivedBytes();
            held = false;
            tcp.stalled.remove(this);
            if (isScheduled()) {
                tcp.network.loop().removeTimer(this);
            }
            tcp.timers.remove(this);
        }

        private long arrivedBytes() {
            long count = 0;
            for (ByteBuffer buffer : arrived) {
                count += buffer.remaining();
            }
            return count;
        }

        /** The reader's channel closed: drops the bytes arrived and not read; whether there were any. */
        boolean discardArrived() {
            if (arrived.isEmpty()) {
                return false;
            }
            unread -= arrivedBytes();
            arrived.clear();
            wakeWaiter(tcp.network.loop());
            return true;
        }

        /** Wakes the task waiting for room (to write, or to fail). */
        void wakeWaiter(EventLoop loop) {
            TaskCore task = waiter;
            if (task != null) {
                waiter = null;
                loop.wake(task, null);
            }
        }

        /**
         * Moves arrived bytes into {@code dst}: their count, -1 at the end of the stream, 0 when
         * nothing came yet. After a reset, once the bytes arrived before it are read: -1 when the
         * peer had ended its stream, otherwise a {@code SocketException} "Connection reset" (unless
         * a write has reported the reset already, then -1).
         */
        int take(ByteBuffer dst) throws IOException {
            if (readReset) {
                throw new SocketException("Connection reset");
            }
            int count = 0;
            while (dst.hasRemaining() && !arrived.isEmpty()) {
                ByteBuffer head = arrived.peek();
                int n = Math.min(head.remaining(), dst.remaining());
                ByteBuffer slice = head.slice();
                slice.limit(n);
                dst.put(slice);
                head.position(head.position() + n);
                count += n;
                if (!head.hasRemaining()) {
                    arrived.poll();
                }
            }
            if (count > 0) {
                unread -= count;
                wakeWaiter(tcp.network.loop()); // room freed
                return count;
            }
            if (endArrived) {
                return -1;
            }
            if (resetArrived) {
                if (pendingError == RESET_ERROR) {
                    pendingError = NO_ERROR;
                    readReset = true;
                    throw new SocketException("Connection reset");
                }
                return -1;
            }
            return 0;
        }

        IllegalStateException busyWriting(TaskCore task) {
            TaskCore other = writing != null ? writing : waiter;
            return EventLoop.busy(task, other, "write", describe());
        }

        @Override
        public void cancelWait(TaskCore task) {
            if (reader == task) {
                reader = null;
                readRefs[1] = null;
            }
            if (waiter == task) {
                waiter = null;
            }
            if (writing == task) {
                writing = null;
                writeRefs[1] = null;
            }
        }

        @Override
        public String describe(TaskCore task) {
            return (task == waiter || task == writing ? "write on " : "read on ") + describe();
        }

        String describe() {
            return "simulated TCP " + from + " -> " + to;
        }
    }

    /** A segment in flight: bytes, or (null) the end of the stream or a reset. */
    private static final class Segment {
        final byte[] bytes;
        final boolean reset;
        long deadline;

        Segment(byte[] bytes, boolean reset) {
            this.bytes = bytes;
            this.reset = reset;
        }
    }

    /** One side of a connection: its channel, addresses and pipes; a wait site while it connects. */
    static final class End implements WaitSite {
        final SocketChannel channel;
        final SocketAddress local;
        final SocketAddress remote;
        Pipe outbound;
        Pipe inbound;
        /** The task parked in connect until the handshake comes back. */
        TaskCore connecting;
        /** The handshake's first leg (a connecting end's). */
        Handshake handshake;
        /** Whether the handshake's first leg reached the listener's address. */
        boolean reached;
        /** Whether {@link #noticeClosed} has seen the channel closed. */
        boolean closedSeen;

        End(SocketChannel channel, SocketAddress local, SocketAddress remote) {
            this.channel = channel;
            this.local = local;
            this.remote = remote;
        }

        @Override
        public void cancelWait(TaskCore task) {
            if (connecting == task) {
                connecting = null;
            }
        }

        @Override
        public String describe(TaskCore task) {
            return "connect to simulated TCP " + remote;
        }
    }

    /** A listening channel that has accepted (or tried to) at least once. */
    static final class Listener implements WaitSite {
        final ServerSocketChannel server;
        /** Connections the kernel queued that the simulation has not handed out yet, by the client's address. */
        final Map<SocketAddress, SocketChannel> kernelQueue = new HashMap<>();
        TaskCore acceptor;

        Listener(ServerSocketChannel server) {
            this.server = server;
        }

        @Override
        public void cancelWait(TaskCore task) {
            if (acceptor == task) {
                acceptor = null;
            }
        }

        @Override
        public String describe(TaskCore task) {
            return "accept on " + describe();
        }

        String describe() {
            try {
                return "simulated TCP " + server.getLocalAddress();
            } catch (IOException closed) {
                return "simulated TCP (closed listener)";
            }
        }
    }
}
