"""Training cost of each defense against plain CLIP: the quick profile's epochs on the same poisoned data, in the same run.

Data and schedule are the quick profile's defense comparison (emoji-scenes, 2,000 bulk + 1,000 PASCAL-like scenes,
Attack II sheep2aeroplane at 5%, batch 128, lr 5e-4, continued from the committed base model; `--base scratch`
starts from random weights). Each defense trains `--epochs` epochs (3, as the quick profile's arena) from the same
start model, and the whole run is timed: per-epoch costs that only some epochs pay (a gate's scoring pass, filling a
pool, SafeCLIP's splits, RoCLIP's matching every second epoch) count as a run pays them. `--timed last` times only the
last epoch, after untimed ones. Time is broken down by wrapping the library's functions for the run:

- `OT`: OTCCLIP's Sinkhorn solves, transport plans and their backward (`ot_distance`, its gradient) and OT costs;
- `matching`: caption-pool matching outside OT (global cosine shortlist, pool bookkeeping);
- `selection`: SafeCLIP's per-epoch similarity pass and GMM split; OTCCLIP's outlier gate (a similarity pass over every
  pair and all its captions, at the start of the matching epochs it scores in);
- `rest`: everything else in the epoch (data, forward and backward of the model, contrastive losses, optimiser).

`epoch s` is the wall time of the timed epochs per epoch, the defense's `start_epoch` (SafeCLIP's split) included;
the other columns are per epoch too.

`OT share` = OT / (epoch − OT): what OT adds over the same epoch with OT switched off (same views, same other
losses). `otcclip` uses its default Sinkhorn early stopping (tol 1e-3 on the row marginals, at most 50 iterations);
`otcclip-full` is the same without it (always 50 iterations), as before the early-stopping default.
Run: .venv/bin/python benchmarks/defense_bench.py [--defenses clip,roclip,safeclip,otcclip,otcclip-full,global]
(any name of `otcclip.defenses.DEFENSES` is accepted; `otcclip-full` is this script's variant without early stopping;
`--variant 'label=otcclip:{"align_share": 0.25}'` adds a labelled variant with other knobs, to be named in --defenses)
"""
import argparse, copy, json, os, time
from collections import defaultdict
os.environ.setdefault('OTCCLIP_QUIET', '1')
import torch
from otcclip import defense_otcclip, defense_roclip, defense_safeclip, defenses, matching, ot
from otcclip.splits import ScenesConfig, build_emoji_scenes
from otcclip.models import get_tokenizer
from otcclip.poison import PoisonedPairs, attack_a2b
from otcclip.train import TrainConfig, Trainer
from otcclip.runs import start_model
import sklearn.mixture   # imported before any timing: OTCCLIP's gate and SafeCLIP import it lazily, once a process, not once an epoch

class Clock:
    "Exclusive wall time per category of the wrapped functions (a call inside another counts only for the inner one)"
    def __init__(self): self.total, self.stack = defaultdict(float), []
    def wrap(self, category, fn):
        def timed(*a, **k):
            self.stack.append(0.); t = time.perf_counter()
            try: return fn(*a, **k)
            finally:
                dur = time.perf_counter() - t; inner = self.stack.pop()
                self.total[category] += dur - inner
                if self.stack: self.stack[-1] += dur
        return timed

def instrument(clock:Clock):
    "Wrap the library functions that make up OT, matching and selection time; returns an undo list"
    targets = [(matching, 'ot_distance', 'OT'), (matching, 'cosine_cost', 'OT'), (defense_otcclip, 'ot_distance', 'OT'),
               (defense_otcclip, 'cosine_cost', 'OT'), (ot, '_cost_grad', 'OT'), (defense_otcclip, 'match_pool', 'matching'),
               (defense_roclip, 'match_pool', 'matching'), (defense_safeclip.SafeCLIP, 'start_epoch', 'selection'), (defense_otcclip.OTCCLIP, 'start_epoch', 'selection')]
    undo = [(obj, name, getattr(obj, name)) for obj, name, _ in targets]
    for obj, name, cat in targets: setattr(obj, name, clock.wrap(cat, getattr(obj, name)))
    return undo

KNOBS = {'roclip': lambda a: dict(pool_size=a.pool_size, every=1),          # the quick profile's knobs
         'safeclip': lambda a: dict(inmodal_warmup=0, multimodal_warmup=0, save_splits=False),
         'otcclip': lambda a: dict(pool_size=a.pool_size), 'global': lambda a: dict(pool_size=a.pool_size),
         'otcclip-full': lambda a: dict(pool_size=a.pool_size, tol=None)}        # no Sinkhorn early stopping: always 50 iterations

def make(name:str, a):
    "Defense `name` of the registry (or `otcclip-full`, or a `--variant` label) with the knobs of the quick profile's comparison"
    if name in a.variants:
        base, knobs = a.variants[name]; return defenses.DEFENSES.make(base, **KNOBS.get(base, lambda a: {})(a) | knobs)
    return defenses.DEFENSES.make('otcclip' if name == 'otcclip-full' else name, **KNOBS.get(name, lambda a: {})(a))

def variant(spec:str)->tuple[str, tuple[str, dict]]:
    "'label=defense:{json knobs}' -> (label, (defense, knobs))"
    label, _, rest = spec.partition('='); base, _, knobs = rest.partition(':')
    if not label or not base: raise argparse.ArgumentTypeError(f"--variant wants label=defense:{{json knobs}}, got {spec!r}")
    return label, (base, json.loads(knobs or '{}'))

def main(a):
    torch.set_num_threads(a.threads)
    sets = build_emoji_scenes(ScenesConfig(n_bulk=a.n_bulk, per_class=50, seed=0))
    start, _, setting = start_model(a.base)
    model_name = start.otcclip_name if start is not None else 'cpu-vit'
    data = PoisonedPairs(sets, attack_a2b(sets, 'sheep2aeroplane', rate=a.rate, seed=0)).pair_data(get_tokenizer(model_name))
    cfg = TrainConfig(model=model_name, epochs=a.epochs, batch_size=a.batch_size, lr=5e-4, seed=0)
    print(f'{setting} ({model_name}); {len(data):,} pairs, Attack II at {a.rate:.0%}; batch {a.batch_size}; '
          f'{a.threads} thread(s); timing ' + (f'epoch {a.epochs} of {a.epochs}\n' if a.timed == 'last' else f'all {a.epochs} epochs, per epoch\n'))
    rows = []
    for name in a.defenses.split(','):
        try: defense = make(name, a)
        except ValueError as e: raise SystemExit(str(e))
        clock = Clock(); tr = Trainer(data, cfg, defense=defense, model=None if start is None else copy.deepcopy(start))
        if a.timed == 'last' and a.epochs > 1: tr.fit(until=a.epochs - 1)      # untimed epochs (fill pools, warm up)
        n = 1 if a.timed == 'last' else a.epochs
        undo = instrument(clock)
        t0 = time.perf_counter()
        try: tr.fit(); secs = time.perf_counter() - t0
        finally:
            for obj, attr, fn in undo: setattr(obj, attr, fn)
        parts = {k: clock.total.get(k, 0.)/n for k in ('OT', 'matching', 'selection')}
        rows.append((name, secs/n, parts))
    clip = next((s for n, s, _ in rows if n == 'clip'), None)
    print(f'{"defense":16s} {"epoch s":>8s} {"x CLIP":>7s} {"OT s":>7s} {"matching s":>10s} {"selection s":>11s} {"rest s":>7s} {"OT share":>9s}')
    for name, secs, p in rows:
        rest = secs - sum(p.values())
        print(f'{name:16s} {secs:8.1f} {secs/clip if clip else float("nan"):7.2f} {p["OT"]:7.1f} {p["matching"]:10.1f} '
              f'{p["selection"]:11.1f} {rest:7.1f} {p["OT"]/(secs - p["OT"]):9.1%}')

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--defenses', default='clip,roclip,safeclip,otcclip,otcclip-full,global')
    ap.add_argument('--base', default='', help="'' = the committed base model (data/base), 'scratch', or a checkpoint file")
    ap.add_argument('--n-bulk', type=int, default=2000); ap.add_argument('--rate', type=float, default=0.05)
    ap.add_argument('--batch-size', type=int, default=128); ap.add_argument('--pool-size', type=int, default=1024)
    ap.add_argument('--epochs', type=int, default=3, help="epochs per defense (the quick profile's arena: 3)")
    ap.add_argument('--timed', choices=('all', 'last'), default='all', help='time every epoch (per-epoch mean) or only the last')
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--variant', type=variant, action='append', default=[],
                    help='label=defense:{json knobs}, e.g. \'otc-a25=otcclip:{"align_share": 0.25}\' (name it in --defenses)')
    a = ap.parse_args(); a.variants = dict(a.variant)
    main(a)
