package com.example.lib;

import io.jasyncio.Async;

/** An @Async interface, implemented in module app. */
public interface Service {
    @Async
    String call(String request);
}
