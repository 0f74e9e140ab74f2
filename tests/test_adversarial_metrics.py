"Adversarial inputs to `otcclip.eval`: every bad input must raise an error naming it, or be handled correctly"
import math, pytest, torch
import torch.nn.functional as F
from otcclip.eval import (zero_shot_logits, topk_accuracy, per_class_accuracy, linear_probe, query_ranks,
                          retrieval_recall, class_recall, hit_at_k, min_rank, targeted_asr, backdoor_asr)

def unit(*shape, seed=0): return F.normalize(torch.randn(*shape, generator=torch.Generator().manual_seed(seed)), dim=-1)
def with_bad(x, rows, val=math.nan):
    "`x` with `val` in the first column of `rows`"
    x = x.clone(); x[rows, 0] = val; return x

Q, G, T = unit(3, 8), unit(5, 8, seed=1), torch.tensor([False, True, False, True, False])
LOGITS, LABELS = unit(4, 3, seed=2), torch.tensor([0, 1, 2, 0])

# Non-finite embeddings: a diverged model must not score as a perfect attack
@pytest.mark.parametrize('fn', [lambda q, g: hit_at_k(q, g, T), lambda q, g: min_rank(q, g, T), lambda q, g: query_ranks(q, g, T)])
def test_nan_query_rows(fn):
    with pytest.raises(ValueError, match=r'queries.*non-finite.*2 of 3 rows'): fn(with_bad(Q, [0, 2]), G)

@pytest.mark.parametrize('val', [math.nan, math.inf, -math.inf])
def test_nonfinite_gallery(val):
    with pytest.raises(ValueError, match=r'images.*non-finite.*1 of 5 rows'): hit_at_k(Q, with_bad(G, [3], val), T)

def test_all_nan_model_is_not_a_perfect_attack():
    with pytest.raises(ValueError, match='non-finite'): hit_at_k(torch.full((3, 8), math.nan), torch.full((5, 8), math.nan), T)

def test_zero_shot_nan_images():
    with pytest.raises(ValueError, match=r'images.*non-finite.*1 of 4 rows'): zero_shot_logits(with_bad(unit(4, 8), [1]), unit(8, 3))

def test_zero_shot_nan_class_weights():
    W = unit(8, 3).clone(); W[2, 1] = math.nan                                  # (D, C): class 1 is broken
    with pytest.raises(ValueError, match=r'class weights.*non-finite.*1 of 3 classes'): zero_shot_logits(unit(4, 8), W)

def test_zero_shot_dim_mismatch():
    with pytest.raises(ValueError, match='class_weights'): zero_shot_logits(unit(4, 8), unit(3, 8))

@pytest.mark.parametrize('scale', [math.nan, -1., 0.])
def test_zero_shot_bad_scale(scale):
    with pytest.raises(ValueError, match='scale'): zero_shot_logits(unit(4, 8), unit(8, 3), scale)

def test_topk_nan_logits():
    with pytest.raises(ValueError, match=r'logits.*non-finite.*1 of 4 rows'): topk_accuracy(with_bad(LOGITS, [2]), LABELS)

@pytest.mark.parametrize('labels', [torch.tensor([0, 1, 3, 0]), torch.tensor([0, -1, 2, 0])])
def test_topk_labels_out_of_range(labels):
    with pytest.raises(ValueError, match=r'labels.*\[0, 3\)'): topk_accuracy(LOGITS, labels)

def test_topk_labels_length():
    with pytest.raises(ValueError, match='labels'): topk_accuracy(LOGITS, torch.tensor([0]))   # would broadcast

def test_topk_float_labels():
    with pytest.raises(ValueError, match='labels'): topk_accuracy(LOGITS, torch.tensor([0., 1.5, 2., 0.]))

@pytest.mark.parametrize('ks', [(), (0,), (1, -5), (1.5,), (True,)])
def test_topk_bad_ks(ks):
    with pytest.raises(ValueError, match='ks'): topk_accuracy(LOGITS, LABELS, ks)

def test_topk_empty():
    with pytest.raises(ValueError, match='logits.*empty'): topk_accuracy(torch.zeros(0, 3), torch.zeros(0, dtype=torch.long))

def test_topk_ties_count_against_the_label():
    "A collapsed model (all logits equal) is never right by luck of the sort"
    acc = topk_accuracy(torch.ones(2, 3), torch.tensor([0, 2]), ks=(1, 2, 3))
    assert acc == {'top1': 0., 'top2': 0., 'top3': 1.}
    assert topk_accuracy(torch.tensor([[1., 1., 0.]]), torch.tensor([1]), ks=(1, 2)) == {'top1': 0., 'top2': 1.}

def test_query_ranks_ties_count_against_the_target():
    r = query_ranks(torch.ones(1, 2), torch.ones(4, 2), torch.tensor([True, False, False, True]))
    assert r.tolist() == [2]   # two non-targets tie with the best target: both rank ahead of it

def test_per_class_and_asr_use_the_same_tie_rule():
    tied = torch.ones(2, 3)
    assert per_class_accuracy(tied, torch.tensor([0, 1]), ['a', 'b', 'c'])['a'] == 0.
    assert targeted_asr(tied, 0) == 0.
    assert backdoor_asr(tied, torch.tensor([1, 2]), 0) == 0.

def test_query_ranks_index_targets():
    with pytest.raises(ValueError, match='is_target.*bool'): query_ranks(Q, G, torch.tensor([1, 3]))

def test_query_ranks_target_length():
    with pytest.raises(ValueError, match='is_target'): query_ranks(Q, G, torch.ones(4, dtype=torch.bool))

def test_query_ranks_dim_mismatch():
    with pytest.raises(ValueError, match='dimension'): query_ranks(unit(3, 7), G, T)

def test_query_ranks_bad_chunk():
    with pytest.raises(ValueError, match='chunk'): query_ranks(Q, G, T, chunk=0)

def test_query_ranks_no_target():
    with pytest.raises(ValueError, match='no target'): query_ranks(Q, G, torch.zeros(5, dtype=torch.bool))

def test_hit_at_k_empty_queries():
    with pytest.raises(ValueError, match='queries.*empty'): hit_at_k(Q[:0], G, T)

def test_min_rank_bad_base():
    with pytest.raises(ValueError, match='rank_base'): min_rank(Q, G, T, rank_base=2)

@pytest.mark.parametrize('ks', [(0, 5), (-1,)])
def test_hit_at_k_bad_ks(ks):
    with pytest.raises(ValueError, match='ks'): hit_at_k(Q, G, T, ks)

def test_retrieval_caption_of_no_image():
    with pytest.raises(ValueError, match='text_to_image'): retrieval_recall(unit(3, 8), unit(4, 8), torch.tensor([0, 1, 2, 7]))

def test_retrieval_image_without_caption():
    with pytest.raises(ValueError, match=r'text_to_image.*\[2\]'): retrieval_recall(unit(3, 8), unit(4, 8), torch.tensor([0, 1, 1, 0]))

def test_retrieval_nan_captions():
    with pytest.raises(ValueError, match=r'captions.*non-finite.*1 of 4 rows'):
        retrieval_recall(unit(3, 8), with_bad(unit(4, 8), [1]), torch.tensor([0, 1, 2, 0]))

def test_class_recall_label_lengths():
    with pytest.raises(ValueError, match='text_labels'): class_recall(unit(3, 8), unit(4, 8), torch.tensor([0, 1, 1]), torch.tensor([0, 1]))

def test_class_recall_class_without_caption():
    with pytest.raises(ValueError, match='text_labels'): class_recall(unit(3, 8), unit(4, 8), torch.tensor([0, 1, 2]), torch.tensor([0, 1, 1, 0]))

@pytest.mark.parametrize('c', [3, -1, 1.0])
def test_targeted_asr_bad_class(c):
    with pytest.raises(ValueError, match='adversarial_class'): targeted_asr(LOGITS, c)

def test_backdoor_asr_label_length():
    with pytest.raises(ValueError, match='true_labels'): backdoor_asr(LOGITS, torch.tensor([0, 1]), 2)

def test_backdoor_asr_nan_logits():
    with pytest.raises(ValueError, match='logits.*non-finite'): backdoor_asr(with_bad(LOGITS, [0]), LABELS, 2)

def test_backdoor_asr_all_target():
    with pytest.raises(ValueError, match='undefined'): backdoor_asr(LOGITS, torch.full((4,), 2), 2)

def test_per_class_wrong_number_of_names():
    with pytest.raises(ValueError, match='classnames'): per_class_accuracy(LOGITS, LABELS, ['a', 'b'])

def test_per_class_duplicate_names():
    with pytest.raises(ValueError, match='classnames.*duplicate'): per_class_accuracy(LOGITS, LABELS, ['a', 'b', 'a'])

def test_linear_probe_nan_features():
    x = torch.randn(20, 4); x[3, 1] = math.nan
    with pytest.raises(ValueError, match='train_x.*non-finite.*1 of 20 rows'):
        linear_probe(x, torch.arange(20) % 2, torch.randn(6, 4), torch.arange(6) % 2, Cs=(1.,), max_iter=5)

def test_linear_probe_label_length():
    with pytest.raises(ValueError, match='test_y'):
        linear_probe(torch.randn(20, 4), torch.arange(20) % 2, torch.randn(6, 4), torch.arange(5) % 2, Cs=(1.,), max_iter=5)

def test_good_inputs_still_work():
    "Sanity: the checks do not reject ordinary inputs (float64, per-query targets, ks beyond the gallery)"
    q, g = unit(3, 8).double(), unit(5, 8, seed=1).double()
    assert set(hit_at_k(q, g, T.expand(3, 5))) == {1, 5, 10, 20, 30, 50}
    assert topk_accuracy(LOGITS, LABELS, ks=(1, 10))['top10'] == 1.
