// The build failed on misuse of @Async with one IDE-linkable line per problem: synchronized method.
log = new File(basedir, 'build.log').text

void expectProblem(String file, String text) {
    def source = new File(basedir, "src/main/java/com/example/${file}")
    int line = source.readLines().findIndexOf { it.contains('// MISUSE') } + 1
    assert line > 0
    def expected = "[ERROR] ${source.toPath().toAbsolutePath().normalize()}:[${line}] ${text}"
    assert log.readLines().contains(expected.toString()) : "build.log should have the line\n${expected}"
}

expectProblem('Counter.java', '@Async method is synchronized — remove synchronized; guard state shared across suspensions with io.jasyncio.sync.Lock')
assert log.contains('[ERROR] Failed to execute goal io.jasyncio:jasyncio-maven-plugin:')
assert log.contains(': 1 misuse of @Async (listed above); no class file in ')
return true
