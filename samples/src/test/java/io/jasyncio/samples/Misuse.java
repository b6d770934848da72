package io.jasyncio.samples;

import io.jasyncio.Asyncio;

/** A mistake for {@link SamplesIT} to show the agent's report: a suspending call in a method that is not {@code @Async}. */
final class Misuse {
    private Misuse() {}

    static void nap() {
        Asyncio.sleep(10);
    }

    public static void main(String[] args) {
        Asyncio.run(() -> nap());
    }
}
