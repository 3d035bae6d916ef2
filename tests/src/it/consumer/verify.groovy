// README.md's project built: javac with -Xlint:all -Werror accepted the generated code, and
// LeNet5Test's three tests ran and passed.
def log = new File(basedir, 'build.log').text
assert new File(basedir, 'target/generated-sources/annotations/demo/Lamina_LeNet5.java').isFile()
assert new File(basedir, 'target/classes/META-INF/lamina/demo.LeNet5.txt').isFile()
assert log.contains('Tests run: 3, Failures: 0, Errors: 0, Skipped: 0, Time elapsed') :
    'LeNet5Test did not run its three tests'

// What `mvn install` gives a user: each published artifact with its sources and Javadoc jars.
def entries = { File jar ->
  assert jar.isFile() : "not installed: ${jar}"
  new java.util.zip.ZipFile(jar).withCloseable { zip -> zip.entries().collect { it.name } }
}
['lamina-dsl-annotations', 'lamina-runtime', 'lamina-dsl-processor'].each { artifact ->
  def prefix = "dev/lamina/${artifact}/${laminaVersion}/${artifact}-${laminaVersion}"
  def jar = { String suffix -> entries(new File(localRepositoryPath, prefix + suffix)) }
  assert jar('.jar').any { it.endsWith('.class') }
  assert jar('-sources.jar').any { it.endsWith('.java') }
  assert jar('-javadoc.jar').contains('index.html')
}
true
