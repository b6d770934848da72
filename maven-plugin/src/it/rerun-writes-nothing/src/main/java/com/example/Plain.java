package com.example;

/** Nothing to weave: never written. */
public class Plain {
    static int twice(int x) {
        return 2 * x;
    }
}
