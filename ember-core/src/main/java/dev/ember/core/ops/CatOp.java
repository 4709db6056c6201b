package dev.ember.core.ops;

import dev.ember.core.Tensor;
import dev.ember.core.dispatch.Dispatcher;

import java.util.Arrays;

/**
 * Concatenation along {@code dim}. Portable: any backend runs it as one strided copy per input;
 * a backend may register a faster kernel. The gradient of each input is its slice of the
 * output's gradient.
 */
final class CatOp extends PortableOp<DimAttrs> {

    CatOp() { super("cat"); }

    @Override
    public OutputSpec[] infer(Tensor[] in, DimAttrs a) {
        if (in.length == 0) throw new IllegalArgumentException("cat: expected at least one tensor");
        int[] ref = in[0].shape();
        int dim = a.dim();
        long total = 0;
        for (int i = 0; i < in.length; i++) {
            int[] s = in[i].shape();
            if (in[i].dtype() != in[0].dtype()) {
                throw new IllegalArgumentException("cat: tensor " + i + " is " + in[i].dtype() + " but tensor 0 is " + in[0].dtype());
            }
            boolean match = s.length == ref.length;
            for (int d = 0; match && d < s.length; d++) match = d == dim || s[d] == ref[d];
            if (!match) {
                throw new IllegalArgumentException("cat: tensor " + i + " has shape " + Arrays.toString(s) + " but tensor 0 has shape "
                        + Arrays.toString(ref) + "; they must match except in dimension " + dim);
            }
            total += s[dim];
        }
        if (total > Integer.MAX_VALUE) throw new IllegalArgumentException("cat: result dimension " + dim + " would have " + total + " elements");
        int[] out = ref.clone();
        out[dim] = (int) total;
        return new OutputSpec[] {new OutputSpec(out, in[0].dtype())};
    }

    @Override
    public Tensor[] compute(Tensor[] in, DimAttrs a) {
        OutputSpec spec = infer(in, a)[0];
        Tensor out = Tensor.empty(spec.dtype(), in[0].device(), spec.shape());
        int off = 0;
        for (Tensor t : in) {
            int n = t.shape(a.dim());
            if (n > 0 && t.numel() > 0) Dispatcher.copyInto(out.narrow(a.dim(), off, n), t);
            off += n;
        }
        return new Tensor[] {out};
    }

    @Override
    public Tensor[] vjp(VjpContext<DimAttrs> c) {
        Tensor g = c.grad(0);
        Tensor[] r = new Tensor[c.inputCount()];
        int off = 0;
        for (int i = 0; i < r.length; i++) {
            int n = c.input(i).shape(c.attrs().dim());
            if (c.needsInputGrad(i)) r[i] = g.narrow(c.attrs().dim(), off, n);
            off += n;
        }
        return r;
    }
}
