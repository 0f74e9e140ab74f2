"""Throughput on real data: JPEG files in COCO's layout, through `otcclip.sources`, against a bare training step.

Real images are JPEGs of any size. `otcclip.sources` decodes, crops and resizes each one once into uint8 shards; every
epoch then reads memory-mapped arrays. This script measures, in one run on this machine:
  decode   images/s of that one-time preparation (`workers` processes),
  bare     images/s of forward + backward + AdamW on in-memory tensors (nothing else),
  engine   images/s of the trainer's epoch on the prepared sets (reading, normalising, flips, the same step),
  per-step images/s when every step decodes and transforms the JPEGs again with open_clip's transform in DataLoader
           workers (what training straight from the files would cost),
and prints engine/bare, per-step/bare and per-step/engine (goal on a GPU: engine ≥ 0.90 of the bare step; on CPU the
ratios are reported). The bare step feeds 77-token random text while the engine trims captions' padding, so on a CPU,
where the text tower costs a share of the step, engine/bare can exceed 1; per-step/engine is what decoding the files at
every step would cost against the prepared shards, with the same step and captions.
The JPEGs are emoji-scenes upscaled to 500×375 (a Flickr/COCO-sized photo), quality 90.
Run: .venv/bin/python benchmarks/real_data_bench.py [--images 512] [--steps 4] [--threads 2] [--workers 2] [--models cpu-vit,ViT-B-32]
"""
import argparse, os, tempfile, time
os.environ.setdefault('OTCCLIP_QUIET', '1')
from pathlib import Path
import numpy as np, torch
from PIL import Image
from train_bench import bare_step_rate
from otcclip.core import write_json
from otcclip.models import create_model, clip_loss, config_image_size, get_tokenizer, image_transform, encode_image, encode_text
from otcclip.sources import SOURCES, check_source, experiment_data, export_coco
from otcclip.splits import VOC20
from otcclip.train import PairData, TrainConfig, Trainer, param_groups

def photo_sized_coco(root:Path, n:int)->dict:
    "A COCO-format copy of `n` emoji-scenes, each upscaled to 500×375 and saved as a JPEG"
    scenes = experiment_data({}, n_bulk=max(200, n), per_class=4)
    spec = export_coco(scenes.sets['bulk'], root, 'train', VOC20)
    for f in sorted(Path(spec['images']).glob('*.jpg'))[:n]:
        Image.open(f).convert('RGB').resize((500, 375), Image.Resampling.BICUBIC).save(f, quality=90)
    return spec

def per_step_rate(spec:dict, model_name:str, batch:int, steps:int, workers:int)->float:
    "images/s when each step decodes its JPEGs and applies open_clip's transform in DataLoader workers"
    ds = SOURCES['coco'].load(check_source(spec, 'bench'), None); tf = image_transform(model_name, train=True)
    tok = get_tokenizer(model_name)
    class Decoded(torch.utils.data.Dataset):
        def __len__(self): return len(ds)
        def __getitem__(self, i): r = ds[i]; return tf(r.image), tok(r.captions[:1])[0]
    dl = torch.utils.data.DataLoader(Decoded(), batch_size=batch, shuffle=True, num_workers=workers, drop_last=True,
                                     persistent_workers=workers > 0)
    torch.manual_seed(0); m = create_model(model_name); opt = torch.optim.AdamW(param_groups(m, 0.1), lr=1e-4); loss_fn = clip_loss()
    it, done, t0 = iter(dl), 0, None
    for k in range(steps + 1):
        try: x, t = next(it)
        except StopIteration: it = iter(dl); x, t = next(it)
        loss = loss_fn(encode_image(m, x), encode_text(m, t), m.logit_scale.exp()); opt.zero_grad()   # the trainer's path: padding trimmed; loss.backward(); opt.step()
        if k == 0: t0 = time.perf_counter()       # the first step pays for starting the workers
        else: done += len(x)
    return done/(time.perf_counter() - t0)

def main(images, steps, threads, workers, models):
    torch.set_num_threads(threads)
    root = Path(tempfile.mkdtemp()); spec = photo_sized_coco(root, images)
    spec_n = dict(spec)   # the benchmark's images only: a COCO captions file restricted to them
    import json
    cap = json.loads(Path(spec['captions']).read_text()); keep = {im['id'] for im in cap['images'][:images]}
    cap = {'images': [im for im in cap['images'] if im['id'] in keep], 'annotations': [a for a in cap['annotations'] if a['image_id'] in keep]}
    write_json(root/'captions_bench.json', cap, indent=None); spec_n['captions'] = str(root/'captions_bench.json'); spec_n['instances'] = None
    print(f'CPU, {threads} thread(s), {workers} worker(s); {images} JPEGs of 500×375 in COCO layout')
    for name in models.split(','):
        size, batch = config_image_size(name), 128 if name == 'cpu-vit' else 32
        data = {'train': spec_n, 'labelled': spec, 'classes': VOC20}
        t0 = time.perf_counter()
        ed = experiment_data(data, n_bulk=0, per_class=2, size=size, workers=workers, root=root/'prep')
        decode = (len(ed.sets['bulk']) + len(ed.sets['pascal_train']) + len(ed.sets['pascal_test']))/(time.perf_counter() - t0)
        bare = bare_step_rate(name, size, batch, steps, torch.device('cpu'), False)
        pd_ = PairData.from_shards([ed.sets['bulk']], get_tokenizer(name)); n = min(len(pd_), (steps + 1)*batch)
        sub = PairData(pd_.read, pd_.tokens[:n], pd_.n_caps[:n])
        eng = Trainer(sub, TrainConfig(model=name, epochs=2, batch_size=batch)).fit()[-1]['images_per_s']
        per = per_step_rate(spec_n, name, batch, steps, workers)
        print(f'  {name:9s} {size:3d} px, batch {batch:3d}: decode once {decode:6.1f} img/s | bare step {bare:6.1f} img/s | '
              f'engine on prepared shards {eng:6.1f} img/s (/bare {eng/bare:.2f}) | decoding every step {per:6.1f} img/s '
              f'(/bare {per/bare:.2f}, /engine {per/eng:.2f})')

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--images', type=int, default=512); ap.add_argument('--steps', type=int, default=4)
    ap.add_argument('--threads', type=int, default=2); ap.add_argument('--workers', type=int, default=2)
    ap.add_argument('--models', default='cpu-vit,ViT-B-32')
    a = ap.parse_args(); main(a.images, a.steps, a.threads, a.workers, a.models)
