package dev.ember.cpu.kernels;

/**
 * The error function to near double precision (Math has none): a Taylor series below 3,
 * where its terms stay well conditioned, and a continued fraction for erfc above.
 */
final class Erf {

    private Erf() {}

    static double erf(double x) {
        if (Double.isNaN(x)) return x;
        double ax = Math.abs(x);
        double r;
        if (ax < 3.0) {
            double x2 = ax * ax, term = ax, sum = ax;
            for (int n = 1; n < 200; n++) {
                term *= -x2 / n;
                double add = term / (2 * n + 1);
                sum += add;
                if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
            }
            r = sum * 2 / Math.sqrt(Math.PI);
        } else if (ax > 27) {
            r = 1.0;
        } else {
            r = 1.0 - erfcContinuedFraction(ax);
        }
        return x < 0 ? -r : r;
    }

    /** erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), by Lentz's method. */
    private static double erfcContinuedFraction(double x) {
        double tiny = 1e-300;
        double f = x, c = x, d = 0;
        for (int k = 1; k < 300; k++) {
            double ak = k / 2.0;
            d = x + ak * d;
            if (d == 0) d = tiny;
            c = x + ak / c;
            if (c == 0) c = tiny;
            d = 1 / d;
            double delta = c * d;
            f *= delta;
            if (Math.abs(delta - 1) < 1e-16) break;
        }
        return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
    }
}
