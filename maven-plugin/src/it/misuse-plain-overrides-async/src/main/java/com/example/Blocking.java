package com.example;

public class Blocking implements Source {
    @Override
    public String load() {
        return "blocking"; // MISUSE
    }
}
