package com.example;

public class Blocking extends Source {
    @Override
    public String load() {
        return "blocking"; // MISUSE
    }
}
