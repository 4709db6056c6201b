package dev.ember.cpu.kernels;

import dev.ember.core.DType;
import dev.ember.core.Tensor;
import dev.ember.core.backend.KernelTable;
import dev.ember.core.ops.OptimizerOps;
import dev.ember.core.ops.OptimizerOps.AdamStepAttrs;
import dev.ember.core.ops.OptimizerOps.SgdStepAttrs;
import dev.ember.cpu.CpuParallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.EnumSet;

/**
 * Fused optimizer steps: each reads the parameter, its gradient and its state once and writes
 * the parameter and the state once, where the op chain of {@link OptimizerOps}' fallbacks makes
 * a pass (and a temporary) per elementwise op. The per-element formulas are the fallbacks',
 * in the same order. f32 runs with the Vector API; options are loop-invariant branches, which C2
 * moves out of the loop.
 */
final class OptimizerKernels {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat FL = ValueLayout.JAVA_FLOAT;
    private static final ValueLayout.OfDouble DL = ValueLayout.JAVA_DOUBLE;
    /** Elements per parallel chunk: below this a step is cheaper than handing work to another thread. */
    private static final long GRAIN = 1 << 16;

    private OptimizerKernels() {}

    static void register(KernelTable t) {
        var types = EnumSet.of(DType.F32, DType.F64);
        t.register(OptimizerOps.SGD_STEP, types, OptimizerKernels::sgd);
        t.register(OptimizerOps.ADAM_STEP, types, OptimizerKernels::adam);
    }

    /** A target or input seen as its segment and its element offset. */
    private record Run(MemorySegment s, long o) {
        static Run of(Tensor t) { return t == null ? new Run(MemorySegment.NULL, 0) : new Run(t.segment(), t.offset()); }
    }

    private static void sgd(Tensor[] targets, Tensor[] inputs, SgdStepAttrs a) {
        Run w = Run.of(targets[0]), b = Run.of(a.hasBuffer() ? targets[1] : null), g = Run.of(inputs[0]);
        boolean f32 = targets[0].dtype() == DType.F32;
        CpuParallel.forRange(targets[0].numel(), GRAIN, (s, e) -> {
            if (f32) sgdF32(w, b, g, s, e, a);
            else sgdF64(w, b, g, s, e, a);
        });
    }

    private static void sgdF32(Run w, Run b, Run g, long s, long e, SgdStepAttrs a) {
        float lr = (float) a.lr(), wd = (float) a.weightDecay(), mom = (float) a.momentum(), keep = (float) (1 - a.dampening());
        boolean decay = a.weightDecay() != 0, buffer = a.hasBuffer(), first = a.firstStep(), nesterov = a.nesterov();
        FloatVector vwd = FloatVector.broadcast(F, wd), vmom = FloatVector.broadcast(F, mom), vlr = FloatVector.broadcast(F, -lr);
        long i = s;
        for (long up = s + (e - s) - (e - s) % L; i < up; i += L) {
            FloatVector wv = FloatVector.fromMemorySegment(F, w.s, (w.o + i) * 4, NATIVE);
            FloatVector d = FloatVector.fromMemorySegment(F, g.s, (g.o + i) * 4, NATIVE);
            if (decay) d = wv.fma(vwd, d);
            if (buffer) {
                FloatVector bv = first ? d : FloatVector.fromMemorySegment(F, b.s, (b.o + i) * 4, NATIVE).fma(vmom, d.mul(keep));
                bv.intoMemorySegment(b.s, (b.o + i) * 4, NATIVE);
                d = nesterov ? bv.fma(vmom, d) : bv;
            }
            d.fma(vlr, wv).intoMemorySegment(w.s, (w.o + i) * 4, NATIVE);
        }
        for (; i < e; i++) {
            float wi = w.s.getAtIndex(FL, w.o + i), d = g.s.getAtIndex(FL, g.o + i);
            if (decay) d = Math.fma(wi, wd, d);
            if (buffer) {
                float bi = first ? d : Math.fma(b.s.getAtIndex(FL, b.o + i), mom, d * keep);
                b.s.setAtIndex(FL, b.o + i, bi);
                d = nesterov ? Math.fma(bi, mom, d) : bi;
            }
            w.s.setAtIndex(FL, w.o + i, Math.fma(d, -lr, wi));
        }
    }

    private static void sgdF64(Run w, Run b, Run g, long s, long e, SgdStepAttrs a) {
        double keep = 1 - a.dampening();
        for (long i = s; i < e; i++) {
            double wi = w.s.getAtIndex(DL, w.o + i), d = g.s.getAtIndex(DL, g.o + i);
            if (a.weightDecay() != 0) d += a.weightDecay() * wi;
            if (a.hasBuffer()) {
                double bi = a.firstStep() ? d : a.momentum() * b.s.getAtIndex(DL, b.o + i) + keep * d;
                b.s.setAtIndex(DL, b.o + i, bi);
                d = a.nesterov() ? d + a.momentum() * bi : bi;
            }
            w.s.setAtIndex(DL, w.o + i, wi - a.lr() * d);
        }
    }

    private static void adam(Tensor[] targets, Tensor[] inputs, AdamStepAttrs a) {
        Run w = Run.of(targets[0]), m = Run.of(targets[1]), v = Run.of(targets[2]);
        Run vmax = Run.of(a.amsgrad() ? targets[3] : null), g = Run.of(inputs[0]);
        boolean f32 = targets[0].dtype() == DType.F32;
        CpuParallel.forRange(targets[0].numel(), GRAIN, (s, e) -> {
            if (f32) adamF32(w, m, v, vmax, g, s, e, a);
            else adamF64(w, m, v, vmax, g, s, e, a);
        });
    }

    private static void adamF32(Run w, Run m, Run v, Run vmax, Run g, long s, long e, AdamStepAttrs a) {
        boolean l2 = a.weightDecay() != 0 && !a.decoupled(), decoupled = a.weightDecay() != 0 && a.decoupled(), ams = a.amsgrad();
        float wd = (float) a.weightDecay(), shrink = (float) (1 - a.lr() * a.weightDecay());
        float b1 = (float) a.beta1(), b2 = (float) a.beta2(), c1 = (float) (1 - a.beta1()), c2 = (float) (1 - a.beta2());
        float sqrtBc2 = (float) Math.sqrt(a.biasCorrection2()), eps = (float) a.eps(), step = (float) (a.lr() / a.biasCorrection1());
        FloatVector vwd = FloatVector.broadcast(F, wd), vb1 = FloatVector.broadcast(F, b1), vb2 = FloatVector.broadcast(F, b2);
        FloatVector vstep = FloatVector.broadcast(F, -step);
        long i = s;
        for (long up = s + (e - s) - (e - s) % L; i < up; i += L) {
            FloatVector wv = FloatVector.fromMemorySegment(F, w.s, (w.o + i) * 4, NATIVE);
            FloatVector gv = FloatVector.fromMemorySegment(F, g.s, (g.o + i) * 4, NATIVE);
            if (l2) gv = wv.fma(vwd, gv);
            if (decoupled) wv = wv.mul(shrink);
            FloatVector mv = FloatVector.fromMemorySegment(F, m.s, (m.o + i) * 4, NATIVE).fma(vb1, gv.mul(c1));
            FloatVector vv = FloatVector.fromMemorySegment(F, v.s, (v.o + i) * 4, NATIVE).fma(vb2, gv.mul(gv).mul(c2));
            mv.intoMemorySegment(m.s, (m.o + i) * 4, NATIVE);
            vv.intoMemorySegment(v.s, (v.o + i) * 4, NATIVE);
            if (ams) {
                vv = FloatVector.fromMemorySegment(F, vmax.s, (vmax.o + i) * 4, NATIVE).max(vv);
                vv.intoMemorySegment(vmax.s, (vmax.o + i) * 4, NATIVE);
            }
            FloatVector denom = vv.sqrt().div(sqrtBc2).add(eps);
            mv.div(denom).fma(vstep, wv).intoMemorySegment(w.s, (w.o + i) * 4, NATIVE);
        }
        for (; i < e; i++) {
            float wi = w.s.getAtIndex(FL, w.o + i), gi = g.s.getAtIndex(FL, g.o + i);
            if (l2) gi = Math.fma(wi, wd, gi);
            if (decoupled) wi *= shrink;
            float mi = Math.fma(m.s.getAtIndex(FL, m.o + i), b1, gi * c1);
            float vi = Math.fma(v.s.getAtIndex(FL, v.o + i), b2, gi * gi * c2);
            m.s.setAtIndex(FL, m.o + i, mi);
            v.s.setAtIndex(FL, v.o + i, vi);
            if (ams) {
                vi = Math.max(vmax.s.getAtIndex(FL, vmax.o + i), vi);
                vmax.s.setAtIndex(FL, vmax.o + i, vi);
            }
            float denom = (float) Math.sqrt(vi) / sqrtBc2 + eps;
            w.s.setAtIndex(FL, w.o + i, Math.fma(mi / denom, -step, wi));
        }
    }

    private static void adamF64(Run w, Run m, Run v, Run vmax, Run g, long s, long e, AdamStepAttrs a) {
        double wd = a.weightDecay(), b1 = a.beta1(), b2 = a.beta2();
        double sqrtBc2 = Math.sqrt(a.biasCorrection2()), step = a.lr() / a.biasCorrection1();
        for (long i = s; i < e; i++) {
            double wi = w.s.getAtIndex(DL, w.o + i), gi = g.s.getAtIndex(DL, g.o + i);
            if (wd != 0 && !a.decoupled()) gi += wd * wi;
            if (wd != 0 && a.decoupled()) wi *= 1 - a.lr() * wd;
            double mi = b1 * m.s.getAtIndex(DL, m.o + i) + (1 - b1) * gi;
            double vi = b2 * v.s.getAtIndex(DL, v.o + i) + (1 - b2) * gi * gi;
            m.s.setAtIndex(DL, m.o + i, mi);
            v.s.setAtIndex(DL, v.o + i, vi);
            if (a.amsgrad()) {
                vi = Math.max(vmax.s.getAtIndex(DL, vmax.o + i), vi);
                vmax.s.setAtIndex(DL, vmax.o + i, vi);
            }
            w.s.setAtIndex(DL, w.o + i, wi - step * mi / (Math.sqrt(vi) / sqrtBc2 + a.eps()));
        }
    }
}
