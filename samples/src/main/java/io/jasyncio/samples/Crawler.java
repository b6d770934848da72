package io.jasyncio.samples;

import io.jasyncio.Async;
import io.jasyncio.Asyncio;
import io.jasyncio.TaskGroup;
import io.jasyncio.streams.StreamConnection;
import io.jasyncio.streams.StreamReader;
import io.jasyncio.streams.StreamServer;
import io.jasyncio.streams.StreamWriter;
import io.jasyncio.streams.Streams;
import io.jasyncio.sync.Semaphore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A crawler with bounded concurrency, the classic use of a semaphore with a task group: every
 * page found is fetched by a task of its own in one {@link TaskGroup}, which returns once the
 * whole site has been fetched, and a {@link Semaphore} of {@value #LIMIT} permits keeps at most
 * that many requests in flight, however many tasks are waiting to fetch.
 *
 * <p>The site is served on the same loop by a small line protocol over TCP: a client sends
 * {@code GET /path}, and the server answers, after {@value #LATENCY_MS} ms, with the links of
 * that page, one per line, and closes the connection. The root links to {@value #FAN_OUT}
 * pages, each of them to {@value #FAN_OUT} more, and every page also links back to the root,
 * which the crawler must not fetch twice. The server counts the requests it serves at once.
 *
 * <p>Fetching the {@value #PAGES} pages one by one would take {@value #PAGES} times the latency;
 * with {@value #LIMIT} at a time it takes about a quarter of that, and never less.
 */
public final class Crawler {
    static final String HOST = "127.0.0.1";
    static final int LIMIT = 4;
    static final int FAN_OUT = 5;
    static final int DEPTH = 2;
    static final int PAGES = 1 + FAN_OUT + FAN_OUT * FAN_OUT;
    static final long LATENCY_MS = 50;

    /** Requests the server is serving now, and the most it ever served at once. */
    private static int inFlight;
    private static int mostInFlight;

    private Crawler() {}

    /** Serves the site, crawls it from the root, prints what was fetched and how. */
    public static void main(String[] args) {
        Asyncio.run(() -> {
            StreamServer site = Streams.startServer(Crawler::serve, HOST, 0);
            Stopwatch stopwatch = Stopwatch.start();
            Set<String> fetched = crawl(site.port());
            System.out.println("crawled " + fetched.size() + " pages of " + PAGES + ", each once");
            System.out.println("the server saw at most " + mostInFlight + " requests at once (limit " + LIMIT + ")");
            stopwatch.printElapsed();
            site.close();
            site.waitClosed();
        });
    }

    /** Fetches every page reachable from the root, at most {@link #LIMIT} at a time. */
    @Async
    static Set<String> crawl(int port) {
        Semaphore requests = new Semaphore(LIMIT);
        Set<String> seen = new HashSet<>();
        seen.add("/");
        Asyncio.taskGroup(group -> {
            visit(group, requests, seen, port, "/");
            return null;
        });
        return seen;
    }

    /** Fetches one page, then starts a task for each link not seen before. */
    @Async
    static void visit(TaskGroup group, Semaphore requests, Set<String> seen, int port, String path) throws IOException {
        List<String> links;
        requests.acquire();
        try {
            links = fetch(port, path);
        } finally {
            requests.release();
        }
        for (String link : links) {
            if (seen.add(link)) { // one task owns the check and the add: no other task runs in between
                group.createTask(() -> visit(group, requests, seen, port, link));
            }
        }
    }

    /** One request on a connection of its own: the links of the page at {@code path}. */
    @Async
    static List<String> fetch(int port, String path) throws IOException {
        StreamConnection connection = Streams.openConnection(HOST, port);
        connection.writer().write("GET " + path + "\n");
        List<String> links = new ArrayList<>();
        String line;
        while ((line = connection.reader().readLine()) != null) {
            links.add(line);
        }
        connection.writer().close();
        connection.writer().waitClosed();
        return links;
    }

    /** The server's side of one request: waits the latency, then sends the page's links. */
    @Async
    static void serve(StreamReader reader, StreamWriter writer) throws IOException {
        String request = reader.readLine();
        if (request == null || !request.startsWith("GET /")) {
            writer.write("bad request\n");
            return;
        }
        String path = request.substring("GET ".length());
        inFlight++;
        mostInFlight = Math.max(mostInFlight, inFlight);
        try {
            Asyncio.sleep(LATENCY_MS);
        } finally {
            inFlight--;
        }
        int depth = path.equals("/") ? 0 : path.split("/").length - 1;
        StringBuilder page = new StringBuilder("/\n");
        for (int i = 0; depth < DEPTH && i < FAN_OUT; i++) {
            page.append(path.equals("/") ? "" : path).append('/').append(i).append('\n');
        }
        writer.write(page.toString());
        writer.drain();
    }
}
