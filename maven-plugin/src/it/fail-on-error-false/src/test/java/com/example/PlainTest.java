package com.example;

import io.jasyncio.Asyncio;

/** Misuse in a test class: reported by weave-tests against the test source root. */
public class PlainTest {
    static void notAsync() {
        Asyncio.sleep(1); // MISUSE
    }
}
