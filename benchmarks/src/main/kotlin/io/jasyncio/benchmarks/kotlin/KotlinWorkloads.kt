package io.jasyncio.benchmarks.kotlin

import java.net.InetSocketAddress
import java.nio.ByteBuffer
import java.nio.channels.DatagramChannel
import java.util.function.LongSupplier
import kotlin.time.Duration.Companion.minutes
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.ExperimentalCoroutinesApi
import kotlinx.coroutines.Job
import kotlinx.coroutines.delay
import kotlinx.coroutines.joinAll
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.test.currentTime
import kotlinx.coroutines.test.runTest
import kotlinx.coroutines.withTimeoutOrNull
import kotlinx.coroutines.yield

/**
 * The workloads of the comparison written with Kotlin coroutines, all on one thread: every one
 * but udp echo runs in `runBlocking`, whose event loop is the closest Kotlin has to jasyncio's;
 * udp echo needs a selector, so it runs on [SelectorLoop]. `yield()` stands for `sleep(ZERO)`.
 * Each function checks that all the work was done and throws [IllegalStateException] if not.
 */
object KotlinWorkloads {
    /** Two coroutines alternately yield [perTask] times each; nanoseconds per switch. */
    @JvmStatic
    fun switchNanos(perTask: Int): Double = runBlocking {
        var switches = 0L
        val start = System.nanoTime()
        val a = launch { repeat(perTask) { yield(); switches++ } }
        val b = launch { repeat(perTask) { yield(); switches++ } }
        a.join()
        b.join()
        val elapsed = System.nanoTime() - start
        check(switches == 2L * perTask) { "switch: $switches switches instead of ${2L * perTask}" }
        elapsed.toDouble() / (2L * perTask)
    }

    /** One coroutine launches [count] coroutines that yield once, then joins them; nanoseconds per coroutine. */
    @JvmStatic
    fun spawnNanos(count: Int): Double = runBlocking {
        val jobs = arrayOfNulls<Job>(count)
        var finished = 0
        val start = System.nanoTime()
        for (i in 0 until count) jobs[i] = launch { yield(); finished++ }
        for (job in jobs) job!!.join()
        val elapsed = System.nanoTime() - start
        check(finished == count) { "spawn: $finished of $count coroutines finished" }
        elapsed.toDouble() / count
    }

    // The sleepers' shared state, in fields so that a sleeper's body captures nothing, as the
    // jasyncio sleepers' does not: the figure is the coroutine's cost, not a closure's.
    private var sleeperMillis = 0L
    private var woken = 0

    /**
     * [count] coroutines each `delay(sleepMillis)` at once. Returns {wall nanoseconds, heap bytes
     * per parked coroutine}. Given [liveHeap], measures the heap with it once all are parked, then
     * cancels them instead of waiting; without, the second figure is -1.
     */
    @JvmStatic
    fun sleepers(count: Int, sleepMillis: Long, liveHeap: LongSupplier?): LongArray = runBlocking {
        val jobs = arrayOfNulls<Job>(count)
        sleeperMillis = sleepMillis
        woken = 0
        val before = liveHeap?.asLong ?: 0L
        val start = System.nanoTime()
        for (i in 0 until count) jobs[i] = launch { delay(sleeperMillis); woken++ }
        yield() // every new coroutine runs up to its delay before this one goes on
        var perTask = -1L
        if (liveHeap != null) {
            perTask = (liveHeap.asLong - before) / count
            check(woken == 0) { "sleepers: $woken coroutines woke before the heap was measured" }
            for (job in jobs) job!!.cancel()
        }
        for (job in jobs) job!!.join()
        val elapsed = System.nanoTime() - start
        val cancelled = jobs.count { it!!.isCancelled }
        check(woken + cancelled == count) { "sleepers: $woken woke and $cancelled were cancelled of $count coroutines" }
        check(cancelled == (if (liveHeap == null) 0 else count)) { "sleepers: $cancelled coroutines cancelled" }
        longArrayOf(elapsed, perTask)
    }

    private var timedOut = 0L

    /**
     * A day of timeouts in virtual time, run as a test runs it with kotlinx-coroutines-test's
     * `runTest`: [tasks] coroutines each wait [hours] hours for a deferred that never completes,
     * one minute at a time under `withTimeoutOrNull`; real milliseconds for the whole day.
     */
    @JvmStatic
    @OptIn(ExperimentalCoroutinesApi::class)
    fun virtualTimeoutsMillis(tasks: Int, hours: Int): Double {
        val minutes = hours * 60
        timedOut = 0
        var virtualMillis = 0L
        val start = System.nanoTime()
        runTest(timeout = 10.minutes) {
            val never = CompletableDeferred<Unit>()
            val begin = currentTime
            val waiters = List(tasks) {
                launch { repeat(minutes) { if (withTimeoutOrNull(60_000L) { never.await() } == null) timedOut++ } }
            }
            waiters.joinAll()
            virtualMillis = currentTime - begin
        }
        val elapsed = System.nanoTime() - start
        check(timedOut == tasks.toLong() * minutes) { "timeouts: $timedOut timeouts instead of ${tasks.toLong() * minutes}" }
        check(virtualMillis == minutes * 60_000L) { "timeouts: $virtualMillis virtual ms passed instead of ${minutes * 60_000L}" }
        return elapsed / 1e6
    }

    private suspend fun level(depth: Int, parks: Int): Long {
        if (depth > 1) return level(depth - 1, parks) + 1
        var sum = 0L
        for (i in 0 until parks) {
            yield()
            sum += i
        }
        return sum
    }

    /** Suspending calls nested [depth] deep; the innermost yields [parks] times; nanoseconds per park. */
    @JvmStatic
    fun deepNanos(depth: Int, parks: Int): Double = runBlocking {
        val start = System.nanoTime()
        val result = level(depth, parks)
        val elapsed = System.nanoTime() - start
        val expected = parks.toLong() * (parks - 1) / 2 + (depth - 1)
        check(result == expected) { "deep: result $result instead of $expected" }
        elapsed.toDouble() / parks
    }

    private suspend fun addOne(x: Int): Long {
        if (x < 0) yield() // never taken: a suspension point that does not park
        return x + 1L
    }

    /** Calls a suspending function that returns without suspending [calls] times; the sum of its results. */
    @JvmStatic
    fun noParkLoop(calls: Int): Long = runBlocking {
        var sum = 0L
        for (i in 0 until calls) sum += addOne(i)
        sum
    }

    /**
     * One echo server coroutine and [clients] client coroutines on 127.0.0.1 exchange 64-byte
     * datagrams, each client awaiting each reply, [requests] in all; requests per second.
     */
    @JvmStatic
    fun udpRequestsPerSecond(clients: Int, requests: Int): Double {
        val loop = SelectorLoop()
        try {
            return loop.run {
                val server = DatagramChannel.open().bind(InetSocketAddress("127.0.0.1", 0))
                server.configureBlocking(false)
                val address = server.localAddress
                val perClient = requests / clients
                var echoed = 0
                val start = System.nanoTime()
                val serverJob = launch {
                    val buffer = ByteBuffer.allocateDirect(64)
                    repeat(perClient * clients) {
                        buffer.clear()
                        val from = loop.receive(server, buffer)
                        buffer.flip()
                        loop.send(server, buffer, from)
                    }
                }
                val clientJobs = List(clients) { id ->
                    launch {
                        DatagramChannel.open().bind(InetSocketAddress("127.0.0.1", 0)).use { channel ->
                            channel.configureBlocking(false)
                            val request = ByteBuffer.allocateDirect(64)
                            val reply = ByteBuffer.allocateDirect(64)
                            repeat(perClient) { n ->
                                request.clear()
                                request.putInt(0, id).putInt(4, n)
                                loop.send(channel, request, address)
                                reply.clear()
                                loop.receive(channel, reply)
                                check(reply.position() == 64 && reply.getInt(0) == id && reply.getInt(4) == n) {
                                    "udp: client $id got a wrong reply to request $n"
                                }
                                echoed++
                            }
                        }
                    }
                }
                clientJobs.forEach { it.join() }
                serverJob.join()
                val elapsed = System.nanoTime() - start
                server.close()
                check(echoed == perClient * clients) { "udp: $echoed of ${perClient * clients} echoes" }
                echoed * 1e9 / elapsed
            }
        } finally {
            loop.close()
        }
    }
}
