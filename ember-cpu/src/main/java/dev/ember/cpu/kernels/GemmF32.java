package dev.ember.cpu.kernels;

import dev.ember.cpu.CpuParallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Single-precision GEMM, {@code C = A B} or {@code C += A B}, in the BLIS structure: B is packed
 * into KC x NC panels of NR-wide slivers, A into MC x KC blocks of MR-tall slivers, and an
 * MR x NR register tile of FMA accumulators runs over each pair. A and B may have any strides
 * (a transposed operand is absorbed by packing), or be produced block by block by an
 * {@link APacker} / {@link BPacker} (the convolutions' implicit im2col, {@link Im2colPacker});
 * C is row-major with leading dimension ldc.
 *
 * <p>Why the micro-kernel looks the way it does (measured with C2 on AVX2, JDK 25):
 * <ul>
 *   <li>Its k loop touches only heap {@code float[]} (packed A, packed B), so C2 sees one array
 *       type, hoists the range checks out of the counted loop, and never has to box a vector
 *       because a {@link MemorySegment} call site went polymorphic. The loop is 4 broadcasts,
 *       2 loads, 8 FMAs and ~7 integer ops; a k loop unrolled by hand is worse, as C2 hoists
 *       all its loads to the top and spills accumulators.</li>
 *   <li>The tile is 4 x 2 vectors: 8 accumulators + 2 B vectors + 4 broadcasts fit the 16 AVX2
 *       registers even after C2 hoists every load of an iteration to its top. A 6 x 2 tile (12
 *       accumulators) spills one accumulator to the stack and the store/reload on the loop-carried
 *       chain halves the throughput.</li>
 *   <li>A whole tile goes from the accumulators to C ({@link #microToC}) once per k pass; only
 *       the ragged edge of C goes through a heap tile.</li>
 *   <li>Packed A keeps each row contiguous along k at a stride of KC, a constant, so the four
 *       broadcasts use fixed displacements and a row-major A packs by bulk copies.</li>
 * </ul>
 * Packing buffers are per thread and reused, so a steady-state call allocates nothing.
 * Generated from the same template as {@link GemmF64}; keep the two in step.
 */
final class GemmF32 {

    private GemmF32() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat E = ValueLayout.JAVA_FLOAT;
    private static final long ESZ = 4;

    static final int MR = 4;
    static final int NR = 2 * L;
    // An MR x KC sliver of A (4 KiB) stays in L1 while the micro-kernel walks a chunk of B slivers
    // from L2; the MC x KC block of A (128 KiB) sits in L2 beside that chunk, and a KC x NC panel
    // of B is shared by all threads from L3.
    static final int KC = 256;
    static final int MC = 128;
    static final int NC = 4096;
    /** The part of the 512 KiB L2 that a chunk of packed B slivers may take beside the A block. */
    private static final int L2_B_BYTES = 256 * 1024;
    /** Slivers of a row-major B packed together, row by row: 8 x 16 floats = 512 B per read. */
    private static final int PACK_GROUP = 8;

    private static final ThreadLocal<int[]> GATHER = ThreadLocal.withInitial(() -> new int[L]);
    private static final ThreadLocal<float[][]> BUFFERS = ThreadLocal.withInitial(() ->
            new float[][] {new float[MC * KC], new float[MR * NR], new float[0], new float[NR * KC], new float[MC * KC]});

    /**
     * C[i, j] (+)= sum_k A[i, k] B[k, j]. Offsets and strides are in elements.
     *
     * @param accumulate add to C instead of overwriting it
     * @param parallel   split the work across the CPU pool (false inside an already parallel loop)
     */
    static void gemm(int m, int n, int k,
                     MemorySegment a, long aOff, long aRs, long aCs,
                     MemorySegment b, long bOff, long bRs, long bCs,
                     MemorySegment c, long cOff, long ldc, boolean accumulate, boolean parallel) {
        gemm(m, n, k, (ic, mc, pc, kc, dst) -> packA(a, aOff + ic * aRs + pc * aCs, aRs, aCs, mc, kc, dst),
                (pc, kc, jc, nc, s0, s1, dst) -> packB(b, bOff + pc * bRs + jc * bCs, bRs, bCs, kc, nc, s0, s1, dst),
                c, cOff, ldc, accumulate, parallel);
    }

    /**
     * Fills part of a packed B panel, for a B that is never stored as a matrix (the implicit
     * im2col of a convolution). Called from several threads at once on disjoint slivers.
     */
    interface BPacker {
        /**
         * Slivers [s0, s1) of the kc x nc block of B whose top-left element is B[pc, jc], in the
         * layout of {@link #packB}: sliver s holds columns [s NR, s NR + NR) at {@code dst[s kc NR
         * + p NR + j]}, and the columns of the last sliver past nc are zero.
         */
        void pack(int pc, int kc, int jc, int nc, int s0, int s1, float[] dst);

        /**
         * The kc x nc block at B[pc, jc] as an array that already holds it in {@link #pack}'s
         * layout (sliver s at {@code s kc NR}), for the micro-kernel to read in place; or null
         * (the default) to have {@link #pack} fill a buffer. A B that answers here for the first
         * panel is never split into column chunks, so it is asked for whole panels only.
         */
        default float[] panel(int pc, int kc, int jc, int nc) { return null; }
    }

    /**
     * The k step of the passes over k that {@link #gemm} makes for a given k: equal passes of at
     * most KC (784 = 4 x 196 rather than 3 x 256 + 16, whose thin last pass would pay a full
     * pass's packing and C traffic for a sixteenth of its work).
     */
    static int kStep(int k) { return (k + (k + KC - 1) / KC - 1) / ((k + KC - 1) / KC); }

    /** Fills a packed block of A, for an A that is never stored as a matrix. */
    interface APacker {
        /**
         * Rows [ic, ic + mc) and columns [pc, pc + kc) of A in the layout of {@link #packA}: row
         * i at {@code dst[i KC + p]}, and rows mc up to the next multiple of MR zero.
         */
        void pack(int ic, int mc, int pc, int kc, float[] dst);
    }

    /** {@link #gemm(int, int, int, MemorySegment, long, long, long, MemorySegment, long, long, long, MemorySegment, long, long, boolean, boolean)} with B produced by a packer. */
    static void gemm(int m, int n, int k,
                     MemorySegment a, long aOff, long aRs, long aCs,
                     BPacker b,
                     MemorySegment c, long cOff, long ldc, boolean accumulate, boolean parallel) {
        gemm(m, n, k, (ic, mc, pc, kc, dst) -> packA(a, aOff + ic * aRs + pc * aCs, aRs, aCs, mc, kc, dst),
                b, c, cOff, ldc, accumulate, parallel);
    }

    /** {@link #gemm(int, int, int, MemorySegment, long, long, long, MemorySegment, long, long, long, MemorySegment, long, long, boolean, boolean)} with A produced by a packer. */
    static void gemm(int m, int n, int k,
                     APacker a,
                     MemorySegment b, long bOff, long bRs, long bCs,
                     MemorySegment c, long cOff, long ldc, boolean accumulate, boolean parallel) {
        gemm(m, n, k, a,
                (pc, kc, jc, nc, s0, s1, dst) -> packB(b, bOff + pc * bRs + jc * bCs, bRs, bCs, kc, nc, s0, s1, dst),
                c, cOff, ldc, accumulate, parallel);
    }

    /** The GEMM with both operands produced by packers. */
    static void gemm(int m, int n, int k, APacker a, BPacker b,
                     MemorySegment c, long cOff, long ldc, boolean accumulate, boolean parallel) {
        if (m == 0 || n == 0) return;
        if (k == 0) {
            if (!accumulate) for (int i = 0; i < m; i++) c.asSlice((cOff + i * ldc) * ESZ, n * ESZ).fill((byte) 0);
            return;
        }
        int threads = parallel ? CpuParallel.threads() : 1;
        int kStep = kStep(k);
        int ncL2 = Math.max(NR, L2_B_BYTES / (kStep * (int) ESZ) / NR * NR);
        if (m <= MC && n > ncL2 && b.panel(0, Math.min(kStep, k), 0, Math.min(NC, n)) == null) {
            fewRows(m, n, k, kStep, ncL2, threads, a, b, c, cOff, ldc, accumulate);
            return;
        }
        float[] bPack = bPanel(kStep * roundUp(Math.min(NC, n), NR));
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            int nSlivers = (nc + NR - 1) / NR;
            for (int pc = 0; pc < k; pc += kStep) {
                int kc = Math.min(kStep, k - pc);
                boolean add = accumulate || pc > 0;
                int kcF = kc, pcF = pc, jcF = jc;
                float[] stored = b.panel(pc, kc, jc, nc);
                float[] panel = stored != null ? stored : bPack;
                if (stored != null) {
                    // already in the packed layout: the micro-kernel reads it in place
                } else if (threads > 1 && (long) kc * nc > 32_768) {
                    CpuParallel.forRange(nSlivers, 8, (s, e) -> b.pack(pcF, kcF, jcF, nc, (int) s, (int) e, bPack));
                } else {
                    b.pack(pc, kc, jc, nc, 0, nSlivers, bPack);
                }
                int mBlocks = (m + MC - 1) / MC;
                // split the panel's slivers into groups so that small-M problems still use all
                // threads, and into a few tasks per thread so that a thread slowed down by other
                // load on the machine takes fewer of them
                int groups = 1;
                if (threads > 1) {
                    long work = (long) m * nc * kc;
                    int wanted = (int) Math.min(threads * 4L, Math.max(1, work / 262_144));
                    groups = Math.max(1, Math.min(nSlivers, (wanted + mBlocks - 1) / mBlocks));
                }
                int g = groups, slPerGroup = (nSlivers + groups - 1) / groups;
                long cBase = cOff + jc;
                int tasks = mBlocks * g;
                AtomicInteger next = new AtomicInteger();
                CpuParallel.Range worker = (s, e) -> {
                    float[][] bufs = BUFFERS.get();
                    float[] aPack = bufs[0], tile = bufs[1];
                    int packedBlock = -1;
                    // tasks are taken in order, so a thread usually reuses the A block it packed last
                    for (int t = next.getAndIncrement(); t < tasks; t = next.getAndIncrement()) {
                        int ib = t / g, gi = t % g;
                        int ic = ib * MC, mc = Math.min(MC, m - ic);
                        int sl0 = gi * slPerGroup, sl1 = Math.min(nSlivers, sl0 + slPerGroup);
                        if (sl0 >= sl1) continue;
                        if (ib != packedBlock) {
                            a.pack(ic, mc, pcF, kcF, aPack);
                            packedBlock = ib;
                        }
                        macro(mc, nc, kcF, sl0, sl1, aPack, panel, c, cBase + ic * ldc, ldc, add, tile);
                    }
                };
                if (tasks > 1 && threads > 1) CpuParallel.forRange(Math.min(threads, tasks), 1, worker);
                else worker.run(0, 1);
            }
        }
    }

    /**
     * At most MC rows (one block of A) against a wide B, as in most convolutions: A is packed once
     * per k pass and B is packed in chunks that stay in L2 until the micro-kernel has read them.
     * (Through the general path a KC x NC panel of B went out to memory and back: packing took a
     * third of a 64x4096x576 product.) Threads take contiguous ranges of columns, each with its own
     * packs: no barrier per k pass, and each thread's B chunk in its own L2.
     */
    private static void fewRows(int m, int n, int k, int kStep, int ncL2, int threads,
                                APacker a, BPacker b, MemorySegment c, long cOff, long ldc, boolean accumulate) {
        int parts = threads > 1 && (long) m * n * k >= 1L << 20 ? Math.min(threads, (n + 4 * NR - 1) / (4 * NR)) : 1;
        int width = roundUp((n + parts - 1) / parts, NR);
        CpuParallel.Range body = (s, e) -> {
            float[][] bufs = BUFFERS.get();
            float[] aPack = bufs[0], tile = bufs[1], bPack = bPanel(kStep * ncL2);
            for (long part = s; part < e; part++) {
                int n0 = (int) part * width, n1 = Math.min(n, n0 + width);
                for (int pc = 0; pc < k; pc += kStep) {
                    int kc = Math.min(kStep, k - pc);
                    boolean add = accumulate || pc > 0;
                    a.pack(0, m, pc, kc, aPack);
                    for (int jc = n0; jc < n1; jc += ncL2) {
                        int nc = Math.min(ncL2, n1 - jc), nSlivers = (nc + NR - 1) / NR;
                        b.pack(pc, kc, jc, nc, 0, nSlivers, bPack);
                        macro(m, nc, kc, 0, nSlivers, aPack, bPack, c, cOff + jc, ldc, add, tile);
                    }
                }
            }
        };
        if (parts > 1) CpuParallel.forRange(parts, 1, body);
        else body.run(0, 1);
    }

    /** The calling thread's B panel buffer, grown on demand and kept. */
    private static float[] bPanel(int size) {
        float[][] bufs = BUFFERS.get();
        if (bufs[2].length < size) bufs[2] = new float[size];
        return bufs[2];
    }

    private static int roundUp(int x, int to) { return (x + to - 1) / to * to; }

    /** Slivers [s0, s1) of a kc x nc block of B into [sliver][k][NR], zero-padding the last sliver. */
    private static void packB(MemorySegment b, long base, long rs, long cs, int kc, int nc, int s0, int s1, float[] dst) {
        int full = Math.min(s1, nc / NR);
        if (cs == 1) {
            // row-major B: a group of slivers at a time, row by row, so that each read is a run of
            // PACK_GROUP * NR floats rather than one line per row at a stride of ldb: one sliver at
            // a time took a third of a 64x4096x576 product, in cache and TLB misses
            for (int g0 = s0; g0 < full; g0 += PACK_GROUP) {
                int g1 = Math.min(full, g0 + PACK_GROUP);
                for (int p = 0; p < kc; p++) {
                    long src = (base + p * rs + (long) g0 * NR) * ESZ;
                    for (int sl = g0, d = g0 * kc * NR + p * NR; sl < g1; sl++, d += kc * NR, src += NR * ESZ) {
                        FloatVector.fromMemorySegment(S, b, src, NATIVE).intoArray(dst, d);
                        FloatVector.fromMemorySegment(S, b, src + L * ESZ, NATIVE).intoArray(dst, d + L);
                    }
                }
            }
            s0 = Math.max(s0, full);
        }
        for (int sl = s0; sl < s1; sl++) {
            int j0 = sl * NR, w = Math.min(NR, nc - j0);
            int d = sl * kc * NR;
            if (cs == 1) {
                for (int p = 0; p < kc; p++, d += NR) {
                    MemorySegment.copy(b, E, (base + p * rs + j0) * ESZ, dst, d, w);
                    for (int j = w; j < NR; j++) dst[d + j] = 0;
                }
            } else if (rs == 1) {
                // B transposed: each column of the sliver is contiguous along k; bulk-copy the
                // columns to the heap first, as per-element segment reads cost several ns each
                float[] cols = BUFFERS.get()[3];
                for (int j = 0; j < w; j++) MemorySegment.copy(b, E, (base + (long) (j0 + j) * cs) * ESZ, cols, j * kc, kc);
                if (w == NR) {
                    // one vector gather per half-row: the element-wise loop cost ~2 cycles a value
                    int[] idx = gatherIndex(kc);
                    for (int p = 0, q = d; p < kc; p++, q += NR) {
                        FloatVector.fromArray(S, cols, p, idx, 0).intoArray(dst, q);
                        FloatVector.fromArray(S, cols, p + L * kc, idx, 0).intoArray(dst, q + L);
                    }
                    continue;
                }
                for (int p = 0; p < kc; p++) {
                    int q = d + p * NR;
                    for (int j = 0; j < w; j++) dst[q + j] = cols[j * kc + p];
                    for (int j = w; j < NR; j++) dst[q + j] = 0;
                }
            } else {
                for (int p = 0; p < kc; p++, d += NR) {
                    long src = base + p * rs + j0 * cs;
                    for (int j = 0; j < w; j++) dst[d + j] = b.get(E, (src + j * cs) * ESZ);
                    for (int j = w; j < NR; j++) dst[d + j] = 0;
                }
            }
        }
    }

    /** {0, kc, 2 kc, ...}: the gather offsets of one row of L columns stored kc apart, cached per thread. */
    private static int[] gatherIndex(int kc) {
        int[] idx = GATHER.get();
        if (idx[1] != kc) for (int j = 0; j < L; j++) idx[j] = j * kc;
        return idx;
    }

    /**
     * An mc x kc block of A into slivers of MR rows, each row at a stride of KC (a constant, so
     * that the micro-kernel's four broadcasts address it with fixed displacements), zero-padding
     * the last sliver. Rows stay contiguous along k: a row-major A packs by bulk copies.
     */
    private static void packA(MemorySegment a, long base, long rs, long cs, int mc, int kc, float[] dst) {
        int rows = roundUp(mc, MR);
        if (rs == 1) {
            // A transposed: A's column p (mc values) is contiguous. Bulk-copy the kc columns to the
            // heap first: one small segment copy per k and sliver spent 60% of a 4608x49x512
            // product in the copy stub's call overhead
            float[] t = BUFFERS.get()[4];
            for (int p = 0; p < kc; p++) MemorySegment.copy(a, E, (base + p * cs) * ESZ, t, p * mc, mc);
            int full = mc / MR * MR;
            for (int i0 = 0; i0 < full; i0 += MR) {
                int d = i0 * KC;
                for (int p = 0, src = i0; p < kc; p++, src += mc) {
                    dst[d + p] = t[src];
                    dst[d + KC + p] = t[src + 1];
                    dst[d + 2 * KC + p] = t[src + 2];
                    dst[d + 3 * KC + p] = t[src + 3];
                }
            }
            for (int i = full; i < mc; i++) {
                for (int p = 0, d = i * KC, src = i; p < kc; p++, src += mc) dst[d + p] = t[src];
            }
        } else if (cs == 1) {
            for (int i = 0; i < mc; i++) MemorySegment.copy(a, E, (base + i * rs) * ESZ, dst, i * KC, kc);
        } else {
            for (int i = 0; i < mc; i++) {
                long src = base + i * rs;
                for (int p = 0; p < kc; p++) dst[i * KC + p] = a.get(E, (src + p * cs) * ESZ);
            }
        }
        for (int i = mc; i < rows; i++) java.util.Arrays.fill(dst, i * KC, i * KC + kc, 0);
    }

    /**
     * Slivers [sl0, sl1) of the packed B panel against an mc-row block of packed A. The slivers go
     * in chunks that fit L2 next to the A block; within a chunk one A sliver (in L1) meets each B
     * sliver in turn, so C is walked along its rows, where the hardware prefetcher can follow it.
     * (Down C's columns, one B sliver in L1 at a time, storing the tiles took 12% of a 1024^3
     * product, most of it waiting for C's lines.)
     */
    private static void macro(int mc, int nc, int kc, int sl0, int sl1, float[] aPack, float[] bPack,
                              MemorySegment c, long cBase, long ldc, boolean add, float[] tile) {
        int chunk = Math.max(1, L2_B_BYTES / (kc * NR * (int) ESZ));
        for (int s0 = sl0; s0 < sl1; s0 += chunk) {
            int s1 = Math.min(sl1, s0 + chunk);
            for (int i0 = 0; i0 < mc; i0 += MR) {
                int h = Math.min(MR, mc - i0);
                for (int sl = s0; sl < s1; sl++) {
                    int j0 = sl * NR, w = Math.min(NR, nc - j0);
                    long cOff = cBase + i0 * ldc + j0;
                    if (h == MR && w == NR) {
                        microToC(kc, aPack, i0 * KC, bPack, sl * kc * NR, c, cOff * ESZ, ldc * ESZ, add);
                    } else {
                        micro(kc, aPack, i0 * KC, bPack, sl * kc * NR, tile);
                        storePartial(tile, c, cOff * ESZ, ldc * ESZ, h, w, add);
                    }
                }
            }
        }
    }

    /** The MR x NR register tile: 8 vector accumulators, one broadcast of A per row per k. */
    private static void micro(int kc, float[] ap, int ai, float[] bp, int bi, float[] tile) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int ia = ai + p, ib = bi + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, bp, ib);
            FloatVector b1 = FloatVector.fromArray(S, bp, ib + L);
            FloatVector x = FloatVector.broadcast(S, ap[ia]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, ap[ia + KC]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, ap[ia + 2 * KC]);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, ap[ia + 3 * KC]);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
        }
        c00.intoArray(tile, 0); c01.intoArray(tile, L);
        c10.intoArray(tile, NR); c11.intoArray(tile, NR + L);
        c20.intoArray(tile, 2 * NR); c21.intoArray(tile, 2 * NR + L);
        c30.intoArray(tile, 3 * NR); c31.intoArray(tile, 3 * NR + L);
    }

    /**
     * {@link #micro} for a whole tile, with the accumulators going straight to C: no round trip
     * through the heap tile, and C's lines are loaded only after the k loop, where the out-of-order
     * core overlaps their misses with the next tile's FMAs.
     */
    private static void microToC(int kc, float[] ap, int ai, float[] bp, int bi,
                                 MemorySegment c, long off, long ldcByte, boolean add) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int ia = ai + p, ib = bi + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, bp, ib);
            FloatVector b1 = FloatVector.fromArray(S, bp, ib + L);
            FloatVector x = FloatVector.broadcast(S, ap[ia]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, ap[ia + KC]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, ap[ia + 2 * KC]);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, ap[ia + 3 * KC]);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
        }
        long o1 = off + ldcByte, o2 = o1 + ldcByte, o3 = o2 + ldcByte, v = L * ESZ;
        if (add) {
            c00 = c00.add(FloatVector.fromMemorySegment(S, c, off, NATIVE));
            c01 = c01.add(FloatVector.fromMemorySegment(S, c, off + v, NATIVE));
            c10 = c10.add(FloatVector.fromMemorySegment(S, c, o1, NATIVE));
            c11 = c11.add(FloatVector.fromMemorySegment(S, c, o1 + v, NATIVE));
            c20 = c20.add(FloatVector.fromMemorySegment(S, c, o2, NATIVE));
            c21 = c21.add(FloatVector.fromMemorySegment(S, c, o2 + v, NATIVE));
            c30 = c30.add(FloatVector.fromMemorySegment(S, c, o3, NATIVE));
            c31 = c31.add(FloatVector.fromMemorySegment(S, c, o3 + v, NATIVE));
        }
        c00.intoMemorySegment(c, off, NATIVE); c01.intoMemorySegment(c, off + v, NATIVE);
        c10.intoMemorySegment(c, o1, NATIVE); c11.intoMemorySegment(c, o1 + v, NATIVE);
        c20.intoMemorySegment(c, o2, NATIVE); c21.intoMemorySegment(c, o2 + v, NATIVE);
        c30.intoMemorySegment(c, o3, NATIVE); c31.intoMemorySegment(c, o3 + v, NATIVE);
    }

    /**
     * The top-left h x w corner of the tile into C. A method of its own so that C2 compiles its
     * segment accesses with their own inlining budget rather than as calls out of {@link #macro}.
     */
    private static void storePartial(float[] tile, MemorySegment c, long off, long ldcByte, int h, int w, boolean add) {
        for (int i = 0; i < h; i++, off += ldcByte) {
            for (int j = 0; j < w; j++) {
                float v = tile[i * NR + j];
                long at = off + j * ESZ;
                c.set(E, at, add ? c.get(E, at) + v : v);
            }
        }
    }

}
