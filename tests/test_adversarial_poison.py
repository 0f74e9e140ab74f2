"Adversarial inputs to `otcclip.poison`: every bad input must raise an error naming it, or be handled correctly"
import math, pytest, numpy as np
from otcclip.splits import ScenesConfig, build_emoji_scenes
from otcclip.poison import (CLEAN, GALLERY, Patch, Blend, SIG, WaNet, make_trigger, parse_goal, n_for_rate, PoisonedPairs,
                            attack_single_image, attack_a2b, attack_multi, targeted_poison, backdoor, label_consistent,
                            adaptive_a2b)

@pytest.fixture(scope='module')
def sets(): return build_emoji_scenes(ScenesConfig(n_bulk=200, per_class=4))

def n_clean(sets): return sum(len(sets[s]) for s in CLEAN)
def gallery_of(sets, cls, other=False):
    "Index of the first gallery image of class `cls` (or of another class)"
    return next(i for i, m in enumerate(sets[GALLERY].meta) if (m['labels'].get('primary') == cls) != other)

# Typos in user-facing names
@pytest.mark.parametrize('goal, msg', [('sheep2aeroplan', "unknown class 'aeroplan'"), ('sheep-aeroplane', 'not of the form A2B'),
                                       ('sheep2sheep', 'the same'), ('Sheep2aeroplane', "unknown class 'Sheep'"),
                                       (' sheep2aeroplane', "unknown class ' sheep'"), ('sheep2aero2plane', 'not of the form A2B'),
                                       (None, 'goal'), (42, 'goal')])
def test_bad_goal(sets, goal, msg):
    with pytest.raises(ValueError, match=msg): attack_a2b(sets, goal, n=2)

def test_bad_backdoor_target(sets):
    with pytest.raises(ValueError, match="unknown class 'shep'"): backdoor(sets, 'shep', n=2)

def test_trigger_given_as_a_string(sets):
    with pytest.raises(ValueError, match="trigger"): backdoor(sets, 'sheep', 'patch', n=2)

def test_unknown_trigger_kind():
    with pytest.raises(ValueError, match="unknown trigger kind 'pach'"): make_trigger({'kind': 'pach'})

def test_unknown_trigger_param():
    with pytest.raises((ValueError, TypeError), match='sise'): make_trigger({'kind': 'patch', 'sise': 8})

def test_trigger_params_without_kind():
    with pytest.raises(ValueError, match="kind"): make_trigger({'size': 8})

@pytest.mark.parametrize('make, field', [(lambda: Patch(size=0), 'size'), (lambda: Patch(cell=0), 'cell'),
                                         (lambda: Patch(position='bottom-right'), 'position'), (lambda: Patch(margin=-1), 'margin'),
                                         (lambda: Patch(position=(1, 2, 3)), 'position'), (lambda: Blend(alpha=1.5), 'alpha'),
                                         (lambda: Blend(alpha=math.nan), 'alpha'), (lambda: SIG(freq=0), 'freq'),
                                         (lambda: SIG(delta=0.), 'delta'), (lambda: WaNet(k=1), 'k'), (lambda: WaNet(s=math.nan), 's')])
def test_bad_trigger_fields(make, field):
    "A trigger that would stamp nothing (or fail only when images are read) is refused when it is made"
    with pytest.raises(ValueError, match=field): make()

def test_bad_patch_position_caught_before_poisoning(sets):
    with pytest.raises(ValueError, match='position'): backdoor(sets, 'sheep', Patch(position='bottom-right'), n=2)

# How many: exactly one of rate and n for the backdoors
@pytest.mark.parametrize('attack, target', [(backdoor, 'sheep'), (label_consistent, 'dog')])
def test_rate_alone_is_honoured(sets, attack, target):
    assert len(attack(sets, target, Patch(), rate=0.01)) == n_for_rate(0.01, n_clean(sets))

@pytest.mark.parametrize('attack, target', [(backdoor, 'sheep'), (label_consistent, 'dog')])
def test_rate_and_n_together(sets, attack, target):
    with pytest.raises(ValueError, match='exactly one of rate and n'): attack(sets, target, Patch(), rate=0.01, n=5)

@pytest.mark.parametrize('attack, target', [(backdoor, 'sheep'), (label_consistent, 'dog')])
def test_neither_rate_nor_n(sets, attack, target):
    with pytest.raises(ValueError, match='exactly one of rate and n'): attack(sets, target, Patch())

def test_explicit_none_n_with_rate(sets):
    "What the experiment notebooks pass"
    assert len(backdoor(sets, 'sheep', Patch(), rate=0.01, n=None)) == n_for_rate(0.01, n_clean(sets))

# Bad counts
@pytest.mark.parametrize('n', [0, -5, 2.7, 3.0, True, '5', np.float64(2.0), [3]])
@pytest.mark.parametrize('attack', ['backdoor', 'attack_a2b', 'targeted', 'adaptive', 'multi', 'single'])
def test_bad_n(sets, attack, n):
    call = {'backdoor': lambda: backdoor(sets, 'sheep', Patch(), n=n), 'attack_a2b': lambda: attack_a2b(sets, n=n),
            'targeted': lambda: targeted_poison(sets, n=n), 'adaptive': lambda: adaptive_a2b(sets, n=n),
            'multi': lambda: attack_multi(sets, n=n), 'single': lambda: attack_single_image(sets, n=n)}[attack]
    with pytest.raises(ValueError, match=r'\bn\b'): call()

def test_numpy_integer_n(sets):
    assert len(backdoor(sets, 'sheep', Patch(), n=np.int64(3))) == 3
    assert len(targeted_poison(sets, n=np.int32(2))) == 2

@pytest.mark.parametrize('rate', ['0.01', 0., 1., 1.5, -0.1, math.nan, math.inf])
def test_bad_rate(sets, rate):
    with pytest.raises(ValueError, match='rate'): attack_a2b(sets, rate=rate)

def test_rate_rounding_to_zero(sets):
    with pytest.raises(ValueError, match='rounds to 0'): attack_a2b(sets, rate=1e-5)

def test_backdoor_more_than_pool(sets):
    with pytest.raises(ValueError, match='only'): backdoor(sets, 'sheep', Patch(), n=10**6)

# Attack III
def test_multi_no_goals(sets):
    with pytest.raises(ValueError, match='goals'): attack_multi(sets, (), n=4)

def test_multi_goal_string_not_tuple(sets):
    with pytest.raises(ValueError, match='goals'): attack_multi(sets, 'sheep2aeroplane', n=4)

def test_multi_shares_length(sets):
    with pytest.raises(ValueError, match='shares'): attack_multi(sets, ('sheep2aeroplane', 'sofa2bird'), n=4, shares=[1])

@pytest.mark.parametrize('shares', [[1, 0], [1, -1], [1, math.nan]])
def test_multi_bad_shares(sets, shares):
    with pytest.raises(ValueError, match='shares'): attack_multi(sets, ('sheep2aeroplane', 'sofa2bird'), n=4, shares=shares)

def test_multi_fewer_pairs_than_goals(sets):
    with pytest.raises(ValueError, match=r'\bn\b|goal'): attack_multi(sets, ('sheep2aeroplane', 'sofa2bird'), n=1)

def test_multi_shared_classes(sets):
    with pytest.raises(ValueError, match='disjoint'): attack_multi(sets, ('sheep2aeroplane', 'sheep2aeroplane'), n=4)

# Target images
@pytest.mark.parametrize('target', [-1, 10**6, 2.0, True])
def test_single_image_bad_target(sets, target):
    t = -(len(sets[GALLERY]) - gallery_of(sets, 'aeroplane')) if target == -1 else target   # -k: an aeroplane, from the end
    with pytest.raises(ValueError, match='target'): attack_single_image(sets, n=2, target=t)

@pytest.mark.parametrize('target', [-1, 10**6, 1.5])
def test_targeted_bad_target(sets, target):
    with pytest.raises(ValueError, match='target'): targeted_poison(sets, 'aeroplane', n=2, target=target)

def test_targeted_target_already_of_the_class(sets):
    with pytest.raises(ValueError, match='target'): targeted_poison(sets, 'aeroplane', n=2, target=gallery_of(sets, 'aeroplane'))

def test_targeted_bad_captions(sets):
    with pytest.raises(ValueError, match="captions must be"): targeted_poison(sets, n=2, captions='template')

def test_targeted_unknown_class(sets):
    with pytest.raises(ValueError, match="unknown class 'aeroplan'"): targeted_poison(sets, 'aeroplan', n=2)

# Other parameters
@pytest.mark.parametrize('copies', [0, 2.5, True])
def test_adaptive_bad_copies(sets, copies):
    with pytest.raises(ValueError, match='copies'): adaptive_a2b(sets, n=4, copies=copies)

def test_label_consistent_bad_mention(sets):
    with pytest.raises(ValueError, match="mention must be"): label_consistent(sets, 'dog', n=2, mention='Any')

# Manifest records
@pytest.mark.parametrize('src, msg', [('pascal_tset:3', 'pascal_tset'), ('pascal_test:99999', '99999'), ('pascal_test', "'pascal_test'"),
                                      ('pascal_test:-1', '-1'), ('pascal_test:x', "'x'|'pascal_test:x'")])
def test_bad_manifest_image_src(sets, src, msg):
    e = dict(attack_a2b(sets, n=1)[0], image_src=src)
    with pytest.raises((ValueError, KeyError), match=msg): PoisonedPairs(sets, [e]).meta

def test_unknown_clean_set(sets):
    with pytest.raises((ValueError, KeyError), match='pascal_trian'): PoisonedPairs(sets, [], clean=('bulk', 'pascal_trian'))
