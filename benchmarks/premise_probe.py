"""OTCCLIP's premise on one model: does a token-level score tell an image's own caption from another class's as well as
the global cosine?

For every held-out gallery image of emoji-scenes (06_ot_explainer's quick data: 10,000 bulk scenes, 50 labelled images
a class), its first caption is scored against the first caption of a random image of another class (the same draw as
04_defenses and 06_ot_explainer), and each score's AUC is printed (0.5: no information):

- `global cosine`: the pooled embeddings, what CLIP trains;
- `OT distance` / `OT distance (salience)`: the entropic OT distance between patch and word tokens (`otcclip.ot.ot_distance`) with
  uniform token marginals, or with each token's mass by its cosine to its own set's global embedding
  (`otcclip.matching.token_weights`, `--tau`);
- `OT, cross-weighted`: each token's mass by its cosine to the *other* set's global embedding;
- `FILIP max-sim`: no transport; each word's best patch and each patch's best word, averaged.

Run: .venv/bin/python benchmarks/premise_probe.py [--base ''] [--weights runs/.../checkpoints/def-…/last.pt]
(`--base` as the experiments' parameter: '' the committed base, or an otcclip checkpoint file; `--weights` loads a
training run's checkpoint, the trainer's `last.pt`, into that model first.)
"""
import argparse, os
os.environ.setdefault('OTCCLIP_QUIET', '1')
import numpy as np, torch
from otcclip.sources import experiment_data
from otcclip.models import TokenCLIP, get_tokenizer, model_image_size, normalize_uint8
from otcclip.runs import start_model
from otcclip.ot import cosine_cost, ot_distance
from otcclip.matching import other_class_items, own_caption_auc, own_caption_scores, separation_auc, token_weights


def extra_scores(o:dict, j:np.ndarray, tau:float)->dict:
    "This probe's two scores beyond 04's (higher: closer) of every gallery image against caption j[i]"
    it, ig = o['image_tokens'], o['image_features']
    tt, tg, tm = o['text_tokens'][j], o['text_features'][j], o['text_mask'][j]
    C = cosine_cost(it, tt)
    sim = (1 - C).masked_fill(~tm[:, None], -2)                                     # (N, patches, words)
    words = (sim.max(1).values*tm).sum(-1)/tm.sum(-1)
    return {'OT, cross-weighted': -ot_distance(C, token_weights(it, tg, None, 'salience', tau), token_weights(tt, ig, tm, 'salience', tau),
                                               eps=0.05, iters=50, mask_b=tm).numpy(),
            'FILIP max-sim': (0.5*(words + sim.max(2).values.mean(-1))).numpy()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--base', default='', help="start model, as the experiments' `base` ('' = data/base)")
    ap.add_argument('--weights', default='', help="a training run's checkpoint (last.pt) to load into that model")
    ap.add_argument('--tau', type=float, default=0.03, help='salience temperature')
    ap.add_argument('--n-bulk', type=int, default=10000); ap.add_argument('--per-class', type=int, default=50)
    a = ap.parse_args()
    torch.manual_seed(0)
    net, _, what = start_model(a.base)
    if net is None: raise SystemExit('--base scratch has no trained tokens to probe')
    if a.weights:
        state = torch.load(a.weights, map_location='cpu', weights_only=True)
        if 'model' not in state: raise SystemExit(f'{a.weights}: not a training run checkpoint (no model weights)')
        net.load_state_dict({k.removeprefix('module.'): v for k, v in state['model'].items()}); what = f'{a.weights} (on {what})'
    ed = experiment_data({}, a.n_bulk, a.per_class, size=model_image_size(net)[0])
    gal, classes = ed.sets['pascal_test'], ed.classes
    other = other_class_items([classes.index(m['labels']['primary']) for m in gal.meta])
    net.eval()
    with torch.no_grad():
        o = TokenCLIP(net)(normalize_uint8(gal.read(np.arange(len(gal))), net), get_tokenizer(net.otcclip_name)([m['captions'][0] for m in gal.meta]))
        own, oth = extra_scores(o, np.arange(len(gal)), a.tau), extra_scores(o, other, a.tau)
        aucs = own_caption_auc(own_caption_scores(o, other, tau=a.tau))
    print(f'{what}: {len(gal)} gallery images, own caption against another class\'s; salience tau {a.tau}')
    for k, v in (aucs | {k: separation_auc(own[k], oth[k]) for k in own}).items(): print(f'  {k:24s} AUC {v:.3f}')


if __name__ == '__main__':
    main()
