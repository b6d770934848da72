package io.jasyncio.benchmarks;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;

/**
 * udp echo by hand: one thread, one selector, the server and every client as non-blocking
 * channels, and the state of each client in an array instead of a task. The practical limit of
 * the JVM for this workload, which jasyncio's udp echo is compared with.
 */
final class NioEchoLoop {
    private NioEchoLoop() {}

    /** The same exchange as the other systems' udp echo; requests per second. */
    static double udpRequestsPerSecond(int clients, int requests) throws IOException {
        int perClient = requests / clients;
        DatagramChannel[] channels = new DatagramChannel[clients];
        try (Selector selector = Selector.open();
                DatagramChannel server = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            server.configureBlocking(false);
            SocketAddress address = server.getLocalAddress();
            server.register(selector, SelectionKey.OP_READ, -1);
            int[] sent = new int[clients];
            ByteBuffer serverBuffer = ByteBuffer.allocateDirect(Checks.DATAGRAM_BYTES);
            ByteBuffer request = ByteBuffer.allocateDirect(Checks.DATAGRAM_BYTES);
            ByteBuffer reply = ByteBuffer.allocateDirect(Checks.DATAGRAM_BYTES);
            long start = System.nanoTime();
            for (int id = 0; id < clients; id++) {
                channels[id] = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
                channels[id].configureBlocking(false);
                channels[id].register(selector, SelectionKey.OP_READ, id);
                sendRequest(channels[id], request, id, 0, address);
            }
            int echoed = 0;
            int unfinished = clients;
            while (unfinished > 0) {
                selector.select();
                for (SelectionKey key : selector.selectedKeys()) {
                    int id = (Integer) key.attachment();
                    if (id < 0) {
                        while (true) {
                            serverBuffer.clear();
                            SocketAddress from = server.receive(serverBuffer);
                            if (from == null) {
                                break;
                            }
                            serverBuffer.flip();
                            while (server.send(serverBuffer, from) == 0) {
                                Thread.onSpinWait(); // loopback: the socket takes it at once in practice
                            }
                        }
                    } else {
                        reply.clear();
                        if (channels[id].receive(reply) == null) {
                            continue;
                        }
                        Checks.reply(reply, id, sent[id]);
                        echoed++;
                        if (++sent[id] < perClient) {
                            sendRequest(channels[id], request, id, sent[id], address);
                        } else {
                            key.cancel();
                            unfinished--;
                        }
                    }
                }
                selector.selectedKeys().clear();
            }
            long elapsed = System.nanoTime() - start;
            Checks.equal("udp: echoes", perClient * clients, echoed);
            return echoed * 1e9 / elapsed;
        } finally {
            for (DatagramChannel channel : channels) {
                if (channel != null) {
                    channel.close();
                }
            }
        }
    }

    private static void sendRequest(DatagramChannel channel, ByteBuffer request, int client, int n, SocketAddress server)
            throws IOException {
        request.clear();
        request.putInt(0, client).putInt(4, n);
        while (channel.send(request, server) == 0) {
            Thread.onSpinWait();
        }
    }
}
