package dev.ember.infer.optimize;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** Compiles the "Optimize a model for CPU inference" snippet of README.md, so that it keeps up with the API. */
class ReadmeInferenceExampleTest {

    @Test
    void readmeOptimizerSnippetCompiles(@TempDir Path dir) throws Exception {
        String text = Files.readString(Path.of("..", "README.md"));
        int start = text.indexOf("<!-- infer-example:start -->"), end = text.indexOf("<!-- infer-example:end -->");
        assertTrue(start >= 0 && end > start, "README.md has no infer-example block");
        String block = text.substring(start, end);
        String code = block.substring(block.indexOf("```java") + 7, block.lastIndexOf("```"));
        Path src = dir.resolve("FastResNet.java");
        Files.writeString(src, code);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int rc = javac.run(null, diagnostics, diagnostics, "-d", dir.toString(), "-cp", System.getProperty("java.class.path"),
                "--add-modules", "jdk.incubator.vector", src.toString());
        assertEquals(0, rc, "README inference snippet does not compile:\n" + diagnostics.toString(StandardCharsets.UTF_8));
    }
}
