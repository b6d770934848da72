package io.jasyncio;

import io.jasyncio.internal.EventLoop;
import io.jasyncio.internal.ManualClock;
import io.jasyncio.internal.NetworkSimulator;
import io.jasyncio.internal.TaskCore;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * An in-memory network for testing UDP and TCP programs: {@link #run} runs a program as
 * {@link Asyncio#run} does, in virtual time, with its datagrams carried by this network
 * instead of the kernel. The program is unchanged: it opens and binds real
 * {@link java.nio.channels.DatagramChannel}s (so its addresses and ports are real) and calls
 * {@link Asyncio#send} and {@link Asyncio#receive}; each datagram then takes a latency, may be
 * lost, duplicated or reordered, and is dropped while a {@linkplain #partition partition}
 * separates its two ends, all decided by the seed. The same program on the same seed
 * behaves the same way every time, datagram for datagram and nanosecond for nanosecond.
 *
 * <pre>{@code
 * SimulatedNetwork network = new SimulatedNetwork(42)
 *         .latency(Duration.ofMillis(5), Duration.ofMillis(20))
 *         .loss(0.3);
 * String reply = network.run(() -> askWithRetries(server));
 * }</pre>
 *
 * <p>Time is virtual: the loop's clock ({@link Asyncio#time}) starts at 0 and jumps ahead
 * whenever every task waits for a timer or for data in flight, so a program that sleeps for
 * an hour or waits for many timeouts ends at once. A host is an address: bind channels to
 * several loopback addresses ({@code 127.0.0.1}, {@code 127.0.0.2}...) to have several hosts.
 * A channel joins the network at its first send or receive; a datagram that comes before the
 * channel at its address has called {@code receive} waits for it there.
 *
 * <p>TCP goes through it too: {@code Asyncio.connect}, {@code accept}, {@code read},
 * {@code write} and the streams built on them ({@code io.jasyncio.streams}). The connection is
 * real and made at once over loopback (so the channels and their addresses are real, and
 * connecting where nobody listens fails with {@link java.net.ConnectException}), but its
 * bytes travel in memory: the handshake takes a latency each way ({@code accept} sees the
 * connection after the first, {@code connect} returns after the second; a connect cancelled
 * meanwhile closes its channel, and the listener never accepts it unless the first leg had
 * already arrived, in which case the accepted side reads the end of the stream); each write
 * reaches the peer a latency later, never before the bytes written ahead of it; a loss costs
 * a retransmission timeout (200 ms, doubling for each further loss) instead of losing bytes;
 * reordering costs time but not order (a segment picked for it takes a second latency, and
 * the bytes behind it wait for it); duplication has no visible effect (the receiver discards
 * the copy); a partition holds the bytes (and handshakes) that reach it until {@link #heal},
 * then lets them through a latency later. The end of the stream ({@code shutdownOutput} or
 * {@code close}, even when called on the channel directly) follows the bytes written before
 * it.
 *
 * <p>Each direction of a connection holds at most a {@linkplain #tcpWindow window} of bytes
 * written and not yet read (256 KiB unless set), so a fast writer waits for a slow reader as
 * on a real network: {@code Asyncio.write} takes what fits and parks until the reader's reads
 * free room ({@code write on simulated TCP /127.0.0.1:40000 -> /127.0.0.1:8080} in a task
 * dump; a writer whose reader never reads is reported as a deadlock), and the streams'
 * {@code drain} waits accordingly. As on Linux, bytes that reach a closed channel are
 * discarded and answered by a reset, which takes a latency back: from then on the writer's
 * writes fail with an {@code IOException} "Broken pipe" (the usual case: the first write after
 * the peer closed succeeds, the ones after the reset came back fail) and its reads return -1.
 * A channel closed with bytes arrived and unread discards them and resets the connection
 * instead of ending the stream: the peer's next read fails with a
 * {@link java.net.SocketException} "Connection reset" (after the bytes that arrived before),
 * or its next write with an {@code IOException} "Connection reset by peer". Hosts must be
 * loopback addresses, since the connection is real. Any other wait for real I/O fails with an
 * {@code IllegalStateException} under {@link #run}, so that no real event is ever waited for
 * across a jump of virtual time.
 *
 * <p>A task parked in {@code receive} (or {@code read}, {@code accept}) on a channel that
 * another task closes fails with a {@link java.nio.channels.ClosedChannelException} (an
 * {@link java.nio.channels.AsynchronousCloseException} for TCP) once every task has run, as on
 * real sockets.
 *
 * <p>The latency and the loss rate may be set for the links between particular hosts or
 * addresses, over the network's own ({@link #latency(SocketAddress, SocketAddress, Duration, Duration)}).
 *
 * <p>The settings may change while the program runs (from its tasks, on the loop's thread):
 * a partition made at some instant drops the datagrams (and holds the TCP bytes) that arrive
 * from then on, those in flight included, until {@link #heal}. One network serves one run at a time; each run starts
 * the seed's sequence afresh.
 */
public final class SimulatedNetwork {
    private final NetworkSimulator simulator;

    /**
     * A network with no latency, no loss, no duplication, no reordering and no partition.
     *
     * @param seed the seed of every random choice the network makes
     */
    public SimulatedNetwork(long seed) {
        this(new NetworkSimulator(seed));
    }

    private SimulatedNetwork(NetworkSimulator simulator) {
        this.simulator = simulator;
        simulator.face = this;
    }

    /**
     * The network that carries the datagrams of the loop running on this thread: the one whose
     * {@link #run} runs it, or the one a test framework installed on its own loop (such as
     * {@code @AsyncTest(simulatedNetwork = true)} of the {@code jasyncio-testing} module). A
     * task reaches it this way to change latency, loss or partitions while the program runs.
     *
     * @return the running loop's network; the same object on every call during one run
     * @throws IllegalStateException when no loop runs on this thread, or it uses real sockets
     */
    public static SimulatedNetwork current() {
        NetworkSimulator simulator = EventLoop.require("SimulatedNetwork.current").network();
        if (simulator == null) {
            throw new IllegalStateException("the running loop uses real sockets, not a simulated network: "
                    + "run the program with SimulatedNetwork.run");
        }
        return simulator.face != null ? simulator.face : new SimulatedNetwork(simulator);
    }

    /**
     * Each datagram (and each TCP write, and each leg of a TCP handshake) arrives after a
     * latency drawn uniformly between {@code min} and {@code max}, inclusive (nanosecond
     * resolution). Datagrams between two addresses still
     * arrive in the order they were sent, unless picked for {@linkplain #reordering reordering}.
     *
     * @return this network
     * @throws IllegalArgumentException when {@code min} is negative or greater than {@code max}
     */
    public SimulatedNetwork latency(Duration min, Duration max) {
        simulator.latency(min.toNanos(), max.toNanos());
        return this;
    }

    /**
     * Between {@code a} and {@code b}, both ways, each datagram, TCP write and handshake leg
     * takes a latency drawn between {@code min} and {@code max} instead of the network's
     * {@linkplain #latency(Duration, Duration) latency}: a slow link to a far host. An
     * {@link java.net.InetSocketAddress} with port 0 stands for every port of its host. When
     * several links set this way match a datagram, the one set last decides.
     *
     * <pre>{@code
     * network.latency(Duration.ofMillis(1), Duration.ofMillis(2))          // the local network
     *        .latency(client, farServer, Duration.ofMillis(80), Duration.ofMillis(120));
     * }</pre>
     *
     * @return this network
     * @throws IllegalArgumentException when {@code min} is negative or greater than {@code max}
     */
    public SimulatedNetwork latency(SocketAddress a, SocketAddress b, Duration min, Duration max) {
        simulator.latency(Objects.requireNonNull(a, "a"), Objects.requireNonNull(b, "b"), min.toNanos(), max.toNanos());
        return this;
    }

    /**
     * Between {@code a} and {@code b}, both ways, each datagram is lost (and each TCP write or
     * handshake leg retransmitted) with this probability instead of the network's
     * {@linkplain #loss(double) loss}. Addresses match as in
     * {@link #latency(SocketAddress, SocketAddress, Duration, Duration)}, and the link set last decides.
     *
     * @param probability from 0 (none) to 1 (every one)
     * @return this network
     * @throws IllegalArgumentException when {@code probability} is not in [0, 1]
     */
    public SimulatedNetwork loss(SocketAddress a, SocketAddress b, double probability) {
        simulator.loss(Objects.requireNonNull(a, "a"), Objects.requireNonNull(b, "b"), probability);
        return this;
    }

    /**
     * Each datagram sent is lost with this probability; a TCP write (or handshake leg) is
     * lost and retransmitted with it, each loss delaying it by a retransmission timeout
     * (200 ms, then 400 ms...; at most 10 losses are drawn for one write).
     *
     * @param probability from 0 (none) to 1 (every one)
     * @return this network
     * @throws IllegalArgumentException when {@code probability} is not in [0, 1]
     */
    public SimulatedNetwork loss(double probability) {
        simulator.loss(probability);
        return this;
    }

    /**
     * Each datagram that is not lost arrives twice with this probability, each copy with a
     * latency of its own. TCP hides duplicates (the receiver discards the copy), so this has no
     * visible effect on TCP, and draws nothing for it.
     *
     * @param probability from 0 to 1
     * @return this network
     * @throws IllegalArgumentException when {@code probability} is not in [0, 1]
     */
    public SimulatedNetwork duplication(double probability) {
        simulator.duplication(probability);
        return this;
    }

    /**
     * Each datagram is held back with this probability for a second latency draw, so that
     * datagrams sent after it on the same path may arrive before it. A TCP segment (the bytes
     * of one write, an end of stream, a reset, a handshake leg) picked this way takes the second
     * latency too, but TCP delivers in order: the segments behind it wait for it, so reordering
     * delays TCP bytes (head-of-line blocking) without reordering them. At rate 0 nothing is
     * drawn for TCP, so seeded runs without reordering are the same as before it applied.
     *
     * @param probability from 0 to 1
     * @return this network
     * @throws IllegalArgumentException when {@code probability} is not in [0, 1]
     */
    public SimulatedNetwork reordering(double probability) {
        simulator.reordering(probability);
        return this;
    }

    /**
     * Separates the addresses of {@code side} from every other address: datagrams that arrive
     * from then on between the two sides are dropped, whenever they were sent; TCP bytes and
     * handshakes that arrive are held until {@link #heal}. An
     * {@link java.net.InetSocketAddress} with port 0 stands for every port of its host.
     * Partitions add up; {@link #heal} ends them all.
     *
     * @param side the addresses on one side
     * @return this network
     */
    public SimulatedNetwork partition(SocketAddress... side) {
        simulator.partition(Set.of(side));
        return this;
    }

    /**
     * Ends every partition: datagrams that arrive from now on go through again, and the TCP
     * bytes and handshakes held go on, arriving a latency from now.
     *
     * @return this network
     */
    public SimulatedNetwork heal() {
        simulator.heal();
        return this;
    }

    /**
     * Sets the window of each direction of every TCP connection: how many bytes written and not
     * yet read (in flight or arrived) it holds before a write must wait. Room frees the moment
     * the reader reads. Applies to the writes made from then on.
     *
     * @param bytes the window, at least 1; 256 KiB by default
     * @return this network
     * @throws IllegalArgumentException when {@code bytes} is less than 1
     */
    public SimulatedNetwork tcpWindow(int bytes) {
        simulator.tcpWindow(bytes);
        return this;
    }

    /** The TCP window of each direction, in bytes; see {@link #tcpWindow(int)}. */
    public int tcpWindow() {
        return simulator.tcpWindow();
    }

    /** The seed given to the constructor. */
    public long seed() {
        return simulator.seed();
    }

    /** Datagrams sent during the current or last run (TCP is counted apart: {@link #tcpSegmentsSent}). */
    public long sent() {
        return simulator.counts()[0];
    }

    /** Datagrams (copies included) that reached their destination during the current or last run. */
    public long delivered() {
        return simulator.counts()[1];
    }

    /** Datagrams (copies included) dropped during the current or last run: lost, partitioned, or unreachable. */
    public long dropped() {
        return simulator.counts()[2];
    }

    /**
     * TCP segments of bytes sent during the current or last run: each write call (of
     * {@code Asyncio.write} or the streams, or each resumption of a parked write) that put bytes
     * into a connection is one segment. Ends of stream, resets, handshakes and retransmissions
     * are not counted.
     */
    public long tcpSegmentsSent() {
        return simulator.tcpCounts()[0];
    }

    /**
     * TCP retransmissions during the current or last run: the losses drawn for TCP segments of
     * bytes, ends of stream, resets and handshake legs, each costing a retransmission timeout.
     */
    public long tcpRetransmissions() {
        return simulator.tcpCounts()[1];
    }

    /**
     * Runs {@code main} as {@link Asyncio#run(AsyncCallable)} does, on a loop in virtual time
     * whose datagrams and TCP connections go through this network, and returns its result.
     *
     * @throws IllegalStateException when a loop already runs on this thread, when this network
     *     serves another run, or on a deadlock (as {@code Asyncio.run})
     * @throws java.util.concurrent.CancellationException or whatever {@code main} throws
     */
    public <T> T run(AsyncCallable<T> main) {
        Objects.requireNonNull(main, "main");
        return EventLoop.run(new ManualClock(0), loop -> start(loop, main));
    }

    /**
     * Runs {@code main} as {@link Asyncio#run(AsyncRunnable)} does, on a loop in virtual time
     * whose datagrams and TCP connections go through this network.
     *
     * @throws IllegalStateException as {@link #run(AsyncCallable)}
     */
    public void run(AsyncRunnable main) {
        Objects.requireNonNull(main, "main");
        EventLoop.run(new ManualClock(0), loop -> start(loop, main));
    }

    private TaskCore start(EventLoop loop, Object main) {
        loop.useNetwork(simulator);
        return (TaskCore) (main instanceof AsyncCallable
                ? Asyncio.createTask((AsyncCallable<?>) main)
                : Asyncio.createTask((AsyncRunnable) main));
    }

    @Override
    public String toString() {
        return "SimulatedNetwork(seed " + simulator.seed() + ")";
    }
}
