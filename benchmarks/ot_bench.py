"""OT solver speed: the same batched problems through POT, our Sinkhorn paths and torch.compile, in one run.

Rows: POT's batched solver (log domain and plain Sinkhorn), our log domain, our scalings ('kernel'), on CUDA our
fused Triton kernel ('fused'), and torch.compile of the log domain. Sizes are OTCCLIP's at training batch B
(`--batch`): the shortlist re-rank (B·k problems: an image's tokens against a pool caption's, caption slots masked),
the inter-modality alignment (B problems, forward and backward) and the intra-modality image term (B problems of
n × n); on a GPU also all pairs of a 256 batch (65,536 problems of 49 × 32). Image tokens: 64 (cpu-vit, patch 8 at
64 px) and 49 (ViT-B/32); caption slots: 32 (cpu-vit's context) and 77 (CLIP's), with 5–16 real tokens. ε 0.05,
50 iterations, float32. Prints milliseconds (best of `--repeat`), the ratio POT / ours, and the max error to POT.
Run: .venv/bin/python benchmarks/ot_bench.py [--batch 256] [--k 16] [--threads 2] [--no-compile]
"""
import argparse, os, time
for _k in ('JAX', 'TENSORFLOW', 'CUPY'): os.environ.setdefault(f'POT_BACKEND_DISABLE_{_k}', '1')
import torch, torch.nn.functional as F
from ot.batch import solve_batch
from otcclip.ot import cosine_cost, ot_distance

EPS, ITERS = 0.05, 50

def problems(count, n, slots, device, seed=0):
    "Costs (count, n, slots) between random unit tokens, and a caption mask with 5-16 real tokens"
    g = torch.Generator().manual_seed(seed)
    x = F.normalize(torch.randn(count, n, 16, generator=g), dim=-1)   # 16 dims: wider-spread costs than 64-dim random tokens (those converge in ~10 iterations)
    y = F.normalize(torch.randn(count, slots, 16, generator=g), dim=-1)
    lengths = torch.randint(5, min(16, slots) + 1, (count, 1), generator=g)
    return cosine_cost(x, y).to(device), (torch.arange(slots) < lengths).to(device)

def best_ms(fn, repeat, device):
    "Fastest of `repeat` timed calls after one warm-up, in ms"
    fn(); ts = []
    for _ in range(repeat):
        if device.type == 'cuda': torch.cuda.synchronize()
        t = time.perf_counter(); fn()
        if device.type == 'cuda': torch.cuda.synchronize()
        ts.append(time.perf_counter() - t)
    return 1e3*min(ts)

def ours(C, mask, domain):
    "Our transport costs <P, C> after ITERS iterations in `domain`"
    return ot_distance(C, eps=EPS, iters=ITERS, mask_b=mask, domain=domain, warn_tol=None)

def pot(C, mask, method):
    "POT's batched solver on the same problems (padding as zero weights)"
    b = mask.to(C.dtype); b = b/b.sum(-1, keepdim=True)
    return solve_batch(C, reg=EPS, b=b, max_iter=ITERS, tol=0, method=method, grad='detach').value_linear

def forward_case(name, C, mask, repeat, compile_):
    "One forward case: POT (log and plain Sinkhorn), ours (log, scalings) and compiled; prints a table row each"
    ref = pot(C, mask, 'log_sinkhorn')
    t_pot = best_ms(lambda: pot(C, mask, 'log_sinkhorn'), repeat, C.device)
    rows = [('POT log_sinkhorn', t_pot, 0.), ('POT sinkhorn', best_ms(lambda: pot(C, mask, 'sinkhorn'), repeat, C.device),
                                              (pot(C, mask, 'sinkhorn') - ref).abs().max().item())]
    for domain in ('log', 'kernel') + (('fused',) if C.is_cuda else ()):
        rows.append((f'ours, {domain}', best_ms(lambda: ours(C, mask, domain), repeat, C.device), (ours(C, mask, domain) - ref).abs().max().item()))
    for tol in (1e-2, 1e-3):   # early stopping on the row marginals (checked every 10 iterations), scalings
        fn = lambda: ot_distance(C, eps=EPS, iters=ITERS, tol=tol, mask_b=mask, domain='kernel', warn_tol=None)
        rows.append((f'ours, kernel, early stop at tol {tol:g}', best_ms(fn, repeat, C.device), (fn() - ref).abs().max().item()))
    if compile_:
        fn = torch.compile(lambda C, m: ot_distance(C, eps=EPS, iters=ITERS, mask_b=m, warn_tol=None))
        t0 = time.perf_counter(); fn(C, mask); warm = time.perf_counter() - t0
        rows.append((f'ours, torch.compile (log; {warm:.0f} s to compile)', best_ms(lambda: fn(C, mask), repeat, C.device),
                     (fn(C, mask) - ref).abs().max().item()))
    print(f'\n{name}: {tuple(C.shape)}, {C.device.type}')
    for label, ms, err in rows: print(f'  {label:48s} {ms:9.1f} ms   POT/this {t_pot/ms:6.2f}x   max |d - POT| {err:.1e}')

def backward_case(name, C, mask, repeat):
    "Forward + backward of the mean distance (the alignment losses): ours in both domains, POT through its iterations"
    def run(fn):
        X = C.clone().requires_grad_(); fn(X).mean().backward(); return X.grad
    ref = run(lambda X: solve_batch(X, reg=EPS, b=mask.to(X.dtype)/mask.sum(-1, keepdim=True), max_iter=ITERS, tol=0,
                                    method='log_sinkhorn', grad='autodiff').value_linear)
    t_pot = best_ms(lambda: run(lambda X: solve_batch(X, reg=EPS, b=mask.to(X.dtype)/mask.sum(-1, keepdim=True), max_iter=ITERS,
                                                      tol=0, method='log_sinkhorn', grad='autodiff').value_linear), repeat, C.device)
    print(f'\n{name} (forward + backward): {tuple(C.shape)}, {C.device.type}')
    print(f'  {"POT log_sinkhorn, autodiff through iterations":48s} {t_pot:9.1f} ms')
    for domain in ('log', 'kernel') + (('fused',) if C.is_cuda else ()):
        fn = lambda X: ot_distance(X, eps=EPS, iters=ITERS, mask_b=mask, warn_tol=None, domain=domain)
        ms, g = best_ms(lambda: run(fn), repeat, C.device), run(fn)
        print(f'  {"ours, " + domain + ", implicit gradient":48s} {ms:9.1f} ms   POT/this {t_pot/ms:6.2f}x   max |grad - POT| {(g - ref).abs().max().item():.1e}')

def main(batch, k, threads, repeat, compile_):
    torch.set_num_threads(threads)
    devices = [torch.device('cpu')] + ([torch.device('cuda')] if torch.cuda.is_available() else [])
    print(f'{threads} CPU thread(s); eps {EPS}, {ITERS} iterations, float32; batch {batch}, shortlist k {k}')
    for dev in devices:
        forward_case(f're-rank, cpu-vit ({batch}x{k} problems, 64 image tokens x 32 caption slots)', *problems(batch*k, 64, 32, dev), repeat, compile_)
        forward_case(f're-rank, ViT-B/32 ({batch}x{k} problems, 49 x 77 slots)', *problems(batch*k, 49, 77, dev, seed=1), repeat, False)
        backward_case(f'inter alignment ({batch} problems, 64 x 32 slots)', *problems(batch, 64, 32, dev, seed=2), repeat)
        Ci, _ = problems(batch, 64, 64, dev, seed=3)
        if dev.type == 'cuda':   # the GPU goal: all pairs of a 256 batch, 49 x 32 tokens, 50 iterations: <= 5 ms and >= 40x POT
            forward_case('all pairs, 256 x 256 (65,536 problems, 49 x 32 slots)', *problems(256*256, 49, 32, dev, seed=4), repeat, False)
        backward_case(f'intra alignment, image ({batch} problems, 64 x 64)', Ci, torch.ones(Ci.shape[:1] + Ci.shape[-1:], dtype=torch.bool, device=dev), repeat)

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--batch', type=int, default=256); ap.add_argument('--k', type=int, default=16)
    ap.add_argument('--threads', type=int, default=2); ap.add_argument('--repeat', type=int, default=2)
    ap.add_argument('--no-compile', action='store_true', help='skip the torch.compile path (about a minute to compile on a CPU)')
    a = ap.parse_args(); main(a.batch, a.k, a.threads, a.repeat, not a.no_compile)
