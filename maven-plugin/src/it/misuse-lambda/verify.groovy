// The build failed on misuse of @Async with one IDE-linkable line per problem: lambda.
log = new File(basedir, 'build.log').text

void expectProblem(String file, String text) {
    def source = new File(basedir, "src/main/java/com/example/${file}")
    int line = source.readLines().findIndexOf { it.contains('// MISUSE') } + 1
    assert line > 0
    def expected = "[ERROR] ${source.toPath().toAbsolutePath().normalize()}:[${line}] ${text}"
    assert log.readLines().contains(expected.toString()) : "build.log should have the line\n${expected}"
}

expectProblem('Lambdas.java', 'suspending call to io.jasyncio.Asyncio.sleep() in a lambda for java.lang.Runnable, whose method run() is not @Async — pass an @Async functional interface such as AsyncCallable or AsyncRunnable, run with Asyncio.run or Asyncio.createTask, or make the calls in a loop of the @Async method')
assert log.contains('[ERROR] Failed to execute goal io.jasyncio:jasyncio-maven-plugin:')
assert log.contains(': 1 misuse of @Async (listed above); no class file in ')
return true
