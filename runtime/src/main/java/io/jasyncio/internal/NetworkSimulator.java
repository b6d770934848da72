package io.jasyncio.internal;

import io.jasyncio.SimulatedNetwork;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The in-memory network behind {@code io.jasyncio.SimulatedNetwork}: UDP datagrams between the
 * real {@link DatagramChannel}s of a program, carried by the loop's timers instead of the
 * kernel, so that latency, loss, duplication, reordering and partitions happen in the loop's
 * (virtual) time and follow a seed.
 *
 * <h2>How a datagram travels</h2>
 * The program still opens and binds real channels, so its addresses and ports are real; only
 * {@code Asyncio.send} and {@code receive} change course when the loop has a simulator
 * ({@link EventLoop#network}, one null check on the real path). A send copies the datagram
 * and, unless it is lost, schedules a {@link Delivery} (a timer entry) for each copy at the
 * send time plus a latency drawn from the seed; it never parks. When a delivery falls due it
 * is dropped if a partition separates the two addresses at that moment (so datagrams in
 * flight when a partition starts are lost too), otherwise it joins the {@link Mailbox} of the
 * destination address and wakes the task parked in {@code receive} there. The task takes the
 * datagram only when it runs, so a receive cancelled after the wake takes nothing, as on the
 * real path.
 *
 * <h2>Determinism</h2>
 * Every random choice is drawn from one SplitMix64 generator of our own, in the order the
 * sends happen; the loop runs the tasks in a deterministic order in virtual time, so the same
 * program on the same seed sends, loses and delivers the same datagrams at the same instants.
 * Nothing depends on the (system-chosen) port numbers or on hash order.
 *
 * <h2>Order on a link</h2>
 * Datagrams between two addresses arrive in the order they were sent (a delivery is never
 * scheduled before the last one on its link), except those picked for reordering, which
 * take an extra latency draw and let later ones overtake them. So the reordering rate means
 * what it says even when the latency varies.
 *
 * <h2>Who receives</h2>
 * A channel joins the network at its first simulated send or receive (a channel that is not
 * bound is bound first, to an ephemeral port of the wildcard address, as the real send does).
 * A datagram addressed where no channel has joined waits in that address's mailbox, up to
 * {@link #MAILBOX_CAPACITY} of them, for a channel to join there (the receiving program may
 * simply not have called {@code receive} yet); one addressed to a closed channel is dropped.
 * A channel bound to the wildcard address receives what is sent to its port on any address.
 *
 * <h2>Deadlocks</h2>
 * A parked receiver is not a channel wait: it is woken by deliveries, which are timers. So the
 * loop sees it as wakeable while deliveries are in flight and as stuck otherwise, and the
 * deadlock report says {@code receive on simulated /127.0.0.1:9000}. When the loop closes,
 * the deliveries still in flight are dropped, like datagrams in flight when a program ends.
 *
 * <p>Rejected: a simulated channel type that the program would have to open instead of
 * {@code DatagramChannel} (the program would not run unchanged); moving the clock from the
 * simulator (the loop's own timers already give virtual time, and deadlock detection for free).
 */
public final class NetworkSimulator {
    /** Datagrams a mailbox holds before it drops new ones, like a full socket receive buffer. */
    static final int MAILBOX_CAPACITY = 4096;

    // ---- settings; read at each send or delivery, so they may change while the program runs
    private final long seed;
    private long minLatency;
    private long maxLatency;
    private double loss;
    private double duplication;
    private double reordering;
    /** The sides of the partitions now in force: addresses on one side reach no address off it. */
    private final List<Set<SocketAddress>> partitions = new ArrayList<>();
    /** Settings of particular links, in the order they were made: the last one that matches decides. */
    private final List<Link> links = new ArrayList<>();

    /**
     * The public {@code SimulatedNetwork} over this simulator: set when either is made around
     * the other, so that every caller of {@code SimulatedNetwork.current()} gets the same one.
     */
    public SimulatedNetwork face;

    // ---- state of one run
    /** The TCP connections of the run; see {@link SimulatedTcp}. */
    final SimulatedTcp tcp = new SimulatedTcp(this);
    private long random;
    private EventLoop loop;
    /** In the order the addresses were first seen, so that scanning them is deterministic. */
    private final Map<SocketAddress, Mailbox> mailboxes = new LinkedHashMap<>();
    /** Last delivery deadline per link {from, to}, for the order on a link. */
    private final Map<List<SocketAddress>, Long> lastOnLink = new HashMap<>();
    /** Deliveries scheduled and not yet due; dropped when the loop closes. */
    private final Set<Delivery> inFlight = new HashSet<>();
    private long sent;
    private long delivered;
    private long dropped;

    public NetworkSimulator(long seed) {
        this.seed = seed;
        this.random = seed;
    }

    // ------------------------------------------------------------------ settings

    /** Each datagram takes between {@code min} and {@code max} nanoseconds, uniformly. */
    public void latency(long min, long max) {
        checkLatency(min, max);
        minLatency = min;
        maxLatency = max;
    }

    private static void checkLatency(long min, long max) {
        if (min < 0 || max < min) {
            throw new IllegalArgumentException("latency needs 0 <= min <= max, got " + min + " and " + max + " ns");
        }
    }

    public void loss(double probability) {
        loss = checkProbability("loss", probability);
    }

    /**
     * Between {@code a} and {@code b}, both ways, each datagram or segment takes between
     * {@code min} and {@code max} nanoseconds instead of the network's latency.
     */
    public void latency(SocketAddress a, SocketAddress b, long min, long max) {
        checkLatency(min, max);
        links.add(new Link(a, b, min, max, Double.NaN));
    }

    /** Between {@code a} and {@code b}, both ways, each datagram or segment is lost with this probability instead. */
    public void loss(SocketAddress a, SocketAddress b, double probability) {
        links.add(new Link(a, b, -1, -1, checkProbability("loss", probability)));
    }

    public void duplication(double probability) {
        duplication = checkProbability("duplication", probability);
    }

    public void reordering(double probability) {
        reordering = checkProbability("reordering", probability);
    }

    private static double checkProbability(String what, double probability) {
        if (!(probability >= 0 && probability <= 1)) {
            throw new IllegalArgumentException(what + " must be a probability in [0, 1], got " + probability);
        }
        return probability;
    }

    /**
     * Separates {@code side} from every other address. An {@link InetSocketAddress} with port 0
     * stands for every port of its host.
     */
    public void partition(Set<SocketAddress> side) {
        partitions.add(Set.copyOf(side));
    }

    /** Ends every partition. */
    public void heal() {
        partitions.clear();
        if (loop != null) {
            tcp.heal();
        }
    }

    public long seed() {
        return seed;
    }

    /** Datagrams sent, delivered to a mailbox, and dropped (lost, partitioned, unreachable or overflowing). */
    public long[] counts() {
        return new long[] {sent, delivered, dropped};
    }

    // ------------------------------------------------------------------ TCP (see SimulatedTcp)

    /** Sets the TCP window of each direction: bytes written and not yet read, at most. */
    public void tcpWindow(int bytes) {
        tcp.window(bytes);
    }

    /** The TCP window of each direction, in bytes. */
    public int tcpWindow() {
        return tcp.window();
    }

    /** TCP segments of bytes sent and retransmissions, in the current or last run. */
    public long[] tcpCounts() {
        return tcp.counts();
    }

    /** Whether a TCP segment is picked for reordering, drawn from the seed only when the rate is not 0. */
    boolean reordered() {
        return reordering > 0 && nextDouble() < reordering;
    }

    // ------------------------------------------------------------------ the loop's side

    /** Makes this simulator carry {@code loop}'s datagrams; once per run, before the first task. */
    void attach(EventLoop loop) {
        if (this.loop != null) {
            throw new IllegalStateException("this simulated network is already in use by a running loop");
        }
        this.loop = loop;
        random = seed;
        sent = delivered = dropped = 0;
        tcp.attach();
    }

    /** Drops what is in flight and every mailbox: the run is over. */
    void detach(EventLoop loop) {
        tcp.detach(loop);
        for (Delivery delivery : inFlight) {
            loop.removeTimer(delivery);
        }
        inFlight.clear();
        mailboxes.clear();
        lastOnLink.clear();
        this.loop = null;
    }

    /** {@code Asyncio.send} on the simulated network: never parks. */
    void send(DatagramChannel channel, ByteBuffer src, SocketAddress target) throws IOException {
        SocketAddress from = join(channel).address;
        byte[] bytes = new byte[src.remaining()];
        src.get(bytes);
        sent++;
        if (nextDouble() < lossOn(from, target)) {
            dropped++;
            return;
        }
        int copies = nextDouble() < duplication ? 2 : 1;
        for (int i = 0; i < copies; i++) {
            schedule(new Delivery(this, from, target, bytes));
        }
    }

    private void schedule(Delivery delivery) {
        long now = loop.now();
        long deadline = now + latency(delivery.from, delivery.to);
        List<SocketAddress> link = List.of(delivery.from, delivery.to);
        if (nextDouble() < reordering) {
            // overtaken by what is sent meanwhile; not counted as the link's last
            deadline += latency(delivery.from, delivery.to) + 1;
        } else {
            Long last = lastOnLink.get(link);
            if (last != null && last > deadline) {
                deadline = last;
            }
            lastOnLink.put(link, deadline);
        }
        inFlight.add(delivery);
        loop.addTimerAt(delivery, deadline);
    }

    /** The loop of the current run. */
    EventLoop loop() {
        return loop;
    }

    /** Whether a segment from {@code from} to {@code to} is lost this time, drawn from the seed when its loss rate is not 0. */
    boolean lost(SocketAddress from, SocketAddress to) {
        double rate = lossOn(from, to);
        return rate > 0 && nextDouble() < rate;
    }

    /** A latency for a datagram or segment from {@code from} to {@code to}, drawn from the seed when it is a range. */
    long latency(SocketAddress from, SocketAddress to) {
        long min = minLatency;
        long max = maxLatency;
        for (int i = links.size() - 1; i >= 0; i--) {
            Link link = links.get(i);
            if (link.min >= 0 && link.joins(from, to)) {
                min = link.min;
                max = link.max;
                break;
            }
        }
        long spread = max - min;
        return spread == 0 ? min : min + Math.floorMod(nextLong(), spread + 1);
    }

    private double lossOn(SocketAddress from, SocketAddress to) {
        for (int i = links.size() - 1; i >= 0; i--) {
            Link link = links.get(i);
            if (!Double.isNaN(link.loss) && link.joins(from, to)) {
                return link.loss;
            }
        }
        return loss;
    }

    /** A delivery fell due. */
    void arrive(Delivery delivery) {
        inFlight.remove(delivery);
        if (separated(delivery.from, delivery.to)) {
            dropped++;
            return;
        }
        Mailbox box = receiverOf(delivery.to);
        if (box == null) {
            dropped++;
            return;
        }
        box.datagrams.add(delivery);
        delivered++;
        TaskCore reader = box.reader;
        if (reader != null) {
            box.reader = null;
            loop.wake(reader, null);
        }
    }

    /** The mailbox a datagram to {@code to} goes to, made when needed; null when it must be dropped. */
    private Mailbox receiverOf(SocketAddress to) {
        Mailbox box = mailboxes.get(to);
        if (box != null && box.channel != null) {
            return box.channel.isOpen() ? box : null;
        }
        if (to instanceof InetSocketAddress) {
            int port = ((InetSocketAddress) to).getPort();
            Mailbox wildcard = mailboxes.get(new InetSocketAddress(port));
            if (wildcard != null && wildcard.channel != null && wildcard.channel.isOpen()) {
                return wildcard;
            }
        }
        if (box == null) {
            box = new Mailbox(to);
            mailboxes.put(to, box);
        }
        return box.datagrams.size() < MAILBOX_CAPACITY ? box : null;
    }

    boolean separated(SocketAddress from, SocketAddress to) {
        for (Set<SocketAddress> side : partitions) {
            if (onSide(side, from) != onSide(side, to)) {
                return true;
            }
        }
        return false;
    }

    private static boolean onSide(Set<SocketAddress> side, SocketAddress address) {
        if (side.contains(address)) {
            return true;
        }
        if (address instanceof InetSocketAddress) {
            InetAddress host = ((InetSocketAddress) address).getAddress();
            return host != null && side.contains(new InetSocketAddress(host, 0));
        }
        return false;
    }

    /** Whether {@code address} is {@code pattern}, or a port of its host when {@code pattern}'s port is 0. */
    private static boolean matches(SocketAddress pattern, SocketAddress address) {
        if (pattern.equals(address)) {
            return true;
        }
        if (pattern instanceof InetSocketAddress && address instanceof InetSocketAddress) {
            InetSocketAddress host = (InetSocketAddress) pattern;
            return host.getPort() == 0 && host.getAddress() != null
                    && host.getAddress().equals(((InetSocketAddress) address).getAddress());
        }
        return false;
    }

    /** The settings of the link between two addresses (port 0: every port of the host), both ways; -1 or NaN: not set. */
    private record Link(SocketAddress a, SocketAddress b, long min, long max, double loss) {
        boolean joins(SocketAddress from, SocketAddress to) {
            return matches(a, from) && matches(b, to) || matches(a, to) && matches(b, from);
        }
    }

    /**
     * Called by the loop whenever it runs out of ready tasks: wakes the tasks parked to receive
     * on a channel closed meanwhile (they fail with {@link ClosedChannelException}, as on the
     * real path), then lets TCP do the same for its connections.
     */
    void noticeClosed(EventLoop loop) {
        for (Mailbox box : mailboxes.values()) {
            TaskCore reader = box.reader;
            if (reader != null && !box.channel.isOpen()) {
                box.reader = null;
                loop.wake(reader, null);
            }
        }
        tcp.noticeClosed(loop);
    }

    /** {@code channel}'s mailbox, binding the channel first when it is not bound. */
    private Mailbox join(DatagramChannel channel) throws IOException {
        if (!channel.isOpen()) {
            throw new ClosedChannelException();
        }
        SocketAddress local = channel.getLocalAddress();
        if (local == null) {
            channel.bind(null);
            local = channel.getLocalAddress();
        }
        Mailbox box = mailboxes.get(local);
        if (box == null) {
            box = new Mailbox(local);
            mailboxes.put(local, box);
        }
        if (box.channel != channel) {
            if (box.channel != null) {
                box.datagrams.clear(); // they were for the channel closed before this one took its port
            }
            box.channel = channel;
        }
        return box;
    }

    /** {@code Asyncio.receive} on the simulated network: the datagram now, or parks for one. */
    SocketAddress receive(EventLoop loop, DatagramChannel channel, ByteBuffer dst) throws IOException {
        Mailbox box = join(channel);
        TaskCore task = loop.current;
        TaskCore other = box.reader;
        if (other != null && other != task) {
            throw EventLoop.busy(task, other, "read", box.describe());
        }
        Delivery datagram = box.datagrams.poll();
        if (datagram != null) {
            return datagram.copyTo(dst);
        }
        Object[] refs = box.refs;
        refs[1] = dst;
        box.reader = task;
        loop.suspend(task, box, EventLoop.primitiveFrame(task, RECEIVE, refs));
        return null;
    }

    private static final Resumer RECEIVE = frame -> {
        if (frame == null) {
            return null; // asked to describe itself (AsyncStackTrace): a primitive has no source lines
        }
        EventLoop loop = EventLoop.current();
        Object[] refs = frame.refs;
        Mailbox box = (Mailbox) refs[2];
        try {
            Coroutines.resumeValue(loop); // throws the CancellationException before any datagram is taken
            if (!box.channel.isOpen()) {
                throw new ClosedChannelException();
            }
        } catch (Throwable failure) {
            refs[1] = null;
            throw failure;
        }
        Delivery datagram = box.datagrams.poll();
        if (datagram == null) {
            box.reader = loop.current;
            loop.suspend(loop.current, box, frame);
            return null;
        }
        ByteBuffer dst = (ByteBuffer) refs[1];
        refs[1] = null;
        return datagram.copyTo(dst);
    };

    // ------------------------------------------------------------------ random numbers

    /** SplitMix64 (Steele, Lea and Flood): one long of state, every bit mixed. */
    private long nextLong() {
        long z = random += 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in [0, 1), from the top 53 bits. */
    private double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    // ------------------------------------------------------------------ parts

    /** One copy of a datagram in flight, then waiting in a mailbox. */
    static final class Delivery extends TimerEntry {
        private final NetworkSimulator network;
        final SocketAddress from;
        final SocketAddress to;
        private final byte[] bytes;

        Delivery(NetworkSimulator network, SocketAddress from, SocketAddress to, byte[] bytes) {
            this.network = network;
            this.from = from;
            this.to = to;
            this.bytes = bytes;
        }

        @Override
        protected void expire(EventLoop loop) {
            network.arrive(this);
        }

        /** Puts the datagram into {@code dst} as {@code DatagramChannel.receive} does (what does not fit is lost). */
        SocketAddress copyTo(ByteBuffer dst) {
            dst.put(bytes, 0, Math.min(bytes.length, dst.remaining()));
            return from;
        }
    }

    /** The datagrams that arrived at one address and the task parked to receive them. */
    static final class Mailbox implements WaitSite {
        final SocketAddress address;
        /** The channel that joined at this address; null while none has. */
        DatagramChannel channel;
        final ArrayDeque<Delivery> datagrams = new ArrayDeque<>();
        /** The task parked in receive here, until a delivery wakes it. */
        TaskCore reader;
        /** {channel, buffer, this} of the parked receive. */
        final Object[] refs;

        Mailbox(SocketAddress address) {
            this.address = address;
            this.refs = new Object[] {null, null, this};
        }

        @Override
        public void cancelWait(TaskCore task) {
            if (reader == task) {
                reader = null;
            }
            refs[1] = null;
        }

        /** {@code receive on simulated /127.0.0.1:9000}. */
        @Override
        public String describe(TaskCore task) {
            return "receive on " + describe();
        }

        String describe() {
            return "simulated " + address;
        }
    }
}
