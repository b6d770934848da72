package io.jasyncio.runtime;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jasyncio.Async;
import io.jasyncio.Asyncio;
import io.jasyncio.SimulatedNetwork;
import io.jasyncio.Task;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * UDP on {@link SimulatedNetwork}: real channels, datagrams carried in virtual time by the
 * loop's timers, with latency, loss, duplication, reordering and partitions from a seed.
 */
class SimulatedNetworkIT extends AsyncTestBase {
    private final List<DatagramChannel> channels = new ArrayList<>();

    /** A channel bound to {@code host} (a loopback address) on an ephemeral port. */
    private DatagramChannel bind(String host) throws IOException {
        DatagramChannel channel = DatagramChannel.open();
        channels.add(channel);
        channel.bind(new InetSocketAddress(host, 0));
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

    private static long millis() {
        return Asyncio.time() / 1_000_000;
    }

    /** Receives one datagram and returns {@code "text@ms"}. */
    @Async
    static String receiveStamped(DatagramChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(256);
        Asyncio.receive(channel, buffer);
        return text(buffer) + "@" + millis();
    }

    /** Everything that arrives at {@code channel} until nothing has come for {@code quiet}. */
    @Async
    static List<String> receiveUntilQuiet(DatagramChannel channel, Duration quiet) throws IOException {
        List<String> received = new ArrayList<>();
        for (;;) {
            try {
                received.add(Asyncio.timeout(quiet, () -> receiveStamped(channel)));
            } catch (TimeoutException quietEnough) {
                return received;
            }
        }
    }

    @Test
    void latency_deliversAtExactVirtualTimes() throws IOException {
        DatagramChannel a = bind("127.0.0.1");
        DatagramChannel b = bind("127.0.0.1");
        SocketAddress to = b.getLocalAddress();
        SimulatedNetwork network = new SimulatedNetwork(1).latency(Duration.ofMillis(10), Duration.ofMillis(10));
        List<String> received = runOn(network, () -> {
            expect(1);
            Task<List<String>> receiver = Asyncio.createTask(() -> receiveUntilQuiet(b, Duration.ofSeconds(1)));
            Asyncio.send(a, bytes("x"), to);
            Asyncio.send(a, bytes("y"), to);
            Asyncio.sleep(Duration.ofMillis(5));
            Asyncio.send(a, bytes("z"), to);
            return receiver.await();
        });
        assertEquals(List.of("x@10", "y@10", "z@15"), received);
        assertEquals(3, network.sent());
        assertEquals(3, network.delivered());
        assertEquals(0, network.dropped());
        finish(2);
    }

    @Test
    void latencyRange_eachDelayInRangeAndOrderKeptWithoutReordering() throws IOException {
        DatagramChannel a = bind("127.0.0.1");
        DatagramChannel b = bind("127.0.0.1");
        SocketAddress to = b.getLocalAddress();
        SimulatedNetwork network = new SimulatedNetwork(7).latency(Duration.ofMillis(5), Duration.ofMillis(20));
        List<String> received = runOn(network, () -> {
            Task<List<String>> receiver = Asyncio.createTask(() -> receiveUntilQuiet(b, Duration.ofSeconds(1)));
            for (int i = 0; i < 100; i++) {
                Asyncio.send(a, bytes(Integer.toString(i)), to);
                Asyncio.sleep(Duration.ofMillis(1));
            }
            return receiver.await();
        });
        assertEquals(100, received.size());
        boolean someDelayNotMinimal = false;
        for (int i = 0; i < 100; i++) {
            String[] parts = received.get(i).split("@");
            assertEquals(Integer.toString(i), parts[0], "order on the link: " + received);
            long delay = Long.parseLong(parts[1]) - i;
            assertTrue(delay >= 5 && delay <= 20 + 20, "delay " + delay + " of datagram " + i);
            someDelayNotMinimal |= delay > 5;
        }
        assertTrue(someDelayNotMinimal, "latencies are drawn, not all the minimum: " + received);
        finish(1);
    }

    /** 200 numbered datagrams, 1 ms apart, through a lossy, duplicating, reordering network; what arrived when. */
    private String trace(long seed) throws IOException {
        DatagramChannel a = bind("127.0.0.1");
        DatagramChannel b = bind("127.0.0.1");
        SocketAddress to = b.getLocalAddress();
        SimulatedNetwork network = new SimulatedNetwork(seed)
                .latency(Duration.ofMillis(1), Duration.ofMillis(10))
                .loss(0.2)
                .duplication(0.2)
                .reordering(0.2);
        List<String> received = runOn(network, () -> {
            Task<List<String>> receiver = Asyncio.createTask(() -> receiveUntilQuiet(b, Duration.ofSeconds(1)));
            for (int i = 0; i < 200; i++) {
                Asyncio.send(a, bytes(Integer.toString(i)), to);
                Asyncio.sleep(Duration.ofMillis(1));
            }
            return receiver.await();
        });
        assertEquals(200, network.sent());
        assertEquals(received.size(), network.delivered());
        // the rates are those asked for, roughly: 200 draws each
        long lost = 200 - received.stream().map(r -> r.split("@")[0]).distinct().count();
        assertTrue(lost >= 20 && lost <= 60, "lost " + lost + " of 200 with loss 0.2");
        long copies = received.size() - (200 - lost);
        assertTrue(copies >= 15 && copies <= 55, "duplicated " + copies + " of " + (200 - lost) + " with duplication 0.2");
        int overtaken = 0;
        for (int i = 1; i < received.size(); i++) {
            if (number(received.get(i)) < number(received.get(i - 1))) {
                overtaken++;
            }
        }
        assertTrue(overtaken >= 10, "only " + overtaken + " datagrams overtaken with reordering 0.2");
        return String.join(" ", received);
    }

    private static int number(String stamped) {
        return Integer.parseInt(stamped.substring(0, stamped.indexOf('@')));
    }

    @Test
    void seed_sameSeedSameTrace_otherSeedOtherTrace() throws IOException {
        String first = trace(42);
        String again = trace(42);
        String other = trace(43);
        assertEquals(first, again);
        assertNotEquals(first, other);
        finish(1);
    }

    @Test
    void partition_dropsBetweenSidesUntilHealed() throws IOException {
        DatagramChannel a = bind("127.0.0.1");
        DatagramChannel b = bind("127.0.0.2");
        DatagramChannel c = bind("127.0.0.2");
        SocketAddress toB = b.getLocalAddress();
        SocketAddress toC = c.getLocalAddress();
        SimulatedNetwork network = new SimulatedNetwork(3).latency(Duration.ofMillis(10), Duration.ofMillis(10));
        List<String> received = runOn(network, () -> {
            Task<List<String>> atB = Asyncio.createTask(() -> receiveUntilQuiet(b, Duration.ofSeconds(1)));
            Task<List<String>> atC = Asyncio.createTask(() -> receiveUntilQuiet(c, Duration.ofSeconds(1)));
            Asyncio.send(a, bytes("in flight"), toB);
            Asyncio.sleep(Duration.ofMillis(5));
            network.partition(new InetSocketAddress("127.0.0.2", 0)); // the whole host 127.0.0.2
            Asyncio.send(a, bytes("across"), toB);
            Asyncio.send(b, bytes("same side"), toC);
            Asyncio.sleep(Duration.ofMillis(100));
            network.heal();
            Asyncio.send(a, bytes("healed"), toB);
            List<String> all = new ArrayList<>(atB.await());
            all.addAll(atC.await());
            return all;
        });
        assertEquals(List.of("healed@115", "same side@15"), received);
        assertEquals(2, network.dropped());
        finish(1);
    }

    // ---- the seed's client/server program (samples' ClientServer), unchanged

    static final Duration WORK = Duration.ofSeconds(1);

    @Async
    static String executeApiCall(SocketAddress server, String request) throws IOException {
        try (DatagramChannel channel = openLocal()) {
            Asyncio.send(channel, UTF_8.encode(request), server);
            ByteBuffer response = ByteBuffer.allocate(1024);
            Asyncio.receive(channel, response);
            return UTF_8.decode(response.flip()).toString();
        }
    }

    @Async
    static void serve(DatagramChannel channel) throws IOException {
        for (;;) {
            ByteBuffer request = ByteBuffer.allocate(1024);
            SocketAddress client = Asyncio.receive(channel, request);
            request.flip();
            Asyncio.createTask(() -> handleRequest(channel, request, client));
        }
    }

    @Async
    static void handleRequest(DatagramChannel channel, ByteBuffer request, SocketAddress client) throws IOException {
        Asyncio.sleep(WORK);
        String response = "response for " + UTF_8.decode(request);
        Asyncio.send(channel, UTF_8.encode(response), client);
    }

    static DatagramChannel openLocal() throws IOException {
        DatagramChannel channel = DatagramChannel.open(java.net.StandardProtocolFamily.INET);
        try {
            return channel.bind(new InetSocketAddress("127.0.0.1", 0));
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    @Test
    void clientServer_seedProgramRunsUnchangedInVirtualTime() throws IOException {
        DatagramChannel serverChannel = openLocal();
        channels.add(serverChannel);
        SocketAddress server = serverChannel.getLocalAddress();
        SimulatedNetwork network = new SimulatedNetwork(5).latency(Duration.ofMillis(1), Duration.ofMillis(1));
        List<String> log = runOn(network, () -> {
            List<String> lines = new ArrayList<>();
            Asyncio.createTask(() -> serve(serverChannel));
            long start = millis();
            lines.add(executeApiCall(server, "request0") + ", " + executeApiCall(server, "request1"));
            lines.add("sequential in " + (millis() - start) + " ms");
            start = millis();
            Task<String> t0 = Asyncio.createTask(() -> executeApiCall(server, "request0"));
            Task<String> t1 = Asyncio.createTask(() -> executeApiCall(server, "request1"));
            lines.add(t0.await() + ", " + t1.await());
            lines.add("concurrent in " + (millis() - start) + " ms");
            return lines;
        });
        assertEquals(List.of(
                "response for request0, response for request1",
                "sequential in 2004 ms",
                "response for request0, response for request1",
                "concurrent in 1002 ms"), log);
        finish(1);
    }

    /** executeApiCall with a timeout and resend: what a client on a lossy network must do. */
    @Async
    static String executeWithRetries(SocketAddress server, String request, List<Integer> attempts) throws IOException {
        try (DatagramChannel channel = openLocal()) {
            for (int attempt = 1; ; attempt++) {
                Asyncio.send(channel, UTF_8.encode(request), server);
                try {
                    String response = Asyncio.timeout(WORK.plusMillis(100), () -> {
                        ByteBuffer buffer = ByteBuffer.allocate(1024);
                        Asyncio.receive(channel, buffer);
                        return UTF_8.decode(buffer.flip()).toString();
                    });
                    attempts.add(attempt);
                    return response;
                } catch (TimeoutException lost) {
                    // the request or the response was lost: send it again
                }
            }
        }
    }

    @Test
    void clientServer_retryingClientCompletesWith30PercentLossFor100Seeds() throws IOException {
        DatagramChannel serverChannel = openLocal();
        channels.add(serverChannel);
        SocketAddress server = serverChannel.getLocalAddress();
        int retried = 0;
        for (long seed = 1; seed <= 100; seed++) {
            SimulatedNetwork network = new SimulatedNetwork(seed)
                    .latency(Duration.ofMillis(1), Duration.ofMillis(20))
                    .loss(0.3);
            List<Integer> attempts = new ArrayList<>();
            List<String> responses = runOn(network, () -> {
                Asyncio.createTask(() -> serve(serverChannel));
                Task<String> t0 = Asyncio.createTask(() -> executeWithRetries(server, "request0", attempts));
                Task<String> t1 = Asyncio.createTask(() -> executeWithRetries(server, "request1", attempts));
                return List.of(t0.await(), t1.await());
            });
            assertEquals(List.of("response for request0", "response for request1"), responses, "seed " + seed);
            retried += attempts.stream().filter(n -> n > 1).count();
            assertTrue(network.dropped() > 0 || attempts.equals(List.of(1, 1)), "seed " + seed);
        }
        // each exchange succeeds at the first attempt with probability 0.49
        assertTrue(retried >= 70 && retried <= 140, retried + " of 200 calls needed a resend");
        finish(1);
    }

    @Test
    void receive_cancelledAfterDeliveryWokeItTakesNothing() throws IOException {
        DatagramChannel a = bind("127.0.0.1");
        DatagramChannel b = bind("127.0.0.1");
        SocketAddress to = b.getLocalAddress();
        SimulatedNetwork network = new SimulatedNetwork(9).latency(Duration.ofMillis(10), Duration.ofMillis(10));
        String received = runOn(network, () -> {
            Asyncio.send(a, bytes("kept"), to); // due at 10 ms, scheduled before the timeout below
            try {
                Asyncio.timeout(Duration.ofMillis(10), () -> receiveStamped(b));
                expectUnreached();
            } catch (TimeoutException expected) {
                expect(1);
            }
            return receiveStamped(b);
        });
        assertEquals("kept@10", received);
        finish(2);
    }

    @Test
    void receive_secondReaderFailsNamingBoth() throws IOException {
        DatagramChannel b = bind("127.0.0.1");
        SimulatedNetwork network = new SimulatedNetwork(1);
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> runOn(network, () -> {
            Task<String> first = Asyncio.createTask("first", () -> receiveStamped(b));
            Asyncio.sleep(Duration.ofMillis(1));
            try {
                return receiveStamped(b);
            } finally {
                first.cancel();
            }
        }));
        assertTrue(thrown.getMessage().matches("task Task-\\d+ cannot read simulated /127\\.0\\.0\\.1:\\d+: "
                + "task first is already waiting to read it; .*"), thrown.getMessage());
        finish(1);
    }

    @Test
    void deadlock_parkedReceiverWithNothingInFlightIsReported() throws IOException {
        DatagramChannel b = bind("127.0.0.1");
        SimulatedNetwork network = new SimulatedNetwork(1);
        IllegalStateException thrown = assertThrows(IllegalStateException.class,
                () -> runOn(network, () -> receiveStamped(b)));
        assertTrue(thrown.getMessage().startsWith("deadlock: no task is ready and none can ever wake up"),
                thrown.getMessage());
        assertTrue(thrown.getMessage().contains("receive on simulated " + b.getLocalAddress()), thrown.getMessage());
        finish(1);
    }

    @Test
    void virtualTime_realReceiveIsRefusedWithoutANetwork() throws IOException {
        DatagramChannel b = bind("127.0.0.1");
        IllegalStateException thrown = assertThrows(IllegalStateException.class,
                () -> runInVirtualTime(() -> receiveStamped(b)));
        assertEquals("cannot wait for real I/O on DatagramChannel " + b.getLocalAddress()
                + ": the loop runs on a virtual clock, which would jump past real events;"
                + " run real I/O with Asyncio.run (in a test, @AsyncTest(virtualTime = false)),"
                + " or UDP and TCP on a simulated network (SimulatedNetwork; in a test,"
                + " @AsyncTest(simulatedNetwork = true))", thrown.getMessage());
        finish(1);
    }
    /** Closes {@code channel} 3 ms from now, while {@code receiver} waits on it: {@code "closed@ms"} if it failed so. */
    @Async
    static String closeUnder(Task<String> receiver, DatagramChannel channel) throws IOException {
        Asyncio.sleep(Duration.ofMillis(3));
        channel.close();
        try {
            receiver.await();
            return "received";
        } catch (RuntimeException e) {
            // a checked exception comes wrapped in CompletionException
            assertInstanceOf(ClosedChannelException.class, e.getCause(), e.toString());
            return "closed@" + millis();
        }
    }

    @Test
    void receive_onAChannelAnotherTaskCloses_failsWithClosedChannel() throws IOException {
        DatagramChannel b = bind("127.0.0.1");
        String outcome = runOn(new SimulatedNetwork(1), () -> closeUnder(Asyncio.createTask(() -> receiveStamped(b)), b));
        assertEquals("closed@3", outcome);
        finish(1);
    }

    @Test
    void receive_onAClosedChannelWhileDatagramsAreInFlight_failsAtOnceNotAtTheirArrival() throws IOException {
        DatagramChannel a = bind("127.0.0.1");
        DatagramChannel b = bind("127.0.0.1");
        SocketAddress to = b.getLocalAddress();
        SimulatedNetwork network = new SimulatedNetwork(1).latency(Duration.ofMillis(50), Duration.ofMillis(50));
        String outcome = runOn(network, () -> {
            Task<String> receiver = Asyncio.createTask(() -> receiveStamped(b));
            Asyncio.send(a, bytes("late"), to); // arrives at 50 ms, at a closed channel: dropped
            return closeUnder(receiver, b);
        });
        assertEquals("closed@3", outcome);
        finish(1);
    }

    @Test
    void linkLatency_overridesTheNetworksBothWays_forEveryPortOfAHost() throws IOException {
        DatagramChannel near = bind("127.0.0.1");
        DatagramChannel far = bind("127.0.0.2");
        DatagramChannel other = bind("127.0.0.3");
        SocketAddress nearAddress = near.getLocalAddress();
        SimulatedNetwork network = new SimulatedNetwork(1)
                .latency(Duration.ofMillis(1), Duration.ofMillis(1))
                .latency(new InetSocketAddress("127.0.0.2", 0), nearAddress, Duration.ofMillis(80), Duration.ofMillis(80));
        List<String> received = runOn(network, () -> {
            Task<List<String>> receiver = Asyncio.createTask(() -> receiveUntilQuiet(near, Duration.ofSeconds(1)));
            Task<List<String>> farReceiver = Asyncio.createTask(() -> receiveUntilQuiet(far, Duration.ofSeconds(1)));
            Asyncio.send(far, bytes("far"), nearAddress);
            Asyncio.send(other, bytes("other"), nearAddress);
            Asyncio.send(near, bytes("back"), far.getLocalAddress());
            Asyncio.send(other, bytes("third"), far.getLocalAddress());
            List<String> all = new ArrayList<>(receiver.await());
            all.addAll(farReceiver.await());
            return all;
        });
        assertEquals(List.of("other@1", "far@80", "third@1", "back@80"), received);
        finish(1);
    }

    @Test
    void linkLoss_dropsOnlyOnThatLink_andTheLinkSetLastDecides() throws IOException {
        DatagramChannel a = bind("127.0.0.1");
        DatagramChannel b = bind("127.0.0.2");
        DatagramChannel c = bind("127.0.0.3");
        SocketAddress toA = a.getLocalAddress();
        SimulatedNetwork network = new SimulatedNetwork(5)
                .loss(b.getLocalAddress(), toA, 0.0)
                .loss(new InetSocketAddress("127.0.0.2", 0), new InetSocketAddress("127.0.0.1", 0), 1.0);
        List<String> received = runOn(network, () -> {
            Task<List<String>> receiver = Asyncio.createTask(() -> receiveUntilQuiet(a, Duration.ofSeconds(1)));
            for (int i = 0; i < 10; i++) {
                Asyncio.send(b, bytes("b" + i), toA);
                Asyncio.send(c, bytes("c" + i), toA);
            }
            return receiver.await();
        });
        assertEquals(10, received.size(), received.toString());
        assertTrue(received.stream().allMatch(r -> r.startsWith("c")), received.toString());
        assertEquals(20, network.sent());
        assertEquals(10, network.dropped());
        finish(1);
    }

    @Test
    void linkLatency_appliesToTcpToo() throws IOException {
        try (java.nio.channels.ServerSocketChannel listener = java.nio.channels.ServerSocketChannel.open();
                java.nio.channels.SocketChannel client = java.nio.channels.SocketChannel.open()) {
            listener.bind(new InetSocketAddress("127.0.0.2", 0));
            SocketAddress server = listener.getLocalAddress();
            SimulatedNetwork network = new SimulatedNetwork(1)
                    .latency(Duration.ofMillis(1), Duration.ofMillis(1))
                    .latency(new InetSocketAddress("127.0.0.2", 0), new InetSocketAddress("127.0.0.1", 0),
                            Duration.ofMillis(30), Duration.ofMillis(30));
            client.bind(new InetSocketAddress("127.0.0.1", 0));
            long connected = runOn(network, () -> {
                Task<java.nio.channels.SocketChannel> accepted = Asyncio.createTask(() -> Asyncio.accept(listener));
                Asyncio.connect(client, server);
                long at = millis();
                accepted.await().close();
                return at;
            });
            assertEquals(60, connected); // one link latency each way
        }
        finish(1);
    }

    @Test
    void linkSettings_areChecked() {
        SimulatedNetwork network = new SimulatedNetwork(1);
        SocketAddress a = new InetSocketAddress("127.0.0.1", 0);
        assertThrows(IllegalArgumentException.class,
                () -> network.latency(a, a, Duration.ofMillis(2), Duration.ofMillis(1)));
        assertThrows(IllegalArgumentException.class, () -> network.loss(a, a, 1.5));
        assertThrows(NullPointerException.class,
                () -> network.latency(null, a, Duration.ZERO, Duration.ZERO));
        finish(1);
    }
}
