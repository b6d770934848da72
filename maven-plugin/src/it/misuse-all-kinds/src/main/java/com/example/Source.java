package com.example;

import io.jasyncio.Async;

/*
 * An abstract class: the weaver's quick scan does not yet check a class whose only tie to an
 * @Async supertype is an implemented interface (nothing of it is called), so the interface
 * form of this misuse goes unreported for now. Make this an interface once the scan looks at
 * supertypes too.
 */
public abstract class Source {
    @Async
    public abstract String load();
}
