package io.jasyncio.benchmarks.kotlin

import java.net.SocketAddress
import java.nio.ByteBuffer
import java.nio.channels.DatagramChannel
import java.nio.channels.SelectableChannel
import java.nio.channels.SelectionKey
import java.nio.channels.Selector
import kotlin.coroutines.CoroutineContext
import kotlin.coroutines.resume
import kotlinx.coroutines.CancellableContinuation
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.ExperimentalCoroutinesApi
import kotlinx.coroutines.async
import kotlinx.coroutines.suspendCancellableCoroutine

/**
 * A single-threaded dispatcher with a selector, for Kotlin's udp echo: `runBlocking` cannot wait
 * for a socket, and kotlinx-coroutines-core has no socket support of its own. One step runs the
 * coroutines that were ready when it began, then selects (blocking only when none is ready) and
 * resumes the coroutine waiting on each channel that became ready. Not thread-safe: everything,
 * [run] included, happens on one thread. At most one coroutine waits on a channel at a time.
 */
class SelectorLoop : CoroutineDispatcher(), AutoCloseable {
    private val ready = ArrayDeque<Runnable>()
    private val selector: Selector = Selector.open()

    override fun dispatch(context: CoroutineContext, block: Runnable) {
        ready.addLast(block)
    }

    /** Runs [body] as a coroutine on this loop until it completes; returns its result or throws its exception. */
    @OptIn(ExperimentalCoroutinesApi::class)
    fun <T> run(body: suspend CoroutineScope.() -> T): T {
        val result = CoroutineScope(this).async(block = body)
        while (!result.isCompleted) {
            var steps = ready.size
            while (steps-- > 0) ready.removeFirst().run()
            if (result.isCompleted) break
            if (ready.isEmpty()) selector.select() else selector.selectNow()
            val keys = selector.selectedKeys()
            for (key in keys) {
                @Suppress("UNCHECKED_CAST")
                val waiter = key.attachment() as CancellableContinuation<Unit>
                key.interestOps(0)
                key.attach(null)
                waiter.resume(Unit)
            }
            keys.clear()
        }
        return result.getCompleted()
    }

    private suspend fun awaitReady(channel: SelectableChannel, operation: Int) =
        suspendCancellableCoroutine<Unit> { waiter ->
            val key = channel.keyFor(selector) ?: channel.register(selector, 0)
            key.interestOps(operation)
            key.attach(waiter)
        }

    /** Like `DatagramChannel.receive` on a non-blocking channel, suspending until a datagram comes. */
    suspend fun receive(channel: DatagramChannel, destination: ByteBuffer): SocketAddress {
        while (true) {
            channel.receive(destination)?.let { return it }
            awaitReady(channel, SelectionKey.OP_READ)
        }
    }

    /** Like `DatagramChannel.send` on a non-blocking channel, suspending while the socket cannot take it. */
    suspend fun send(channel: DatagramChannel, source: ByteBuffer, target: SocketAddress) {
        while (channel.send(source, target) == 0) awaitReady(channel, SelectionKey.OP_WRITE)
    }

    override fun close() {
        selector.close()
    }
}
