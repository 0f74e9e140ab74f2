"Adversarial inputs to `otcclip.ot`: every bad input must raise an error naming it, or be handled correctly"
import math, warnings, pytest, torch
from otcclip.ot import SinkhornConvergenceWarning, sinkhorn_log, plan, ot_distance, cosine_cost, all_pairs_ot_distance

torch.set_num_threads(1)
def rand(*shape, seed=0): return torch.rand(*shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
C = rand(2, 4, 5)
MB = torch.tensor([[True, True, True, False, False], [True] * 5])
MA = torch.tensor([[True, True, False, True], [True] * 4])

def poisoned(val, rows=False):
    "`C` with `val` in the masked entries (padded columns of problem 0, and its padded row when `rows`)"
    X = C.clone(); X[0, :, 3:] = val
    if rows: X[0, 2, :] = val
    return X

# Masked (padding) entries must not matter, whatever they hold
@pytest.mark.parametrize('val', [math.nan, math.inf, -math.inf, 1e300])
def test_masked_columns_ignored(val):
    ref = ot_distance(C, mask_b=MB, iters=200)
    torch.testing.assert_close(ot_distance(poisoned(val), mask_b=MB, iters=200), ref)

@pytest.mark.parametrize('val', [math.nan, math.inf])
def test_masked_rows_and_columns_ignored(val):
    ref = ot_distance(C, mask_a=MA, mask_b=MB, iters=200)
    torch.testing.assert_close(ot_distance(poisoned(val, rows=True), mask_a=MA, mask_b=MB, iters=200), ref)

def test_zero_weight_columns_ignored():
    b = MB.double()                                                             # padding given as zero weights
    torch.testing.assert_close(ot_distance(poisoned(math.nan), b=b, iters=200), ot_distance(C, mask_b=MB, iters=200))

def test_masked_nan_gives_finite_gradient():
    X = poisoned(math.nan).requires_grad_()
    ot_distance(X, mask_b=MB, iters=200).sum().backward()
    assert X.grad.isfinite().all() and (X.grad[0, :, 3:] == 0).all()

def test_plan_ignores_masked_nan():
    f, g, _ = sinkhorn_log(poisoned(math.nan), mask_b=MB, iters=200)
    P = plan(poisoned(math.nan), f, g, 0.05)
    assert P.isfinite().all() and (P[0, :, 3:] == 0).all()

# Non-finite real costs, bad parameters, bad shapes
@pytest.mark.parametrize('val', [math.nan, math.inf])
def test_nonfinite_real_cost(val):
    X = C.clone(); X[1, 2, 0] = val
    with pytest.raises(ValueError, match=r'C has 1 non-finite real entr.*problems \[1\]'): ot_distance(X)

@pytest.mark.parametrize('eps', [0., -0.1, math.nan, math.inf])
def test_bad_eps(eps):
    with pytest.raises(ValueError, match='eps'): ot_distance(C, eps=eps)

@pytest.mark.parametrize('iters', [0, -3, 2.5])
def test_bad_iters(iters):
    with pytest.raises(ValueError, match='iters'): ot_distance(C, iters=iters)

@pytest.mark.parametrize('tol', [-1e-3, 0., math.nan])
def test_bad_tol(tol):
    with pytest.raises(ValueError, match='tol'): ot_distance(C, tol=tol)

def test_bad_check_every():
    with pytest.raises(ValueError, match='check_every'): sinkhorn_log(C, tol=1e-6, check_every=0)

def test_mask_wrong_shape():
    with pytest.raises(ValueError, match='mask_b'): ot_distance(C, mask_b=torch.ones(2, 4, dtype=torch.bool))

def test_mask_not_bool():
    with pytest.raises(ValueError, match='mask_b.*bool'): ot_distance(C, mask_b=MB.long())

def test_weights_wrong_shape():
    with pytest.raises(ValueError, match=r'\ba\b'): ot_distance(C, a=torch.ones(2, 3, dtype=torch.float64))

def test_nan_weights():
    a = torch.ones(2, 4, dtype=torch.float64); a[1, 0] = math.nan
    with pytest.raises(ValueError, match=r'problems \[1\].*rows \(a, mask_a\)'): ot_distance(C, a=a)

def test_negative_weights():
    with pytest.raises(ValueError, match='no mass on their rows'): ot_distance(C[:1], a=torch.tensor([[0.5, 0.7, -0.2, 0.]]))

def test_all_masked_problem():
    with pytest.raises(ValueError, match=r'problems \[0\] have no mass on their columns'):
        ot_distance(C, mask_b=torch.tensor([[False] * 5, [True] * 5]))

@pytest.mark.parametrize('shape', [(5,), (0, 5), (2, 0, 5)])
def test_degenerate_cost_shapes(shape):
    with pytest.raises(ValueError, match='C'): ot_distance(torch.zeros(shape))

def test_empty_batch():
    assert ot_distance(torch.zeros(0, 3, 4)).shape == (0,)

def test_all_pairs_bad_chunk():
    with pytest.raises(ValueError, match='chunk'): all_pairs_ot_distance(torch.randn(2, 3, 4), None, torch.randn(3, 2, 4), None, chunk=0)

def test_all_pairs_dim_mismatch():
    with pytest.raises(ValueError, match='txt_tokens'): all_pairs_ot_distance(torch.randn(2, 3, 4), None, torch.randn(3, 2, 5), None)

def test_all_pairs_mask_shape():
    with pytest.raises(ValueError, match='txt_mask'):
        all_pairs_ot_distance(torch.randn(2, 3, 4), None, torch.randn(3, 2, 4), torch.ones(3, 5, dtype=torch.bool))

def test_zero_token_is_finite():
    x = torch.randn(1, 3, 8); x[0, 1] = 0                                       # a zero vector: cost 1 to everything
    assert ot_distance(cosine_cost(x, torch.randn(1, 4, 8))).isfinite().all()

# Convergence is reported, never silently wrong
def test_unconverged_warns():
    X = cosine_cost(torch.randn(8, 12, 4, generator=torch.Generator().manual_seed(1)),
                    torch.randn(8, 9, 4, generator=torch.Generator().manual_seed(2)))
    with pytest.warns(SinkhornConvergenceWarning, match=r'error .* after 50 iterations at eps=0.01'): ot_distance(X, eps=0.01)

def test_unconverged_strict_raises():
    X = cosine_cost(torch.randn(8, 12, 4, generator=torch.Generator().manual_seed(1)), torch.randn(8, 9, 4))
    with pytest.raises(RuntimeError, match='tol'): sinkhorn_log(X, eps=0.01, iters=20, tol=1e-6, strict=True)

def test_converged_is_silent_and_reports_error():
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        f, g, k, err = sinkhorn_log(C, eps=0.1, iters=500, tol=1e-10, return_err=True)
    assert err.shape == (2,) and err.max() < 1e-10

# The gradient is the gradient of the returned value
def test_gradient_matches_finite_differences():
    X = rand(2, 4, 5, seed=3).requires_grad_()
    assert torch.autograd.gradcheck(lambda c: ot_distance(c, eps=0.1, iters=5000, tol=1e-13), (X,), atol=1e-6)

def test_gradient_with_masks_matches_finite_differences():
    X = rand(2, 4, 5, seed=4).requires_grad_()
    assert torch.autograd.gradcheck(lambda c: ot_distance(c, eps=0.2, iters=5000, tol=1e-13, mask_a=MA, mask_b=MB), (X,), atol=1e-6)
