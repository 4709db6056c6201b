package dev.ember.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** Compiles the Java program in README.md with javac and runs it, so the README cannot rot. */
class ReadmeExampleTest {

    @Test
    void readmeExampleCompilesAndLearnsTheWeights(@TempDir Path dir) throws Exception {
        Path readme = Path.of("..", "README.md");
        String text = Files.readString(readme);
        int start = text.indexOf("<!-- readme-example:start -->");
        int end = text.indexOf("<!-- readme-example:end -->");
        assertTrue(start >= 0 && end > start, "README.md has no example block");
        String block = text.substring(start, end);
        String code = block.substring(block.indexOf("```java") + 7, block.lastIndexOf("```"));

        Path src = dir.resolve("Quickstart.java");
        Files.writeString(src, code);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int rc = javac.run(null, diagnostics, diagnostics, "-d", dir.toString(),
                "-cp", System.getProperty("java.class.path"), "--add-modules", "jdk.incubator.vector", src.toString());
        assertEquals(0, rc, "README example does not compile:\n" + diagnostics.toString(StandardCharsets.UTF_8));

        PrintStream stdout = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            loader.loadClass("Quickstart").getMethod("main", String[].class).invoke(null, (Object) new String[0]);
        } finally {
            System.setOut(stdout);
        }
        String out = captured.toString(StandardCharsets.UTF_8).trim();
        assertEquals("w = [1.00, -2.00, 0.50]", out);
        assertTrue(text.contains("It prints `" + out + "`"), "README states what the example prints");
    }
}
