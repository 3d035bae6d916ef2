// The build failed as README.md shows: the block after its `java fails` block is javac's output,
// "demo/Broken.java:12: error: <message>", the source line and a caret under the column; Maven
// must print the same message at the same line and column, and only that error.
def readme = new File(readmePath).text
def blocks = readme =~ /(?ms)^```java fails\n.*?^```\n.*?^```[^\n]*\n(.*?)^```/
assert blocks.find() : 'README.md has no `java fails` block followed by a block'
def javac = blocks.group(1).readLines()
def first = javac[0] =~ /^(.+?):(\d+): error: (.*)$/
assert first.matches() : "not a javac error line: ${javac[0]}"
def column = javac[2].indexOf('^') + 1
def source = new File(basedir, 'src/main/java/' + first.group(1))
String expected = "[ERROR] ${source.path}:[${first.group(2)},${column}] ${first.group(3)}"
def log = new File(basedir, 'build.log').readLines()
assert log.contains(expected) : "build.log lacks: ${expected}"
assert log.contains('[INFO] 1 error') : 'build.log does not report exactly one error'
