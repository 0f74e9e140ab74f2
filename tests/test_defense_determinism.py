"Two runs of the same defended training, each in a fresh process, end with the same weights and the same log"
import json, os, subprocess, sys
from pathlib import Path
import pytest, torch

SCRIPT = '''
import sys, numpy as np, torch, warnings
from otcclip.splits import ScenesConfig, build_emoji_scenes
from otcclip.models import get_tokenizer
from otcclip.train import PairData, TrainConfig, Trainer
from otcclip.defenses import DEFENSES
warnings.simplefilter('ignore')
sets = build_emoji_scenes(ScenesConfig(n_bulk=200, per_class=4))
data = PairData.from_shards([sets['bulk'], sets['pascal_train']], get_tokenizer('micro-vit')).take(np.r_[0:88, 200:240])   # 128 pairs: 4 batches of 32
swap = np.roll(np.arange(12), 1)                              # 12 planted mismatched pairs
data.tokens[:12] = data.tokens[swap].clone(); data.n_caps[:12] = data.n_caps[swap].clone()
data.meta = {**data.meta, 'caption_class': [data.meta['primary'][j] for j in swap] + data.meta['primary'][12:],
             'poison': np.arange(len(data)) < 12}
name, out = sys.argv[1], sys.argv[2]
knobs = {'roclip': dict(pool_size=64, every=1), 'otcclip': dict(pool_size=64, k=4), 'simrule': {}}[name]
tr = Trainer(data, TrainConfig(model='micro-vit', epochs=2, batch_size=32, lr=5e-4, seed=0), DEFENSES.make(name, **knobs), out_dir=out)
tr.fit()
'''

def _train(tmp_path, name:str, run:str, threads:int|None=None)->dict:
    "Train `name` on the planted data in a fresh process (`threads`, else as the suite runs); its last checkpoint"
    env = {**os.environ, 'OTCCLIP_QUIET': '1'} | ({'OMP_NUM_THREADS': str(threads)} if threads else {})
    res = subprocess.run([sys.executable, '-c', SCRIPT, name, str(tmp_path/run)], env=env, capture_output=True, text=True, timeout=900)
    assert res.returncode == 0, res.stderr[-3000:]
    return torch.load(tmp_path/run/'last.pt', weights_only=True)

def _history(ck:dict)->list[dict]:
    "The run's per-epoch log without its timings"
    return [{k: v for k, v in r.items() if k not in ('seconds', 'start_seconds', 'images_per_s')} for r in json.loads(ck['history'])]

def _assert_identical(name, a, b):
    diff = [k for k in a['model'] if not torch.equal(a['model'][k], b['model'][k])]
    assert not diff, f'{name}: {len(diff)} tensors differ between two runs, e.g. {diff[:3]}'
    assert _history(a) == _history(b)

@pytest.mark.parametrize('name', ['roclip', 'simrule'])
def test_defended_run_is_reproducible_across_processes(tmp_path, name):
    _assert_identical(name, _train(tmp_path, name, 'a'), _train(tmp_path, name, 'b'))

# OTCCLIP's runs on 2 threads differ between two fresh processes in the last bits (measured 2026-12-04: the first
# epoch's loss agrees to 1e-8 relative), while on 1 thread they are bit-identical: a multi-threaded floating-point
# reduction on its OT path is summed in an order that varies between processes (RoCLIP and the rule, without it, agree
# bit for bit). So OTCCLIP is held to bit-identity on 1 thread, and a 2-thread run to a stated tolerance against it:
# every logged number within 1e-5 relative and every weight within 1e-4 (measured on tiny-vit at 64 px: 2.6e-5 after 2 epochs; the test now trains micro-vit, a fraction of the time).
OTC_RTOL, OTC_WEIGHT_ATOL = 1e-5, 1e-4

def test_otcclip_is_bit_identical_on_one_thread_and_close_on_two(tmp_path):
    a = _train(tmp_path, 'otcclip', 'a', threads=1)
    _assert_identical('otcclip', a, _train(tmp_path, 'otcclip', 'b', threads=1))
    b = _train(tmp_path, 'otcclip', 'c', threads=2)
    worst = max((a['model'][k].float() - b['model'][k].float()).abs().max().item() for k in a['model'])
    assert worst <= OTC_WEIGHT_ATOL, f'otcclip: weights differ by up to {worst:.2e} between two processes (tolerance {OTC_WEIGHT_ATOL})'
    for ra, rb in zip(_history(a), _history(b), strict=True):
        assert ra.keys() == rb.keys()
        for k in ra:
            if isinstance(ra[k], float): assert ra[k] == pytest.approx(rb[k], rel=OTC_RTOL, abs=1e-9), f'epoch {ra.get("epoch")}: {k}'
            else: assert ra[k] == rb[k], f'epoch {ra.get("epoch")}: {k}'
