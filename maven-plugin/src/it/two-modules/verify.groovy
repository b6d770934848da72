// Module app was woven against lib's jar: its calls, its implementation of lib's @Async interface
// and its lambdas for lib's @Async functional interface all run with no agent.
def log = new File(basedir, 'build.log').getText('UTF-8')
assert log.contains('[INFO] jasyncio: wove com.example.lib.Pipeline (2 @Async methods)')
assert log.contains('[INFO] jasyncio: wove com.example.app.EchoService (1 @Async method)')
assert log.contains('[INFO] jasyncio: wove com.example.app.Main (')

def sep = File.pathSeparator
def java = new File(System.getProperty('java.home'), 'bin/java').path
def classpath = ['app/target/classes', 'lib/target/lib-1.0.jar', runtimeJar].join(sep)
def process = [java, '-cp', classpath, 'com.example.app.Main'].execute(null, basedir)
def out = new StringBuilder(), err = new StringBuilder()
process.waitForProcessOutput(out, err)
assert process.exitValue() == 0 : "${out}${err}"
assert out.toString().normalize() == '''\
hello app
[echo!]
11
15
'''
return true
