package com.example;

import io.jasyncio.Async;

/* An @Async interface; Blocking implements it and nothing else of jasyncio. */
public interface Source {
    @Async
    String load();
}
