"bf16 forward passes against float32: a short training run's loss curve, and what the run records"
import json, subprocess, sys
from pathlib import Path
import numpy as np, pytest
from otcclip.models import get_tokenizer
from otcclip.splits import ScenesConfig, build_emoji_scenes
from otcclip.train import PairData, TrainConfig, Trainer

BIN = Path(sys.executable).parent
ARGS = ['train', '--profile', 'smoke', '--model', 'micro-vit', '--batch-size', '40', '--lr', '5e-4', '--epochs', '2']

def train(out:Path, precision:str)->list[dict]:
    "Two epochs of micro-vit (the tests' model: bf16 without hardware support, on AVX2, costs several times float32) on 128 smoke pairs; its records"
    sets = build_emoji_scenes(ScenesConfig(n_bulk=200, per_class=4))
    data = PairData.from_shards([sets['bulk'], sets['pascal_train']], get_tokenizer('micro-vit')).take(np.r_[0:88, 200:240])
    Trainer(data, TrainConfig(model='micro-vit', epochs=2, batch_size=32, lr=5e-4, seed=0, precision=precision), out_dir=out).fit()
    return [json.loads(l) for l in (out/'metrics.jsonl').read_text().splitlines()]

def test_bf16_training_follows_float32(tmp_path):
    fp32, bf16 = train(tmp_path/'fp32', 'fp32'), train(tmp_path/'bf16', 'bf16')
    assert [r['precision'] for r in fp32] == ['fp32']*2 and [r['precision'] for r in bf16] == ['bf16']*2
    for a, b in zip(fp32, bf16):   # stated tolerance: each epoch's mean loss within 2% of float32's
        assert abs(a['loss'] - b['loss']) <= 0.02*abs(a['loss']), (a['epoch'], a['loss'], b['loss'])
    assert bf16[-1]['loss'] < bf16[0]['loss'], 'bf16 training did not learn'

def test_precision_is_checked(tmp_path):
    out = tmp_path/'never-written'
    res = subprocess.run([str(BIN/'otcclip'), *ARGS, '--precision', 'fp16', '--out', str(out)], capture_output=True, text=True, timeout=300)
    assert res.returncode != 0 and 'precision' in res.stderr and 'choose from' in res.stderr, res.stderr[-2000:]
    assert not out.exists()
