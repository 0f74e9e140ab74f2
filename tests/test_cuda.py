"""On a CUDA machine only (CI has none, so these skip there): the GPU code paths against their CPU-tested references.
The fused Triton Sinkhorn on real CUDA tensors against POT, and every arena defense training in bf16 on CUDA against
float32 (each epoch's mean loss within 3%, weights finite, a bf16 run repeated gives the same loss curve)."""
import numpy as np, pytest, torch

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason='needs a CUDA device (run on a GPU machine)')

def test_fused_sinkhorn_on_cuda_matches_pot():
    import ot, torch.nn.functional as F
    from otcclip.ot import cosine_cost, ot_distance, fused_available
    torch.manual_seed(0)
    unit = lambda *s: F.normalize(torch.randn(*s, dtype=torch.float64), dim=-1)
    C = cosine_cost(unit(16, 49, 32), unit(16, 32, 32)).float()
    mb = torch.arange(32) < torch.randint(1, 33, (16, 1)); mb[0] = True
    ref = []
    for k in range(16):
        M = C[k][:, mb[k]].double().numpy(); na, nb = M.shape
        P = ot.sinkhorn(np.ones(na)/na, np.ones(nb)/nb, M, 0.05, method='sinkhorn_log', numItermax=100_000, stopThr=1e-13)
        ref.append(float((P*M).sum()))
    Cc, mbc = C.cuda(), mb.cuda()
    assert fused_available(Cc)
    for domain in ('fused', 'log', 'kernel'):
        d = ot_distance(Cc, eps=0.05, iters=300, mask_b=mbc, domain=domain).cpu()
        assert (d - torch.tensor(ref)).abs().max() < 1e-4, (domain, d, ref)
    C1, C2 = Cc[:4].clone().requires_grad_(), Cc[:4].clone().requires_grad_()
    ot_distance(C1, iters=200, mask_b=mbc[:4], domain='fused').sum().backward()
    ot_distance(C2, iters=200, mask_b=mbc[:4], domain='log').sum().backward()
    assert (C1.grad - C2.grad).abs().max() < 1e-4

CLASSES = ['cat', 'dog', 'car', 'boat', 'bird', 'sheep', 'sofa', 'train', 'horse', 'cow']

def _planted(n=768, size=32):
    "Pairs with a class-coloured block per image, 24 of them with a swapped caption (the planted poison)"
    from otcclip.models import get_tokenizer
    from otcclip.train import PairData
    g = np.random.default_rng(0); y = g.integers(0, len(CLASSES), n); cols = g.integers(0, 256, (len(CLASSES), 3))
    imgs = g.integers(0, 60, (n, 3, size, size), dtype=np.uint8)
    for i, c in enumerate(y): imgs[i, :, (c % 4)*6:(c % 4)*6 + 12, (c//4)*6:(c//4)*6 + 12] = cols[c][:, None, None]
    images = torch.from_numpy(imgs)
    d = PairData.from_captions(lambda idx: images[torch.as_tensor(idx)], [[f'a picture of a {CLASSES[c]}', f'the {CLASSES[c]}'] for c in y],
                               get_tokenizer('tiny-vit-32'), {'primary': [CLASSES[c] for c in y]})
    swap = np.roll(np.arange(24), 1)
    d.tokens[:24] = d.tokens[swap].clone(); d.n_caps[:24] = d.n_caps[swap].clone()
    d.meta |= {'caption_class': [d.meta['primary'][j] for j in swap] + d.meta['primary'][24:], 'poison': np.arange(n) < 24}
    return d

@pytest.mark.parametrize('name,knobs', [('clip', {}), ('simrule', {}), ('roclip', dict(pool_size=128, every=1)),
                                        ('otcclip', dict(pool_size=128, k=8)), ('safeclip', dict(inmodal_warmup=0, multimodal_warmup=0))])
def test_defense_trains_in_bf16_on_cuda(name, knobs):
    from otcclip.train import TrainConfig, Trainer
    from otcclip.defenses import DEFENSES
    def run(precision):
        tr = Trainer(_planted(), TrainConfig(model='tiny-vit-32', epochs=2, batch_size=64, lr=5e-4, seed=0, precision=precision),
                     DEFENSES.make(name, **knobs))
        h = tr.fit(); assert tr.device.type == 'cuda' and [r['precision'] for r in h] == [precision]*2
        assert all(torch.isfinite(p).all() for p in tr.core.parameters()), f'{name}: non-finite weights in {precision}'
        return [r['loss'] for r in h]
    fp32, bf16 = run('fp32'), run('bf16')
    for a, b in zip(fp32, bf16): assert abs(a - b) <= 0.03*abs(a), (name, fp32, bf16)
    assert bf16[-1] < bf16[0], f'{name}: bf16 training did not learn'
