package io.jasyncio.agent;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What the agent reads from a class file's bytes before deciding whether the weaver must see
 * it: the class's own name and supertypes, whether it mentions {@code @Async} or the woven
 * marker, and the classes whose methods it calls or whose interfaces its lambdas implement.
 *
 * <p>Written by hand over the raw bytes, without ASM, so that the agent loads nothing big while
 * the classes of a program go by. It walks the constant pool once and checks the framing of
 * the rest of the file (fields, methods and attributes, by their lengths), so that a malformed
 * class file is recognised here and left to the JVM, which then reports its own
 * {@code ClassFormatError}. Platform classes ({@code java/}, {@code javax/}, {@code jdk/},
 * {@code sun/}, {@code com/sun/}) are left out of the references: they have no {@code @Async}
 * methods.
 */
final class ClassFileScan {
    private static final byte[] ASYNC = "Lio/jasyncio/Async;".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] WOVEN = "Lio/jasyncio/internal/Woven;".getBytes(StandardCharsets.US_ASCII);

    /** Thrown for bytes that are not a well-framed class file; says where, not a stack trace. */
    static final class MalformedClassException extends Exception {
        MalformedClassException(String message) {
            super(message, null, false, false);
        }
    }

    /** The class, as an internal name. */
    final String name;
    /** The superclass, {@code null} for {@code java/lang/Object} and {@code module-info}. */
    final String superName;
    /** The direct superinterfaces. */
    final String[] interfaces;
    /** Whether the constant pool holds {@code Lio/jasyncio/Async;}: the class may declare @Async methods. */
    final boolean mentionsAsync;
    /** Whether the class carries the weaver's marker: it was woven at build time. */
    final boolean woven;
    /**
     * The owners of the methods the class calls or refers to (method handles included), and the
     * interfaces its {@code invokedynamic} call sites return (the lambdas it makes), platform
     * classes left out.
     */
    final List<String> references;

    private ClassFileScan(String name, String superName, String[] interfaces, boolean mentionsAsync, boolean woven,
                          List<String> references) {
        this.name = name;
        this.superName = superName;
        this.interfaces = interfaces;
        this.mentionsAsync = mentionsAsync;
        this.woven = woven;
        this.references = references;
    }

    /** Reads the header, the markers and the references of a class file. */
    static ClassFileScan of(byte[] bytes) throws MalformedClassException {
        return new Parser(bytes).parse();
    }

    /** Whether {@code internalName} belongs to the JDK, which has no @Async methods. */
    static boolean isPlatformClass(String internalName) {
        return internalName.startsWith("java/") || internalName.startsWith("javax/")
                || internalName.startsWith("jdk/") || internalName.startsWith("sun/")
                || internalName.startsWith("com/sun/");
    }

    /** One pass over the bytes; every read is bounds-checked and reports where it failed. */
    private static final class Parser {
        private final byte[] bytes;
        /** The offset of each constant pool entry's tag, by index; 0 for the unusable slot after a long or double. */
        private int[] entries;
        /** Whether a Utf8 entry is {@code Lio/jasyncio/Async;}, found while reading the pool. */
        private boolean mentionsAsync;
        /**
         * The index of the Utf8 entry that spells the woven marker's descriptor, 0 if none. Only a
         * hint: a string constant may spell it too, so {@link #carriesWovenMarker} confirms it.
         */
        private int wovenIndex;

        Parser(byte[] bytes) {
            this.bytes = bytes;
        }

        ClassFileScan parse() throws MalformedClassException {
            try {
                return parseUnchecked();
            } catch (ArrayIndexOutOfBoundsException | NegativeArraySizeException | StringIndexOutOfBoundsException e) {
                throw new MalformedClassException("the file ends too early");
            }
        }

        /** Reads without checking bounds: the JVM does, and {@link #parse} turns a failure into a report. */
        private ClassFileScan parseUnchecked() throws MalformedClassException {
            if (bytes.length < 10 || u4(0) != 0xCAFEBABE) {
                throw new MalformedClassException("not a class file (no 0xCAFEBABE magic number)");
            }
            int end = readConstantPool();
            int thisIndex = u2(end + 2);
            int superIndex = u2(end + 4);
            int interfaceCount = u2(end + 6);
            String name = className(thisIndex);
            String superName = superIndex == 0 ? null : className(superIndex);
            String[] interfaces = new String[interfaceCount];
            for (int i = 0; i < interfaceCount; i++) {
                interfaces[i] = className(u2(end + 8 + 2 * i));
            }
            int classAttributes = checkFraming(end + 8 + 2 * interfaceCount);
            boolean woven = wovenIndex != 0 && carriesWovenMarker(classAttributes);

            List<String> references = references();
            return new ClassFileScan(name, superName, interfaces, mentionsAsync, woven, references);
        }

        /** Records where each entry starts; returns the offset just past the pool. */
        private int readConstantPool() throws MalformedClassException {
            int count = u2(8);
            entries = new int[Math.max(count, 1)];
            int offset = 10;
            for (int index = 1; index < count; index++) {
                entries[index] = offset;
                int tag = u1(offset);
                switch (tag) {
                    case 1: { // Utf8; only the two markers' lengths are worth comparing
                        int length = u2(offset + 1);
                        if (length == ASYNC.length) {
                            mentionsAsync |= utf8Equals(offset, ASYNC);
                        } else if (length == WOVEN.length && utf8Equals(offset, WOVEN)) {
                            wovenIndex = index;
                        }
                        offset += 3 + length;
                        break;
                    }
                    case 3: case 4: // Integer, Float
                    case 9: case 10: case 11: case 12: // Fieldref, Methodref, InterfaceMethodref, NameAndType
                    case 17: case 18: // Dynamic, InvokeDynamic
                        offset += 5;
                        break;
                    case 5: case 6: // Long, Double: take two slots
                        offset += 9;
                        index++;
                        break;
                    case 7: case 8: case 16: case 19: case 20: // Class, String, MethodType, Module, Package
                        offset += 3;
                        break;
                    case 15: // MethodHandle
                        offset += 4;
                        break;
                    default:
                        throw new MalformedClassException("unknown constant pool tag " + tag + " at entry " + index);
                }
            }
            if (offset > bytes.length) {
                throw new MalformedClassException("the constant pool runs past the end of the file");
            }
            return offset;
        }

        /**
         * Walks fields, methods and attributes by their lengths; they must end where the file ends.
         * Returns the offset of the class's own attributes.
         */
        private int checkFraming(int offset) throws MalformedClassException {
            for (int members = 0; members < 2; members++) { // fields, then methods
                int count = u2(offset);
                offset += 2;
                for (int i = 0; i < count; i++) {
                    offset = skipAttributes(offset + 6);
                }
            }
            int classAttributes = offset;
            offset = skipAttributes(offset);
            if (offset != bytes.length) {
                throw new MalformedClassException(offset < bytes.length
                        ? "extra bytes after the last attribute"
                        : "the file ends inside its last attribute");
            }
            return classAttributes;
        }

        /**
         * Whether the class's {@code RuntimeInvisibleAnnotations} hold the woven marker (the
         * weaver writes it there, with class retention), rather than some string constant
         * spelling its descriptor.
         */
        private boolean carriesWovenMarker(int offset) throws MalformedClassException {
            int count = u2(offset);
            offset += 2;
            for (int i = 0; i < count; i++) {
                int name = u2(offset);
                int next = offset + 6 + u4(offset + 2);
                if (name < entries.length && entries[name] != 0 && bytes[entries[name]] == 1
                        && "RuntimeInvisibleAnnotations".equals(string(entries[name] + 3, u2(entries[name] + 1)))) {
                    int annotations = u2(offset + 6);
                    int at = offset + 8;
                    for (int a = 0; a < annotations; a++) {
                        if (u2(at) == wovenIndex) {
                            return true;
                        }
                        at = skipAnnotation(at);
                    }
                }
                offset = next;
            }
            return false;
        }

        /** The offset just past the annotation at {@code offset} (JVMS 4.7.16). */
        private int skipAnnotation(int offset) throws MalformedClassException {
            int pairs = u2(offset + 2);
            offset += 4;
            for (int i = 0; i < pairs; i++) {
                offset = skipElementValue(offset + 2);
            }
            return offset;
        }

        private int skipElementValue(int offset) throws MalformedClassException {
            switch (u1(offset)) {
                case 'B': case 'C': case 'D': case 'F': case 'I': case 'J': case 'S': case 'Z': case 's': case 'c':
                    return offset + 3;
                case 'e':
                    return offset + 5;
                case '@':
                    return skipAnnotation(offset + 1);
                case '[': {
                    int values = u2(offset + 1);
                    offset += 3;
                    for (int i = 0; i < values; i++) {
                        offset = skipElementValue(offset);
                    }
                    return offset;
                }
                default:
                    throw new MalformedClassException("unknown annotation element tag " + u1(offset));
            }
        }

        private int skipAttributes(int offset) throws MalformedClassException {
            int count = u2(offset);
            offset += 2;
            for (int i = 0; i < count; i++) {
                long next = offset + 6L + (u4(offset + 2) & 0xFFFFFFFFL);
                if (next > bytes.length) {
                    throw new MalformedClassException("an attribute runs past the end of the file");
                }
                offset = (int) next;
            }
            return offset;
        }

        private List<String> references() throws MalformedClassException {
            List<String> references = new ArrayList<>();
            boolean[] seen = new boolean[entries.length];
            for (int index = 1; index < entries.length; index++) {
                int offset = entries[index];
                if (offset == 0) {
                    continue;
                }
                int tag = bytes[offset];
                if (tag == 10 || tag == 11) { // Methodref, InterfaceMethodref: the owner
                    int owner = u2(offset + 1);
                    if (owner < seen.length && !seen[owner]) {
                        seen[owner] = true;
                        addUnlessPlatform(references, classNameOffset(owner));
                    }
                } else if (tag == 18) { // InvokeDynamic: the type it returns, a lambda's interface
                    int descriptor = utf8Entry(u2(entry(u2(offset + 3), 12) + 3));
                    int length = u2(descriptor + 1);
                    int start = descriptor + 3;
                    int close = indexOf(start, length, (byte) ')');
                    int returned = close + 1;
                    if (close >= 0 && returned < start + length && bytes[returned] == 'L' && bytes[start + length - 1] == ';') {
                        String type = string(returned + 1, start + length - 1 - (returned + 1));
                        if (!isPlatformClass(type) && !references.contains(type)) {
                            references.add(type);
                        }
                    }
                }
            }
            return references;
        }

        private void addUnlessPlatform(List<String> references, int utf8) throws MalformedClassException {
            int length = u2(utf8 + 1);
            if (length == 0 || bytes[utf8 + 3] == '[' || startsWithPlatformPrefix(utf8 + 3, length)) {
                return;
            }
            String name = string(utf8 + 3, length);
            if (!references.contains(name)) {
                references.add(name);
            }
        }

        private boolean startsWithPlatformPrefix(int start, int length) {
            return startsWith(start, length, "java/") || startsWith(start, length, "javax/")
                    || startsWith(start, length, "jdk/") || startsWith(start, length, "sun/")
                    || startsWith(start, length, "com/sun/");
        }

        private boolean startsWith(int start, int length, String prefix) {
            if (length < prefix.length()) {
                return false;
            }
            for (int i = 0; i < prefix.length(); i++) {
                if (bytes[start + i] != prefix.charAt(i)) {
                    return false;
                }
            }
            return true;
        }

        private int indexOf(int start, int length, byte wanted) {
            for (int i = start; i < start + length; i++) {
                if (bytes[i] == wanted) {
                    return i;
                }
            }
            return -1;
        }

        private boolean utf8Equals(int offset, byte[] expected) {
            if (u2(offset + 1) != expected.length) {
                return false;
            }
            for (int i = 0; i < expected.length; i++) {
                if (bytes[offset + 3 + i] != expected[i]) {
                    return false;
                }
            }
            return true;
        }

        private String className(int classIndex) throws MalformedClassException {
            int utf8 = classNameOffset(classIndex);
            return string(utf8 + 3, u2(utf8 + 1));
        }

        /** The offset of the Utf8 entry that names the Class entry {@code classIndex}. */
        private int classNameOffset(int classIndex) throws MalformedClassException {
            return utf8Entry(u2(entry(classIndex, 7) + 1));
        }

        private int utf8Entry(int index) throws MalformedClassException {
            return entry(index, 1);
        }

        private int entry(int index, int tag) throws MalformedClassException {
            if (index <= 0 || index >= entries.length || entries[index] == 0 || bytes[entries[index]] != tag) {
                throw new MalformedClassException("constant pool index " + index + " is not a valid entry of tag " + tag);
            }
            return entries[index];
        }

        /** Decodes the JVM's modified UTF-8; ASCII, the usual case, is copied at once. */
        private String string(int start, int length) throws MalformedClassException {
            boolean ascii = true;
            for (int i = start; i < start + length && ascii; i++) {
                ascii = bytes[i] >= 0;
            }
            if (ascii) {
                return new String(bytes, start, length, StandardCharsets.ISO_8859_1);
            }
            char[] chars = new char[length];
            int count = 0;
            for (int i = start; i < start + length; ) {
                int first = bytes[i++] & 0xFF;
                if (first < 0x80) {
                    chars[count++] = (char) first;
                } else if ((first & 0xE0) == 0xC0 && i < start + length) {
                    chars[count++] = (char) (((first & 0x1F) << 6) | (bytes[i++] & 0x3F));
                } else if ((first & 0xF0) == 0xE0 && i + 1 < start + length) {
                    chars[count++] = (char) (((first & 0x0F) << 12) | ((bytes[i] & 0x3F) << 6) | (bytes[i + 1] & 0x3F));
                    i += 2;
                } else {
                    throw new MalformedClassException("a string is not valid modified UTF-8");
                }
            }
            return new String(chars, 0, count);
        }

        private int u1(int offset) {
            return bytes[offset] & 0xFF;
        }

        private int u2(int offset) {
            return ((bytes[offset] & 0xFF) << 8) | (bytes[offset + 1] & 0xFF);
        }

        private int u4(int offset) {
            return (u2(offset) << 16) | u2(offset + 2);
        }
    }
}
