// The build failed on misuse of @Async with one IDE-linkable line per problem: all kinds at once, each reported.
log = new File(basedir, 'build.log').text

void expectProblem(String file, String text) {
    def source = new File(basedir, "src/main/java/com/example/${file}")
    int line = source.readLines().findIndexOf { it.contains('// MISUSE') } + 1
    assert line > 0
    def expected = "[ERROR] ${source.toPath().toAbsolutePath().normalize()}:[${line}] ${text}"
    assert log.readLines().contains(expected.toString()) : "build.log should have the line\n${expected}"
}

expectProblem('Plain.java', 'suspending call to io.jasyncio.Asyncio.sleep() in a method that is not @Async — annotate notAsync() with @Async and call it from a task started with Asyncio.run or Asyncio.createTask')
expectProblem('Guarded.java', 'suspending call to io.jasyncio.Asyncio.sleep() while a monitor is held (inside synchronized) — make the call outside the synchronized block; guard state shared across suspensions with io.jasyncio.sync.Lock')
expectProblem('Counter.java', '@Async method is synchronized — remove synchronized; guard state shared across suspensions with io.jasyncio.sync.Lock')
expectProblem('Fast.java', '@Async method overrides com.example.Base.work(), which is not @Async — make com.example.Base.work() @Async too, or remove @Async here')
expectProblem('Blocking.java', 'method overrides @Async method com.example.Source.load() but is not @Async — annotate load() with @Async')
expectProblem('Lambdas.java', 'suspending call to io.jasyncio.Asyncio.sleep() in a lambda for java.lang.Runnable, whose method run() is not @Async — pass an @Async functional interface such as AsyncCallable or AsyncRunnable, run with Asyncio.run or Asyncio.createTask, or make the calls in a loop of the @Async method')
assert log.readLines().count { it.startsWith('[ERROR] /') } == 6
assert log.contains(': 6 misuses of @Async (listed above); no class file in ')

// The failed build left every class file as javac wrote it, the correct ones included.
def classes = new File(basedir, 'target/classes')
def javac = new File(basedir, 'target/javac-classes')
def names = []
classes.eachFileRecurse(groovy.io.FileType.FILES) { file ->
    def relative = classes.toPath().relativize(file.toPath()).toString()
    assert relative.endsWith('.class') : "stray file ${relative}"
    assert file.bytes == new File(javac, relative).bytes : "${relative} differs from javac's output"
    names << relative
}
assert names.contains('com/example/Good.class')
assert names.size() == 9 : names
return true
