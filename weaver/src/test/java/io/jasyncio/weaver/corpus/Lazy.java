package io.jasyncio.weaver.corpus;

import java.util.function.Supplier;

/** A value computed on first use, once: the woven program shared by the dynamic tests of one fixture. */
final class Lazy<T> implements Supplier<T> {
    private Supplier<T> supplier;
    private T value;

    private Lazy(Supplier<T> supplier) {
        this.supplier = supplier;
    }

    static <T> Lazy<T> of(Supplier<T> supplier) {
        return new Lazy<>(supplier);
    }

    @Override
    public synchronized T get() {
        if (supplier != null) {
            value = supplier.get();
            supplier = null;
        }
        return value;
    }
}
