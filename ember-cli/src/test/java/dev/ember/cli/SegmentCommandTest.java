package dev.ember.cli;

import dev.ember.apps.segmentation.BrainUNetRecipe;
import dev.ember.apps.segmentation.SegModelSpec;
import dev.ember.apps.recipes.DataLocator;
import dev.ember.apps.recipes.RecipeOptions;
import dev.ember.core.Device;
import dev.ember.train.io.NiftiHeader;
import dev.ember.train.io.NiftiImage;
import dev.ember.train.io.NiftiReader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

/** {@code ember segment} on the shipped scan with a model from a very short training run. */
class SegmentCommandTest {

    @TempDir
    static Path tmp;
    static Path model, scan, truth;

    @BeforeAll
    static void trainATinyModel() {
        Path data = DataLocator.find("brain-mri", null, "ch2.nii.gz", "ch2bet.nii.gz");
        scan = data.resolve("ch2.nii.gz");
        truth = data.resolve("ch2bet.nii.gz");
        model = tmp.resolve("model");
        var settings = new BrainUNetRecipe.Settings(SegModelSpec.UNET, 1, 4, 32, 32, null, false, 0, 0, 1, 4, 1, 4, 3e-3, 0, false, true);
        new BrainUNetRecipe(settings).run(new RecipeOptions(1, 4, null, 0, Device.CPU, data, model, false, null, null));
    }

    /** Runs the command as the CLI does; returns {exit code, stdout, stderr}. */
    private static Object[] execute(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = new CommandLine(new SegmentCommand())
                .setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .setExecutionExceptionHandler((ex, cmd, parsed) -> {
                    cmd.getErr().println("ember: " + ex.getMessage());
                    return 1;
                });
        int code = cl.execute(args);
        return new Object[] {code, out.toString(), err.toString()};
    }

    @Test
    void segmentsTheWholeScanWithItsGeometryAndReportsDice() throws Exception {
        Path out = tmp.resolve("mask.nii.gz");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        double dice = SegmentCommand.run(model, scan, out, truth, Device.CPU, new PrintStream(log, true, StandardCharsets.UTF_8));
        assertTrue(dice >= 0 && dice <= 1, "dice " + dice);
        String text = log.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("(181 x 217 x 181 voxels)") && text.contains("whole-volume Dice"), text);

        NiftiHeader in = NiftiReader.readHeader(scan);
        NiftiImage back = NiftiReader.read(out);
        NiftiHeader h = back.header();
        assertArrayEquals(in.dims(), h.dims());
        assertArrayEquals(in.pixdim(), h.pixdim());
        assertEquals(in.qformCode(), h.qformCode());
        assertEquals(in.sformCode(), h.sformCode());
        assertArrayEquals(in.quaternion(), h.quaternion());
        for (int r = 0; r < 3; r++) assertArrayEquals(in.srow()[r], h.srow()[r]);
        assertEquals(NiftiHeader.DT_UINT8, h.datatype());
    }

    @Test
    void commandLineErrorsAreClear() throws Exception {
        Path notNifti = tmp.resolve("scan.png");
        Files.write(notNifti, new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 13});
        Object[] r = execute("--model", model.toString(), "--input", notNifti.toString(), "--out", tmp.resolve("m.nii").toString());
        assertEquals(1, r[0]);
        assertTrue(r[2].toString().contains("cannot read " + notNifti + " as a NIfTI-1 volume"), r[2].toString());

        byte[] whole = Files.readAllBytes(scan);
        Path cut = tmp.resolve("cut.nii.gz");
        Files.write(cut, Arrays.copyOf(whole, whole.length / 3));
        r = execute("--model", model.toString(), "--input", cut.toString(), "--out", tmp.resolve("m.nii").toString());
        assertEquals(1, r[0]);
        assertTrue(r[2].toString().contains("truncated"), r[2].toString());

        r = execute("--model", tmp.resolve("nothing-here").toString(), "--input", scan.toString(), "--out", tmp.resolve("m.nii").toString());
        assertEquals(1, r[0]);
        assertTrue(r[2].toString().contains("nothing-here") && r[2].toString().contains("model folder not found"), r[2].toString());

        r = execute("--input", scan.toString());
        assertEquals(2, r[0]);
        assertTrue(r[2].toString().contains("Missing required options") && r[2].toString().contains("--model"), r[2].toString());
    }
}
