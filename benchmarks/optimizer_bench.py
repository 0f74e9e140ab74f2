"""AdamW's three CPU forms at the base recipe's bare step: the per-tensor loop, `foreach` (what the engine runs) and `fused`.

A bare step (forward, backward, AdamW on random images and tokens; cpu-vit, 64 px, batch 256, float32 unless --bf16) is
timed with each form in turn, in the same run, and each form's weights after the timed steps are compared with the
loop's: `foreach` applies the same per-tensor operations (bit-identical on CPU), `fused` is one kernel whose rounding
differs, so switching the engine to it would move every result by float noise and needs every notebook regenerated.
Run: .venv/bin/python benchmarks/optimizer_bench.py [--steps 8] [--threads 2] [--model cpu-vit] [--batch 256] [--bf16]
"""
import argparse, os, time
os.environ.setdefault('OTCCLIP_QUIET', '1')
import torch
from train_bench import bare_step   # the same bare step, beside this file

FORMS = {'loop': dict(foreach=False), 'foreach': dict(foreach=True), 'fused': dict(fused=True)}

def run(form:str, model_name:str, batch:int, steps:int, bf16:bool)->tuple[float, list[torch.Tensor]]:
    "images/s of `steps` bare steps with AdamW in `form` after one warm-up, and the weights after them"
    step, m = bare_step(model_name, 64, batch, torch.device('cpu'), bf16, FORMS[form]); step()
    t0 = time.perf_counter()
    for _ in range(steps): step()
    return steps*batch/(time.perf_counter() - t0), [p.detach().clone() for p in m.parameters()]

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--steps', type=int, default=8); ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--model', default='cpu-vit'); ap.add_argument('--batch', type=int, default=256); ap.add_argument('--bf16', action='store_true')
    a = ap.parse_args(); torch.set_num_threads(a.threads)
    print(f'{a.model}, 64 px, batch {a.batch}, {"bf16" if a.bf16 else "fp32"}, {a.threads} threads, {a.steps} timed steps after one warm-up')
    res = [(f, *run(f, a.model, a.batch, a.steps, a.bf16)) for f in ('loop', 'foreach', 'fused', 'loop')]   # the loop first and last: drift shows
    base, ref = (res[0][1] + res[-1][1])/2, res[0][2]
    for f, rate, w in res:
        diff = max((p - q).abs().max().item() for p, q in zip(w, ref))
        print(f'  {f:8s} {rate:7.1f} img/s  ({rate/base:.2f}x the loop, mean of its two runs)  weights vs the loop: {"identical" if diff == 0 else f"max |diff| {diff:.1e}"}')
