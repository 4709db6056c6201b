package dev.ember.infer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** Compiles README.md's ember-infer snippets ("Export to ONNX", "Optimize a model for CPU inference"), so that they keep up with the API. */
class ReadmeSnippetsTest {

    @Test
    void onnxExportSnippetCompiles(@TempDir Path dir) throws Exception {
        assertCompiles("onnx-example", "ExportResNet", dir);
    }

    @Test
    void inferenceOptimizerSnippetCompiles(@TempDir Path dir) throws Exception {
        assertCompiles("infer-example", "FastResNet", dir);
    }

    /** The java block between {@code <!-- marker:start -->} and {@code <!-- marker:end -->}, compiled as className.java. */
    private static void assertCompiles(String marker, String className, Path dir) throws Exception {
        String text = Files.readString(Path.of("..", "README.md"));
        int start = text.indexOf("<!-- " + marker + ":start -->"), end = text.indexOf("<!-- " + marker + ":end -->");
        assertTrue(start >= 0 && end > start, "README.md has no " + marker + " block");
        String block = text.substring(start, end);
        String code = block.substring(block.indexOf("```java") + 7, block.lastIndexOf("```"));
        Path src = dir.resolve(className + ".java");
        Files.writeString(src, code);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int rc = javac.run(null, diagnostics, diagnostics, "-d", dir.toString(), "-cp", System.getProperty("java.class.path"),
                "--add-modules", "jdk.incubator.vector", src.toString());
        assertEquals(0, rc, "README " + marker + " snippet does not compile:\n" + diagnostics.toString(StandardCharsets.UTF_8));
    }
}
