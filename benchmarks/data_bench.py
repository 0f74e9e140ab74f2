"""emoji-scenes data speed: the scene sampler on one core, and batches from materialised shards.

Prints scenes/s and images/s with ratios against references measured in the same run:
- sampler: the bulk (Flickr-like) and single-object (PASCAL-like) samplers at 64 px, from a cold sprite cache and
  after warm-up, against the goal of 2,500 scenes/s (a prototype made ~1,700/s);
- loader: shuffled uint8 batches from the shards against a plain copy of the same bytes already in memory (the
  ceiling) and against generating the scenes on the fly.
Run: .venv/bin/python benchmarks/data_bench.py [--n 10000] [--size 64]
"""
import argparse, os, time
os.environ.setdefault('OTCCLIP_QUIET', '1')
import numpy as np, torch
from otcclip.assets import build_atlas, load_classmap
from otcclip.splits import ScenesConfig, ShardDataset, make_sampler, write_set

def rate(n, fn):
    t = time.perf_counter(); fn(); return n/(time.perf_counter() - t)

def main(n:int, size:int, batch:int):
    torch.set_num_threads(1)
    if hasattr(os, 'sched_setaffinity'): os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    atlas, classmap = build_atlas(), load_classmap()
    cfg = ScenesConfig(size=size, n_bulk=n)
    print(f'sampler, one core, {size} px (goal 2,500 scenes/s; prototype ~1,700/s)')
    for name in ('bulk', 'pascal_train'):
        s, _ = make_sampler(atlas, classmap, cfg, name)
        cold = rate(n, lambda: [s(i) for i in range(n)])
        warm = rate(n, lambda: [s(i) for i in range(n, 2*n)])
        print(f'  {name:13s} first {n:,}: {cold:7,.0f} scenes/s ({cold/2500:.2f}× goal)   next {n:,}: {warm:7,.0f} scenes/s ({warm/2500:.2f}× goal)')
    folder = write_set(atlas, classmap, cfg, 'bulk', workers=2)
    ds = ShardDataset(folder)
    everything = np.concatenate([np.asarray(a) for a in ds.images])          # the same bytes, already in memory
    ref = rate(len(ds), lambda: [torch.from_numpy(everything[np.sort(i)]).permute(0, 3, 1, 2)
                                  for i in np.array_split(np.random.default_rng(0).permutation(len(ds)), len(ds)//batch)])
    shards = rate(len(ds), lambda: [x for x, _ in ds.batches(batch, shuffle=True)])
    s, _ = make_sampler(atlas, classmap, cfg, 'bulk')
    fly = rate(2000, lambda: [s(i) for i in range(2000)])
    print(f'loader, one core, shuffled batches of {batch} from {ds.manifest["shards"]} shard(s) of {len(ds):,} images')
    print(f'  shards   {shards:10,.0f} images/s   ({shards/ref:.2f}× an in-memory copy of the same bytes, {shards/fly:.0f}× generating on the fly)')
    print(f'  in-memory copy {ref:10,.0f} images/s; on the fly {fly:,.0f} images/s')

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--n', type=int, default=10_000); ap.add_argument('--size', type=int, default=64); ap.add_argument('--batch', type=int, default=256)
    a = ap.parse_args(); main(a.n, a.size, a.batch)
