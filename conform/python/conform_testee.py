#!/usr/bin/env python3
"""A program the dlt5 conformance runner can check: every op of conform/PROTOCOL.md in Python with
numpy only, written as a user would write it. Copy it as the template of your own adapter.

    go run ./cmd/verify conform -- /usr/bin/python3 conform/python/conform_testee.py

With --fault NAME it answers with one plausible bug, which the runner must catch (the suite's
tests check it does): tbptt-short, vjp-j, cg-no-damping, kappa-direct, qmap-missing-term,
bound-log10, critical-iterate, cg-iterations-ignored, cg-absolute-tol, count-truncated,
fixed-point-loose, pooling-floored.
"""
import json
import math
import os
import sys

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # tiny matrices: threads only cost time
import numpy as np  # noqa: E402

FAULT = sys.argv[sys.argv.index("--fault") + 1] if "--fault" in sys.argv else None
if FAULT not in (None, "tbptt-short", "vjp-j", "cg-no-damping", "kappa-direct", "qmap-missing-term", "bound-log10",
                 "critical-iterate", "cg-iterations-ignored", "cg-absolute-tol", "count-truncated",
                 "fixed-point-loose", "pooling-floored"):
    sys.exit(f"unknown --fault {FAULT}")
np.seterr(all="ignore")  # overflow to inf and underflow to 0 are intended (u(t), sech^2)


def need(ok, msg):
    if not ok:
        raise ValueError(msg)


def real(inp, name, lo=-math.inf, hi=math.inf):  # a finite float in [lo, hi]
    v = float(inp[name])  # floats may come as "NaN", "Infinity", "-Infinity"
    need(math.isfinite(v) and lo <= v <= hi, f"{name} = {v} must be finite and in [{lo}, {hi}]")
    return v


def count(inp, name, least=0):
    v = inp[name]
    if FAULT == "count-truncated" and type(v) is float and math.isfinite(v):
        v = int(v)  # K = 2.5 answered as K = 2
    need(type(v) is int and v >= least, f"{name} = {v!r} must be an integer >= {least}")
    return v


def array(inp, name, ndim):
    a = np.array(inp[name], dtype=float)
    need(a.ndim == ndim and a.size > 0 and np.all(np.isfinite(a)), f"{name} must be a finite {ndim}-d array")
    return a


# kernel: kappa_a(theta) = (1-a)^2/(2 pi) J(theta) + a cos theta, J = sin t + (pi - t) cos t
def arc(t):
    if t <= math.pi / 2 or FAULT == "kappa-direct":
        return math.sin(t) + (math.pi - t) * math.cos(t)
    p = math.pi - t  # near pi, J = sin p - p cos p ~ p^3/3: a series, no cancellation
    if p > 0.5:
        return math.sin(p) - p * math.cos(p)
    term, total = p ** 3 / 6, 0.0
    for k in range(1, 13):
        total += 2 * k * term
        term *= -p * p / ((2 * k + 2) * (2 * k + 3))
    return total


def kappa(t, a):
    return (1 - a) ** 2 / (2 * math.pi) * arc(t) + a * math.cos(t)


def kernel_kappa(inp):
    return {"kappa": kappa(real(inp, "theta", 0, math.pi), real(inp, "a", 0, 1))}


def kernel_deep(inp):
    t, a, layers = real(inp, "theta0", 0, math.pi), real(inp, "a", 0, 1), count(inp, "layers")
    rho = math.cos(t)
    for _ in range(layers):
        rho = kappa(math.acos(min(1.0, max(-1.0, rho))), a) / kappa(0.0, a)
    return {"rho": rho}


# rbp: F(h) = tanh(W h + U x + c), loss 1/2 |h - y|^2, gradients with respect to W and c
class Problem:
    def __init__(self, inp, with_y=True):
        self.W, U, x, self.c = array(inp, "W", 2), array(inp, "U", 2), array(inp, "x", 1), array(inp, "c", 1)
        n = len(self.c)
        need(self.W.shape == (n, n) and U.shape == (n, len(x)), "W must be n x n and U n x m")
        self.d = U @ x + self.c
        self.y = array(inp, "y", 1) if with_y else np.zeros(n)
        need(self.y.shape == (n,), "y must have n entries")
        h = np.zeros(n)  # h* by Newton's method on h - F(h)
        while FAULT == "fixed-point-loose":  # plain iteration until the step is below 1e-12
            h, step = np.tanh(self.W @ h + self.d), h
            if np.max(np.abs(h - step)) < 1e-12:
                break
        for _ in range(0 if FAULT == "fixed-point-loose" else 100):
            f = np.tanh(self.W @ h + self.d)
            step = np.linalg.solve(np.eye(n) - (1 - f * f)[:, None] * self.W, h - f)
            h = h - step
            if np.max(np.abs(step)) <= 1e-17 * (1 + np.max(np.abs(h))):
                break
        self.h, self.s, self.b = h, self.slope(h), h - self.y

    def slope(self, h):  # F'(pre-activation) at h
        return 1 - np.tanh(self.W @ h + self.d) ** 2

    def vjp(self, v, s=None):  # J^T v, J = diag(s) W
        s = self.s if s is None else s
        return s * (self.W @ v) if FAULT == "vjp-j" else self.W.T @ (s * v)

    def grad(self, z):  # (dF/dW)^T z, (dF/dc)^T z at h*
        return {"grad_W": np.outer(self.s * z, self.h).tolist(), "grad_c": (self.s * z).tolist()}


def rbp_fixed_point(inp):
    return {"h": Problem(inp, with_y=False).h.tolist()}


def rbp_neumann(inp):
    p, K = Problem(inp), count(inp, "K")
    v, g = p.b.copy(), p.b.copy()
    for _ in range(K):
        v = p.vjp(v)
        g = g + v
    return p.grad(g)


def backprop(p, h0, steps):  # TBPTT through the last `steps` applications of F, from h0
    tape = [h0]
    for _ in range(steps):
        tape.append(np.tanh(p.W @ tape[-1] + p.d))
    v, gW, gc = tape[-1] - p.y, np.zeros_like(p.W), np.zeros(len(h0))
    for t in reversed(range(1 if FAULT == "tbptt-short" else 0, steps)):
        s = p.slope(tape[t])
        gW += np.outer(s * v, tape[t])
        gc += s * v
        v = p.vjp(v, s)
    return {"grad_W": gW.tolist(), "grad_c": gc.tolist()}


def rbp_tbptt(inp):
    p = Problem(inp)
    return backprop(p, p.h, count(inp, "K"))


def rbp_bptt(inp):
    p, T = Problem(inp), count(inp, "T")
    h0 = array(inp, "h0", 1)
    need(h0.shape == p.c.shape, "h0 must have n entries")
    return backprop(p, h0, T)


def rbp_cg(inp):  # CG on ((I - J)(I - J^T) + eta I) z = (I - J) b
    p, iters = Problem(inp), count(inp, "iterations", 1)
    eta, tol = real(inp, "damping", 0), real(inp, "tol", 0)
    need(tol > 0, "tol must be > 0")

    def A(x):
        u = x - p.vjp(x)
        return u - p.s * (p.W @ u) + (0 if FAULT == "cg-no-damping" else eta) * x

    r = p.b - p.s * (p.W @ p.b)
    z, d, rr = np.zeros_like(r), r.copy(), r @ r
    norm0 = math.sqrt(rr)
    if FAULT == "cg-iterations-ignored":  # runs to its tolerance whatever the count
        iters = 10 * len(r) + 100
    for _ in range(iters if norm0 > 0 else 0):
        Ad = A(d)
        curv = d @ Ad
        if not curv > 0:
            break
        alpha = rr / curv
        z, r = z + alpha * d, r - alpha * Ad
        rr_new = r @ r
        if math.sqrt(rr_new) <= (tol if FAULT == "cg-absolute-tol" else tol * norm0):
            break
        d, rr = r + rr_new / rr * d, rr_new
    return p.grad(z)


def rbp_original(inp):
    p, k = Problem(inp), count(inp, "iterations")
    z = array(inp, "z0", 1)
    need(z.shape == p.c.shape, "z0 must have n entries")
    for _ in range(k):
        z = p.vjp(z) + p.b
    return p.grad(z)


# dae: du/dt = 2u [(lambda - gamma) - (lambda + sigma2) u], t = learning rate x steps
def mode(inp):
    return real(inp, "lambda", 0), real(inp, "sigma2", 0), real(inp, "gamma", 0)


def dae_u(inp):
    lam, s2, gam = mode(inp)
    u0, t = real(inp, "u0"), real(inp, "t", 0)
    need(u0 > 0, "u0 must be > 0")
    a, b = lam - gam, lam + s2
    x = np.float64(2 * a * t)
    g = 2 * t if a == 0 else -np.expm1(-x) / a  # (1 - e^{-2at})/a without cancellation
    den = np.exp(-x - math.log(u0)) + (b * g if b != 0 else 0)  # u = 1/(b g + e^{-2at}/u0)
    return {"u": float(1 / den)}


def dae_ustar(inp):
    lam, s2, gam = mode(inp)
    return {"ustar": (lam - gam) / (lam + s2) if lam > gam else 0.0}


# meanfield: Gaussian expectations by composite Gauss-Legendre, pieces fine enough for tanh and
# the sigmoid (which change on a scale of 1) at any variance; Gauss-Hermite loses digits at q > 16
GL = np.polynomial.legendre.leggauss(10)


def normal(width):  # nodes and weights of N(0, 1) on [-12, 12], pieces at most `width` wide
    k = max(1, math.ceil(24 / width))
    e = np.linspace(-12, 12, k + 1)
    lo, hi = e[:-1, None], e[1:, None]
    z = ((lo + hi) / 2 + (hi - lo) / 2 * GL[0]).ravel()
    return z, ((hi - lo) / 2 * GL[1]).ravel() * np.exp(-z * z / 2) / math.sqrt(2 * math.pi)


def expect(f, mean, var):  # E f(X), X ~ N(mean, var)
    sd = math.sqrt(var)
    z, w = normal(min(1.0, 0.5 / sd) if sd > 0 else 1.0)
    return float(w @ f(mean + sd * z))


def expect_pair(f, g, mean, var, cov):  # E f(A) g(B), A, B ~ N(mean, var), covariance cov >= 0:
    a, b = math.sqrt(cov), math.sqrt(max(var - cov, 0))  # A, B = mean + a w + b z_{1,2}
    zw, ww = normal(min(1.0, 0.5 * max(1.0, b) / a) if a > 0 else 1.0)
    zz, wz = normal(min(1.0, 0.5 / b) if b > 0 else 1.0)
    x = mean + a * zw[:, None] + b * zz[None, :]
    return float(ww @ ((f(x) @ wz) * (g(x) @ wz)))


def root(g, lo, hi):  # g(lo) >= 0 >= g(hi): Illinois false position, geometric steps over decades
    glo, ghi, side = g(lo), g(hi), 0
    if glo == 0 or ghi == 0:
        return lo if glo == 0 else hi
    for _ in range(500):
        if lo > 0 and hi > 4 * lo:
            mid = math.sqrt(lo * hi)
        else:
            mid = lo + (hi - lo) * glo / (glo - ghi)
        if not lo < mid < hi:
            mid = lo + (hi - lo) / 2
        if not lo < mid < hi or hi - lo <= 1e-15 * abs(mid):
            return mid
        v = g(mid)
        if v == 0:
            return mid
        if v > 0:
            lo, glo, ghi, side = mid, v, ghi / 2 if side == -1 else ghi, -1
        else:
            hi, ghi, glo, side = mid, v, glo / 2 if side == 1 else glo, 1
    return lo + (hi - lo) / 2


def tanh2(x):
    return np.tanh(x) ** 2


def sech2(x):
    return 1 / np.cosh(x) ** 2


def vanilla_inputs(inp):
    sw2, sv2, sb2, R = (real(inp, k, 0) for k in ("sw2", "sv2", "sb2", "R"))
    s = sv2 * R + (0 if FAULT == "qmap-missing-term" else sb2)  # the drive of q -> sw2 E[tanh^2] + s
    return sw2, s, sb2


def vanilla_qstar(sw2, s):
    if FAULT == "critical-iterate" and s == 0 and sw2 == 1:  # iterates the map at criticality:
        q = 1.0  # q_t ~ 1/(2t), still 5e-4 after 1000 steps (q* = 0)
        for _ in range(1000):
            q = sw2 * expect(tanh2, 0, q) + s
        return q
    if s == 0 and sw2 <= 1:
        return 0.0
    return root(lambda q: sw2 * expect(tanh2, 0, q) + s - q, s if s > 0 else 1e-300, sw2 + s)


def meanfield_vanilla(inp):
    sw2, s, _ = vanilla_inputs(inp)
    q = vanilla_qstar(sw2, s)
    return {"qstar": q, "chi1": sw2 * expect(lambda x: sech2(x) ** 2, 0, q)}


def meanfield_vanilla_timescale(inp):  # two sequences with independent inputs share sb2
    sw2, s, shared = vanilla_inputs(inp)
    shared = min(shared, s)
    q = vanilla_qstar(sw2, s)
    if q == 0:
        return {"timescale": None}

    def chi(qab):
        return sw2 * expect_pair(sech2, sech2, 0, q, qab)

    def g(qab):
        return sw2 * expect_pair(np.tanh, np.tanh, 0, q, qab) + shared - qab

    hi = q
    if shared == s:  # identical drives: c* = 1 unless chaotic
        chi1 = chi(q)
        if chi1 <= 1:
            return {"timescale": -1 / math.log(chi1) if 0 < chi1 < 1 else None}  # sw2 = 0: chi1 = 0
        hi = next(x for x in (q * (1 - 2.0 ** -k) for k in range(1, 51)) if g(x) < 0)
    c = root(g, shared, hi) if shared > 0 else 0.0
    x = chi(c)
    return {"timescale": -1 / math.log(x) if 0 < x < 1 else None}


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def meanfield_minimal(inp):
    mu = real(inp, "mu_b")
    sw, sv, sb = (real(inp, k, 0) for k in ("sw", "sv", "sb"))
    R = real(inp, "R", 0)
    need(R > 0, "R must be > 0")

    def var(Q):  # the gate pre-activation's variance
        return sw * sw * Q + sv * sv * R + sb * sb

    def one_minus_u2(q):  # 1 - E[u^2] = E[(1 - u)(1 + u)], no cancellation
        return expect(lambda x: sigmoid(-x) * (1 + sigmoid(x)), mu, q)

    Q = root(lambda Q: R * expect(lambda x: sigmoid(-x) ** 2, mu, var(Q)) / one_minus_u2(var(Q)) - Q, 0.0, R)
    q = var(Q)
    chi1 = (1 - one_minus_u2(q)) + sw * sw * expect(lambda x: (sigmoid(x) * sigmoid(-x)) ** 2, mu, q) * (Q + R)
    v = lambda x: sigmoid(-x)  # noqa: E731
    d = 2 * expect(v, mu, q) - expect_pair(v, v, mu, q, sb * sb)  # 1 - chi_ab = E[v^a + v^b - v^a v^b]
    return {"Qstar": Q, "chi1": chi1, "xi": -1 / math.log1p(-d) if 0 < d < 1 else None}


# cnnbound: Theorem 1, B(n) = sqrt((theta varrho + ln(4/eps)) / (2n))
def cnnbound_bound(inp):
    arch, n, eps = inp["arch"], real(inp, "n"), real(inp, "eps")
    need(n > 0 and 0 < eps < 1, "need n > 0 and 0 < eps < 1")
    ln = math.log10 if FAULT == "bound-log10" else math.log
    p, r, c, depth = (count(arch, k, 1) for k in ("p", "r0", "c0", "d0"))
    out, out_a, out_b = count(arch, "out", 1), count(arch, "out_a", 1), real(arch, "out_b")
    need(out_b > 0 and len(arch["layers"]) > 0, "need b_{l+1} > 0 and at least one layer")
    theta, varrho = 0.0, ln(out_b) + ln(n / (128 * p * p))
    for layer in arch["layers"]:
        k, s, d, a, b = count(layer, "k", 1), count(layer, "s", 1), count(layer, "d", 1), count(layer, "a", 1), real(layer, "b")
        need(b > 0 and s <= k <= min(r, c) and (r - k) % s == 0 == (c - k) % s, "a layer that does not fit")
        r, c = (r - k) // s + 1, (c - k) // s + 1
        need(FAULT == "pooling-floored" or r % p == 0 and c % p == 0, "pooling must divide the conv output")
        r, c = r // p, c // p
        theta += a * (k * k * depth + d + 1)
        varrho += ln(math.sqrt(d) * b * (k - s + 1) / (4 * p))
        depth = d
    theta += out_a * (out + r * c * depth + 1)
    num = theta * varrho + ln(4 / eps)
    need(num > 0, "theta varrho + ln(4/eps) <= 0: the bound is undefined")
    return {"bound": math.sqrt(num / n / 2)}


OPS = {name.replace("_", ".", 1): f for name, f in list(globals().items())
       if name.split("_")[0] in ("kernel", "rbp", "dae", "meanfield", "cnnbound") and callable(f)}


def answer(req):
    if req["op"] == "hello":
        need(req["inputs"].get("protocol") == 1, "this program speaks protocol 1")
        return {"protocol": 1, "ops": sorted(OPS), "name": "python+numpy" + (f" (fault {FAULT})" if FAULT else "")}
    need(req["op"] in OPS, f"unsupported op {req['op']}")
    return OPS[req["op"]](req.get("inputs", {}))


for line in iter(sys.stdin.readline, ""):
    req = {}
    try:
        req = json.loads(line)
        reply = {"id": req["id"], "result": answer(req)}
    except Exception as e:  # a bad request is an error reply, never a crash
        reply = {"id": req.get("id", 0) if isinstance(req, dict) else 0, "error": f"{type(e).__name__}: {e}"}
    sys.stdout.write(json.dumps(reply) + "\n")
    sys.stdout.flush()
