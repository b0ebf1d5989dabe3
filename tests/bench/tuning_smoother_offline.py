"""Random-walk / OU state models of a singer's tuning offset, smoothed per call (stop 38, issue 10; offline, not
used by the product). Measured with naming_rules_offline.py (variants k12*, ou12*, g20*): see HISTORY stop 38.

Observations: each note's fractional MIDI pitch (period 1 st), innovations wrapped to [-0.5, 0.5) st and scored
with a wrapped-normal likelihood (optionally mixed with a uniform outlier share eps: a misread note).
smoothed(): tuning x(t) a random walk (variance q st^2 per s), per-note scatter r st^2; (r, q) from a log grid by
maximum likelihood or averaged over the grid by likelihood (bma); Kalman filter + RTS smoother over the notes.
ou_smoothed(): tuning = the call's constant offset + an Ornstein-Uhlenbeck wander (variance, correlation time).
"""
import numpy as np
from dataclasses import replace

def wrap(x):
    return (x + 0.5) % 1.0 - 0.5

def wn_loglik(v, s, k=2):
    # wrapped-normal log density of innovation v (in [-0.5,0.5)) with variance s, period 1
    ks = np.arange(-k, k + 1)
    return np.log(np.sum(np.exp(-(v + ks) ** 2 / (2 * s))) / np.sqrt(2 * np.pi * s) + 1e-300)

def circular_mean(y, w):
    """Weighted circular mean of fractional pitches ``y`` (period 1 st), in [-0.5, 0.5)."""
    return np.angle(np.sum(w * np.exp(2j * np.pi * y))) / (2 * np.pi)

def outlier_weight(lw, eps):
    """(weight of the innovation, log-likelihood added) for wrapped-normal log density ``lw`` mixed with a
    uniform outlier share ``eps`` (0: no outliers, weight 1)."""
    if eps <= 0:
        return 1.0, lw
    f = (1 - eps) * np.exp(lw) + eps
    return (1 - eps) * np.exp(lw) / f, np.log(f)

def kfilter(t, y, rv, q, p0=1.0 / 12, eps=0.0):
    n = len(y)
    x = circular_mean(y, 1.0 / rv); p = p0
    xf = np.zeros(n); pf = np.zeros(n); xp = np.zeros(n); pp = np.zeros(n); ll = 0.0
    for i in range(n):
        if i:
            p = p + q * max(t[i] - t[i - 1], 0.0)
        xp[i], pp[i] = x, p
        v = wrap(y[i] - x); s = p + rv[i]
        w, dll = outlier_weight(wn_loglik(v, s), eps); ll += dll
        g = p / s
        x = x + w * g * v; p = (1 - w * g) * p + w * (1 - w) * (g * v) ** 2
        xf[i], pf[i] = x, p
    xs = xf.copy(); ps = pf.copy()
    for i in range(n - 2, -1, -1):
        c = pf[i] / pp[i + 1]
        xs[i] = xf[i] + c * (xs[i + 1] - xp[i + 1]); ps[i] = pf[i] + c * c * (ps[i + 1] - pp[i + 1])
    return xs, ps, ll

R_GRID = np.geomspace(0.03, 0.4, 10) ** 2     # st^2 per-note scatter
Q_GRID = np.geomspace(0.003, 0.3, 12) ** 2    # st^2 per s drift

def smoothed(notes, dur_weight=False, grid=(R_GRID, Q_GRID), fixed=None, ret=False, p0=1.0/12, eps=0.0, cont=False, bma=False):
    if not notes:
        return notes
    t = np.array([n.onset_s for n in notes]); y = np.array([n.midi for n in notes]) % 1.0
    d = np.array([max(n.offset_s - n.onset_s, 1e-3) for n in notes])
    scale = (np.median(d) / d) if dur_weight else np.ones(len(d))
    best = None; runs = []
    pairs = [fixed] if fixed else [(r, q) for r in grid[0] for q in grid[1]]
    for r, q in pairs:
        xs, ps, ll = kfilter(t, y, r * scale, q, p0, eps)
        runs.append((ll, xs))
        if best is None or ll > best[0]:
            best = (ll, xs, r, q)
    if bma:
        lls = np.array([a for a, _ in runs]); w = np.exp(lls - lls.max()); w /= w.sum()
        z = sum(wi * np.exp(2j * np.pi * x) for wi, (_, x) in zip(w, runs))
        xm = np.angle(z) / (2 * np.pi)
        if cont:   # continuous: follow the ML path's integer turns
            xm = best[1] + wrap(xm - best[1])
        best = (best[0], xm, best[2], best[3])
    xs = best[1] - np.round(np.average(best[1], weights=d)) if cont else wrap(best[1])
    out = [replace(n, midi=float(n.midi - s)) for n, s in zip(notes, xs)]
    return (out, best) if ret else out


def ou_filter(t, y, rv, sig2, tau, p0=1.0 / 12, eps=0.0):
    """State [mu, u]: the call's tuning mu (constant) and an OU wander u (variance sig2, correlation tau s)."""
    n = len(y); H = np.array([1.0, 1.0])
    x = np.array([circular_mean(y, 1.0 / rv), 0.0])
    P = np.diag([p0, sig2])
    xf = np.zeros((n, 2)); Pf = np.zeros((n, 2, 2)); xp = np.zeros((n, 2)); Pp = np.zeros((n, 2, 2)); F = np.zeros((n, 2, 2)); ll = 0.0
    for i in range(n):
        if i:
            a = np.exp(-max(t[i] - t[i - 1], 0.0) / tau)
            Fi = np.array([[1.0, 0.0], [0.0, a]]); F[i] = Fi
            x = Fi @ x; P = Fi @ P @ Fi.T + np.diag([0.0, sig2 * (1 - a * a)])
        xp[i], Pp[i] = x, P
        v = wrap(y[i] - H @ x); s = H @ P @ H + rv[i]
        w, dll = outlier_weight(wn_loglik(v, s), eps); ll += dll
        K = P @ H / s
        x = x + w * K * v; P = P - w * np.outer(K, H @ P) + w * (1 - w) * v * v * np.outer(K, K)
        xf[i], Pf[i] = x, P
    xs = xf.copy(); Ps = Pf.copy()
    for i in range(n - 2, -1, -1):
        C = Pf[i] @ F[i + 1].T @ np.linalg.pinv(Pp[i + 1])
        xs[i] = xf[i] + C @ (xs[i + 1] - xp[i + 1]); Ps[i] = Pf[i] + C @ (Ps[i + 1] - Pp[i + 1]) @ C.T
    return xs @ H, ll

OU_R = np.geomspace(0.03, 0.4, 8) ** 2
OU_S = np.array([0.02, 0.05, 0.1, 0.15, 0.2, 0.3]) ** 2
OU_T = np.array([1.0, 2.0, 4.0, 8.0])

def ou_smoothed(notes, eps=0.15, bma=True, rgrid=OU_R):
    if not notes:
        return notes
    t = np.array([n.onset_s for n in notes]); y = np.array([n.midi for n in notes]) % 1.0
    runs = []
    for r in rgrid:
        for s2 in OU_S:
            for tau in OU_T:
                xs, ll = ou_filter(t, y, np.full(len(y), r), s2, tau, eps=eps)
                runs.append((ll, xs))
    lls = np.array([a for a, _ in runs])
    if bma:
        w = np.exp(lls - lls.max()); w /= w.sum()
        xm = np.angle(sum(wi * np.exp(2j * np.pi * x) for wi, (_, x) in zip(w, runs))) / (2 * np.pi)
    else:
        xm = runs[int(np.argmax(lls))][1]
    return [replace(n, midi=float(n.midi - s)) for n, s in zip(notes, wrap(xm))]
