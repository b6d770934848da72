package io.jasyncio.internal;

/**
 * The saved state of one parked {@code @Async} method: which suspension point it parked at,
 * and the values (locals and operand-stack values) that are live across it.
 *
 * <p>A frame exists only while its method is parked or being resumed: a call that returns
 * without parking allocates none. Frames form a chain from the innermost parked method
 * ({@code TaskCore.top}) outwards through {@link #caller}; the outermost (the task's entry
 * method) has no caller. Resuming a task re-enters only the innermost frame; when that method
 * returns, the loop hands its result to the caller's frame, and so on, so resuming costs the
 * same at any depth.
 *
 * <h2>The task's own frame</h2>
 * A task is itself a frame (via {@link TimerEntry}): its fields are a slot that the first method
 * to park while it is free takes instead of a new object ({@link Coroutines#frame}), and that
 * a runtime primitive parking with a frame of its own ({@code receive}, {@code send}) takes
 * too. A task parked one call deep, the common case, therefore costs one object. The slot is
 * taken while {@link #resumer} is set, and freed by the loop when the method in it returns or
 * throws. Whether a frame is the slot matters to nobody else: woven code sees a {@code Frame}.
 *
 * <p>References are spilled into {@link #refs}, every primitive into {@link #prims} as its raw
 * bits (an {@code int} widened, a {@code float} or {@code double} through its bit pattern).
 * The slot layout of each suspension point is decided by the weaver.
 *
 * <h2>What was rejected</h2>
 * Copying the entry method's frame into the task after its first park (it still allocates the
 * frame it copies, and a frame of another method sits in the slot just as well); a 24-byte
 * frame (it needs five fields, 32 bytes with a 12-byte header, whatever their order); one
 * generated frame class per method (a class per woven method, and the ABI would change with
 * every method).
 */
public class Frame {
    /** The suspension point the method parked at; its meaning is private to the method. */
    public int state;
    /** Spilled references; {@code null} when the method spills none. Index 0 holds {@code this} for instance methods. */
    public Object[] refs;
    /** Spilled primitives as raw bits; {@code null} when the method spills none. */
    public long[] prims;
    /** The frame of the method that called this one and is parked waiting for its result; {@code null} for the outermost. */
    Frame caller;
    /** Re-enters the owning method; {@code null} in a task's slot while it is free. */
    Resumer resumer;

    Frame() {}

    /** For runtime primitives that park with a frame of their own. */
    Frame(Resumer resumer, Object... refs) {
        this.resumer = resumer;
        this.refs = refs;
    }

    /** Frees a task's slot: forgets the method that was in it and what it spilled. */
    final void clearSlot() {
        state = 0;
        refs = null;
        prims = null;
        caller = null;
        resumer = null;
    }
}
