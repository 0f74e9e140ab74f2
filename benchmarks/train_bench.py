"""Training speed: the engine fed from emoji-scenes shards against a bare open_clip step on random tensors.

CPU (always): the tiny configs at 32 and 64 px, in float32; then the base recipe's model (cpu-vit, 64 px, batch 256) in
float32 and bf16 (bf16 when the CPU multiplies it in hardware: AMX or AVX-512 BF16; elsewhere it is emulated, and the
line says so), on prepared shards and on fresh scenes drawn each epoch (the base recipe's data path: the next epoch's
scenes are drawn by one long-lived process and tokenised in a thread while an epoch trains; the timed epoch is a middle
one, which pays for drawing the next). On an AVX-512 BF16 EPYC, bf16, 80 steps (20,480 scenes an epoch), two runs each,
fresh img/s (bare step 264-302 img/s, mean 287.5, measured before each): drawing between epochs with two new worker
processes 235 / 240 (0.83 of the mean bare step); in the background in the trainer's process 243 / 248 (0.85); in the
background by the long-lived drawer 247 / 279 (0.91) (2026-12-06). The bare step alone varies ±7% between runs.
GPU (when CUDA is present): ViT-B-32 at batch 256 in bf16 at 224 px.
Every line prints images/s and the ratio engine / bare step measured in the same run (goal on a GPU: ≥ 0.90).
For context, a prototype on 2 cores made 137–193 img/s at 32 px and 80–90 img/s at 64 px (briefs/feasibility.md §3).
--compile adds the bare step with the model's forward under torch.compile (inductor; its first step compiles, about
75 s) beside the eager one. On a 2-core AVX2 AMD EPYC, cpu-vit at batch 128, float32 (2026-12-08): eager 159 / 144
img/s, compiled 145 (0.95×); again eager 142 / 151, compiled 157 (1.08×), within the bare step's run-to-run noise. The
engine stays eager: its step is matmul-bound, fusing the small ops around the matmuls saves under 10%, and compiled
kernels would change every committed number at float-rounding level.
Run: .venv/bin/python benchmarks/train_bench.py [--steps 6] [--threads 2] [--model cpu-vit] [--recipe-only] [--compile]
"""
import argparse, os, tempfile, time
from pathlib import Path
os.environ.setdefault('OTCCLIP_QUIET', '1')
import numpy as np, torch
from otcclip.core import cpu_has_bf16
from otcclip.models import create_model, clip_loss, get_tokenizer
from otcclip.splits import ScenesConfig, build_emoji_scenes, bulk_part
from otcclip.train import PairData, PairStream, TrainConfig, Trainer, param_groups

def bare_step(model_name, size, batch, device, bf16, adamw:dict|None=None, compiled:bool=False):
    "A bare training step (forward + backward + AdamW on fixed random images and tokens) and its model; `adamw`: the optimizer's form"
    torch.manual_seed(0); m = create_model(model_name).to(device)
    if compiled: m.forward = torch.compile(m.forward)   # inductor; the first step compiles
    opt = torch.optim.AdamW(param_groups(m, 0.1), lr=1e-4, **(adamw or {'foreach': True}))   # default: the engine's form
    loss_fn, L = clip_loss(), get_tokenizer(model_name)(['x']).shape[1]
    x = torch.randn(batch, 3, size, size, device=device); t = torch.randint(1, 49407, (batch, L), device=device)
    def step():
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=bf16):
            f, g, s = m(x, t)[:3]; loss = loss_fn(f, g, s)
        opt.zero_grad(); loss.backward(); opt.step()
    return step, m

def bare_step_rate(model_name, size, batch, steps, device, bf16, adamw:dict|None=None, compiled:bool=False):
    "images/s of the bare step, after two warm-up steps"
    step, _ = bare_step(model_name, size, batch, device, bf16, adamw, compiled)
    step(); step()
    if device.type == 'cuda': torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(steps): step()
    if device.type == 'cuda': torch.cuda.synchronize()
    return steps*batch/(time.perf_counter() - t0)

def compile_line(model_name, size, batch, steps):
    "The bare step eager, with the model's forward under torch.compile, and eager again: images/s and the ratio"
    cpu = torch.device('cpu')
    before = bare_step_rate(model_name, size, batch, steps, cpu, False)
    compiled = bare_step_rate(model_name, size, batch, steps, cpu, False, compiled=True)   # its warm-up steps compile
    after = bare_step_rate(model_name, size, batch, steps, cpu, False)
    print(f'  {model_name} {size} px, batch {batch}, float32: eager {before:.1f} / {after:.1f} img/s, torch.compile {compiled:.1f} img/s '
          f'({compiled/((before + after)/2):.2f}x)')

def engine_rate(model_name, size, batch, steps, n_bulk, precision='fp32'):
    "images/s of the engine's second epoch (first epoch warms up) on emoji-scenes shards"
    sets = build_emoji_scenes(ScenesConfig(size=size, n_bulk=n_bulk, per_class=4))
    data = PairData.from_shards([sets['bulk']], get_tokenizer(model_name))
    n = steps*batch
    sub = PairData(data.read, data.tokens[:n], data.n_caps[:n])
    hist = Trainer(sub, TrainConfig(model=model_name, epochs=2, batch_size=batch, precision=precision)).fit()
    return hist[-1]['images_per_s']

def fresh_rate(model_name, size, batch, steps, precision='fp32'):
    "images/s of the base recipe's data path in its steady state: an epoch of fresh scenes while the next one is drawn"
    cfg = ScenesConfig(size=size, n_bulk=steps*batch, per_class=4)
    tok = get_tokenizer(model_name)
    with tempfile.TemporaryDirectory(prefix='otcclip-fresh-') as root:   # a new folder: no part is cached from an earlier run
        stream = PairStream(lambda epoch: PairData.from_shards([bulk_part(cfg, epoch + 1, root=Path(root), drawer=True)], tok))
        tr = Trainer(stream, TrainConfig(model=model_name, epochs=3, batch_size=batch, precision=precision))
        tr.fit(until=1)                                   # the first epoch warms up (and draws part 2 meanwhile)
        t0 = time.perf_counter(); tr.fit(until=2)         # the second: part 2 (waited for if unfinished), part 3 drawn meanwhile
        return steps*batch/(time.perf_counter() - t0)

def main(steps, threads, model='cpu-vit', recipe_only=False, with_compile=False):
    torch.set_num_threads(threads)
    print(f'CPU, {threads} thread(s), batch 128 (engine: emoji-scenes shards, flips, AdamW; bare: random tensors)')
    for name, size in () if recipe_only else (('tiny-vit-32', 32), ('tiny-vit', 64), ('tiny-vit-p16', 64)):
        bare = bare_step_rate(name, size, 128, steps, torch.device('cpu'), False)
        eng = engine_rate(name, size, 128, steps, n_bulk=max(2000, steps*128))
        print(f'  {name:12s} {size:3d} px: engine {eng:6.1f} img/s, bare step {bare:6.1f} img/s, ratio {eng/bare:.2f}')
    rates, recipe = {}, 'base recipe' if model == 'cpu-vit' else 'the base recipe with this model'
    for precision in ('fp32', 'bf16') if cpu_has_bf16() else ('fp32',):
        bare = bare_step_rate(model, 64, 256, steps, torch.device('cpu'), precision == 'bf16')
        rates[precision] = eng = engine_rate(model, 64, 256, steps, max(2000, steps*256), precision)
        print(f'  {model} ({recipe}) 64 px, batch 256, {precision}: engine {eng:6.1f} img/s, bare step {bare:6.1f} img/s, ratio {eng/bare:.2f}')
        fresh = fresh_rate(model, 64, 256, steps, precision)
        print(f'  {model} ({recipe}), fresh scenes drawn each epoch, {precision}: {fresh:6.1f} img/s, ratio to the bare step {fresh/bare:.2f} (goal >= 0.85)')
    if with_compile: compile_line(model, 64, 128, max(steps, 12))
    if 'bf16' in rates: print(f'  bf16 / float32, engine end to end: {rates["bf16"]/rates["fp32"]:.2f}x (goal >= 1.5)')
    else: print('  bf16: this CPU has neither AMX nor AVX-512 BF16, so bf16 would be emulated (slower than float32); precision auto = fp32 here')
    if torch.cuda.is_available():
        dev = torch.device('cuda'); bare = bare_step_rate('ViT-B-32', 224, 256, 20, dev, True)
        sets = build_emoji_scenes(ScenesConfig(size=224, n_bulk=256*25, per_class=4), workers=14)
        data = PairData.from_shards([sets['bulk']], get_tokenizer('ViT-B-32'))
        eng = Trainer(data, TrainConfig(model='ViT-B-32', epochs=2, batch_size=256)).fit()[-1]['images_per_s']
        print(f'GPU {torch.cuda.get_device_name()}: ViT-B-32 bs 256 bf16 engine {eng:,.0f} img/s, bare {bare:,.0f} img/s, ratio {eng/bare:.2f} (goal ≥ 0.90)')
    else: print('GPU: no CUDA device here; the ViT-B-32 comparison runs on a GPU machine')

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--steps', type=int, default=6); ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--model', default='cpu-vit', help='the base recipe\'s model for the float32 / bf16 lines (a 64 px config: cpu-vit, tiny-vit)')
    ap.add_argument('--recipe-only', action='store_true', help='skip the tiny configs\' float32 lines')
    ap.add_argument('--compile', action='store_true', help='add the bare step under torch.compile beside the eager one (about 75 s to compile)')
    a = ap.parse_args(); main(a.steps, a.threads, a.model, a.recipe_only, a.compile)
