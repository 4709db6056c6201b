package dev.ember.apps.segmentation;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class SliceSplitTest {

    private static final SliceSplit COLIN = SliceSplit.interleaved(4, 155, 8, 2);

    @Test
    void testBlocksAreTheIssuesFixedOnes() {
        List<int[]> test = COLIN.blocks(SliceSplit.Part.TEST);
        assertEquals(3, test.size());
        assertArrayEquals(new int[] {40, 47}, test.get(0));
        assertArrayEquals(new int[] {86, 93}, test.get(1));
        assertArrayEquals(new int[] {132, 139}, test.get(2));
        assertEquals(24, COLIN.zs(SliceSplit.Part.TEST).length);
    }

    @Test
    void trainAndValidationBlocks() {
        List<int[]> val = COLIN.blocks(SliceSplit.Part.VALIDATION);
        assertEquals(List.of("30-37", "76-83", "122-129"), val.stream().map(b -> b[0] + "-" + b[1]).toList());
        // three train blocks of 8 in a row form one run; the last is cut at z = 155
        List<int[]> train = COLIN.blocks(SliceSplit.Part.TRAIN);
        assertEquals(List.of("4-27", "50-73", "96-119", "142-155"), train.stream().map(b -> b[0] + "-" + b[1]).toList());
        assertEquals(86, COLIN.zs(SliceSplit.Part.TRAIN).length);
    }

    @Test
    void noSliceInTwoSetsAndTwoSliceGapsAtEveryBorder() {
        int lastPartZ = -1;
        SliceSplit.Part lastPart = null;
        int gaps = 0;
        for (int z = COLIN.first(); z <= COLIN.last(); z++) {
            SliceSplit.Part p = COLIN.partOf(z);
            int in = 0;
            for (SliceSplit.Part q : SliceSplit.Part.values()) for (int x : COLIN.zs(q)) if (x == z) in++;
            assertEquals(p == null ? 0 : 1, in, "slice " + z + " is in " + in + " sets");
            if (p == null) continue;
            if (lastPart != null) {
                int gap = z - lastPartZ - 1;
                if (lastPart == p) assertEquals(0, gap, "a gap inside a " + p + " run at z=" + z);
                else {
                    assertEquals(2, gap, "gap between " + lastPart + " and " + p + " before z=" + z);
                    gaps++;
                }
            }
            lastPart = p;
            lastPartZ = z;
        }
        assertEquals(9, gaps); // train|validation|test|train ... : three borders per cycle, three cycles
        assertNull(COLIN.partOf(28));
        assertNull(COLIN.partOf(29));
        assertNull(COLIN.partOf(3));
        assertNull(COLIN.partOf(156));
        // neighbouring slices never straddle two sets
        for (int z = COLIN.first(); z < COLIN.last(); z++) {
            SliceSplit.Part a = COLIN.partOf(z), b = COLIN.partOf(z + 1);
            assertTrue(a == null || b == null || a == b, "z=" + z + " and z=" + (z + 1) + " are in " + a + " and " + b);
        }
    }

    @Test
    void badArgumentsAreNamed() {
        var e = assertThrows(IllegalArgumentException.class, () -> SliceSplit.interleaved(10, 5, 8, 2));
        assertTrue(e.getMessage().contains("10..5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SliceSplit.interleaved(0, 5, 0, 2));
        assertTrue(e.getMessage().contains("block 0"), e.getMessage());
    }

    @Test
    void theShippedScanHasBrainInSlices4To155() {
        var data = BrainUNetRecipe.load(TestData.brainMri(), 0);
        assertEquals(COLIN, data.split());
        assertArrayEquals(COLIN.zs(SliceSplit.Part.TEST), data.test());
        assertEquals(86, data.train().length);
        assertEquals(24, data.val().length);
    }
}
