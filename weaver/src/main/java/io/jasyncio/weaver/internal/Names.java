package io.jasyncio.weaver.internal;

import org.objectweb.asm.Type;

/** Internal names and descriptors of the runtime that the weaver refers to. */
public final class Names {
    private Names() {}

    public static final String ASYNC = "Lio/jasyncio/Async;";
    public static final String WOVEN = "Lio/jasyncio/internal/Woven;";
    /** Must equal {@code io.jasyncio.internal.Coroutines.ABI_VERSION}. */
    public static final int ABI_VERSION = 1;

    public static final String COROUTINES = "io/jasyncio/internal/Coroutines";
    public static final String EVENT_LOOP = "io/jasyncio/internal/EventLoop";
    public static final String FRAME = "io/jasyncio/internal/Frame";
    public static final String RESUMER = "io/jasyncio/internal/Resumer";

    public static final String EVENT_LOOP_DESC = "L" + EVENT_LOOP + ";";
    public static final String FRAME_DESC = "L" + FRAME + ";";
    public static final String RESUMER_DESC = "L" + RESUMER + ";";

    public static final String ENTER_DESC = "(Ljava/lang/String;)" + EVENT_LOOP_DESC;
    public static final String RESUME_FRAME_DESC = "(" + EVENT_LOOP_DESC + ")" + FRAME_DESC;
    public static final String RESUME_VALUE_DESC = "(" + EVENT_LOOP_DESC + ")Ljava/lang/Object;";
    public static final String FRAME_FOR_DESC = "(" + FRAME_DESC + "II)" + FRAME_DESC;
    public static final String PARKED_DESC = "(" + FRAME_DESC + RESUMER_DESC + EVENT_LOOP_DESC + ")V";
    /** The descriptor of a resume bridge and of {@code Resumer.resume}. */
    public static final String RESUME_DESC = "(" + FRAME_DESC + ")Ljava/lang/Object;";

    public static final Type OBJECT = Type.getObjectType("java/lang/Object");

    /** The JDK's lambda bootstrap methods. */
    public static final String LAMBDA_METAFACTORY = "java/lang/invoke/LambdaMetafactory";

    /** Classes never scanned for @Async methods: the JDK's own. */
    public static boolean isPlatformClass(String internalName) {
        return internalName.startsWith("java/") || internalName.startsWith("javax/")
                || internalName.startsWith("jdk/") || internalName.startsWith("sun/")
                || internalName.startsWith("com/sun/");
    }
}
