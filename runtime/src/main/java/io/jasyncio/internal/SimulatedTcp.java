package io.jasyncio.internal;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
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
 * back (where {@code connect} returns).
 *
 * <h2>A pipe</h2>
 * The segments a side writes wait in its pipe in order, each with the instant it arrives: the
 * send time plus a latency drawn from the seed, plus, for each loss drawn, a retransmission
 * timeout (200 ms, doubling), and never before the segment ahead of it. The pipe is its own
 * timer, set for its first segment: one timer per direction however much is in flight. When
 * it falls due during a partition between its two ends the pipe stalls, and {@code heal}
 * restarts it a latency later; nothing is lost, as TCP loses nothing. The end of the stream
 * ({@code shutdownOutput}, or the channel found closed) is a last segment.
 *
 * <h2>Closing</h2>
 * A program may close a channel directly; the loop tells the simulator each time it runs out
 * of ready tasks ({@link #noticeClosed}), at the same virtual instant, and the simulator sends
 * the end of the stream for each newly closed channel and wakes the tasks parked on it.
 *
 * <p>Rejected: carrying the bytes through the real sockets and only delaying their reading
 * (the kernel's loopback timing would leak into the run, and the bytes written before a
 * partition could not be held back).
 */
final class SimulatedTcp {
    /** What the first retransmission of a lost segment costs; each further loss doubles it. */
    static final long RETRANSMISSION_TIMEOUT = 200_000_000L;
    /** Losses drawn for one segment at most: TCP would give up on the connection after so many. */
    private static final int MAX_RETRANSMISSIONS = 10;

    private final NetworkSimulator network;
    /** Every connected channel's end, in the order the ends were made (for deterministic scans). */
    private final Map<SocketChannel, End> ends = new LinkedHashMap<>();
    private final Map<ServerSocketChannel, Listener> listeners = new LinkedHashMap<>();
    /** Handshakes that reached their listener's address and were not accepted yet, in arrival order. */
    private final List<End> arrived = new ArrayList<>();
    /** Timers in flight (pipes, handshakes), removed from the loop when the run ends. */
    private final Set<TimerEntry> timers = new LinkedHashSet<>();
    /** Pipes and handshakes held by a partition until {@code heal}. */
    private final Set<Travel> stalled = new LinkedHashSet<>();

    SimulatedTcp(NetworkSimulator network) {
        this.network = network;
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
        client.inbound.readerChannel = channel;
        client.outbound.writerChannel = channel;
        ends.put(channel, client);
        TaskCore task = loop.current;
        client.connecting = task;
        start(new Handshake(this, client, /* reply = */ false), client.local, remote);
        loop.suspend(task, client, EventLoop.primitiveFrame(task, CONNECT, new Object[] {channel, null, client}));
    }

    private static final Resumer CONNECT = frame -> {
        if (frame == null) {
            return null;
        }
        EventLoop loop = EventLoop.current();
        Coroutines.resumeValue(loop); // a cancelled connect leaves the channel connected but unusable: close it
        return null;
    };

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
            throw new IllegalStateException("task " + task.name() + " cannot accept on " + listener.describe()
                    + ": task " + listener.acceptor.name() + " is already accepting there");
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
                end.inbound.readerChannel = channel;
                end.outbound.writerChannel = channel;
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
            throw new IllegalStateException("task " + task.name() + " cannot read " + pipe.describe()
                    + ": task " + pipe.reader.name() + " is already waiting to read it; two tasks at once would "
                    + "steal each other's data: guard it with a Lock");
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

    /** {@code Asyncio.write} and the streams' writes: takes every byte at once; never parks. */
    int write(SocketChannel channel, ByteBuffer src) throws IOException {
        End end = end(channel);
        if (end.outbound.finQueued || channel.socket().isOutputShutdown()) {
            throw new ClosedChannelException();
        }
        int count = src.remaining();
        if (count > 0) {
            byte[] bytes = new byte[count];
            src.get(bytes);
            end.outbound.send(bytes);
        }
        return count;
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
     * output since the last call send their end of stream, and the tasks parked on closed ones
     * wake to fail.
     */
    void noticeClosed(EventLoop loop) {
        for (End end : ends.values()) {
            boolean open = end.channel.isOpen();
            if (!end.outbound.finQueued && (!open || end.channel.socket().isOutputShutdown())) {
                end.outbound.sendEnd(); // shut down or closed directly on the channel
            }
            if (!open && !end.closedSeen) {
                end.closedSeen = true;
                TaskCore reader = end.inbound.reader;
                if (reader != null) {
                    end.inbound.reader = null;
                    loop.wake(reader, null);
                }
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

    // ------------------------------------------------------------------ travel in time

    private void start(TimerEntry travel, SocketAddress from, SocketAddress to) {
        long deadline = network.loop().now() + network.latency(from, to) + retransmissionDelay(from, to);
        schedule(travel, deadline);
    }

    private void schedule(TimerEntry entry, long deadline) {
        timers.add(entry);
        network.loop().addTimerAt(entry, deadline);
    }

    /** The retransmission timeouts of the losses drawn for one segment. */
    private long retransmissionDelay(SocketAddress from, SocketAddress to) {
        long delay = 0;
        long timeout = RETRANSMISSION_TIMEOUT;
        for (int i = 0; i < MAX_RETRANSMISSIONS && network.lost(from, to); i++) {
            delay += timeout;
            timeout *= 2;
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

    /** One direction of a connection: the segments in flight, then the bytes arrived and not read. */
    static final class Pipe extends TimerEntry implements Travel, WaitSite {
        private final SimulatedTcp tcp;
        final SocketAddress from;
        final SocketAddress to;
        SocketChannel writerChannel;
        SocketChannel readerChannel;
        /** Segments in flight, in order; a null {@code bytes} is the end of the stream. */
        private final ArrayDeque<Segment> inFlight = new ArrayDeque<>();
        /** When the last segment in flight arrives: none may arrive before it. */
        private long last = Long.MIN_VALUE;
        /** Bytes arrived and not read yet. */
        private final ArrayDeque<ByteBuffer> arrived = new ArrayDeque<>();
        private boolean endArrived;
        boolean finQueued;
        /** Whether a partition holds it (it is then not scheduled). */
        private boolean held;
        /** The task parked reading, until a segment wakes it. */
        TaskCore reader;
        /** {channel, buffer, this} of the parked read. */
        final Object[] readRefs = {null, null, this};

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

        void send(byte[] bytes) {
            long now = tcp.network.loop().now();
            long deadline = Math.max(now + tcp.network.latency(from, to) + tcp.retransmissionDelay(from, to), last);
            last = deadline;
            inFlight.add(new Segment(bytes, deadline));
            if (!held && !isScheduled()) {
                tcp.schedule(this, inFlight.peek().deadline);
            }
        }

        void sendEnd() {
            finQueued = true;
            send(null);
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
                if (segment.bytes == null) {
                    endArrived = true;
                } else {
                    arrived.add(ByteBuffer.wrap(segment.bytes));
                }
                any = true;
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

        /** Moves arrived bytes into {@code dst}: their count, -1 at the end of the stream, 0 when nothing came yet. */
        int take(ByteBuffer dst) {
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
            if (count == 0 && arrived.isEmpty() && endArrived) {
                return -1;
            }
            return count;
        }

        @Override
        public void cancelWait(TaskCore task) {
            if (reader == task) {
                reader = null;
            }
            readRefs[1] = null;
        }

        @Override
        public String describe(TaskCore task) {
            return "read on " + describe();
        }

        String describe() {
            return "simulated TCP " + from + " -> " + to;
        }
    }

    private record Segment(byte[] bytes, long deadline) {}

    /** One side of a connection: its channel, addresses and pipes; a wait site while it connects. */
    static final class End implements WaitSite {
        final SocketChannel channel;
        final SocketAddress local;
        final SocketAddress remote;
        Pipe outbound;
        Pipe inbound;
        /** The task parked in connect until the handshake comes back. */
        TaskCore connecting;
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
