"Adversarial inputs to `otcclip.data`'s loaders: bad files and records raise `DataError` naming them; skipped, good ones survive"
import io, json, pickle, tarfile
import numpy as np, pytest
from PIL import Image
from otcclip.core import DataError
from otcclip.data import (load_image, class_keywords, keyword_labels, coco_captions, flickr30k, csv_captions,
                          WebDatasetCaptions, cifar, class_folders)

def png(colour='red')->bytes:
    b = io.BytesIO(); Image.new('RGB', (8, 8), colour).save(b, 'PNG'); return b.getvalue()

def img(path, colour='red'):
    "An 8×8 image at `path`, in the format its suffix names"
    path.parent.mkdir(parents=True, exist_ok=True); Image.new('RGB', (8, 8), colour).save(path); return path

def raises(fn, *parts, exc=DataError):
    "`fn()` must raise `exc` whose message holds each of `parts`"
    with pytest.raises(exc) as e: fn()
    for p in parts: assert p in str(e.value), f'{p!r} not in {str(e.value)!r}'
    return e.value

# ---------------------------------------------------------------- images
@pytest.mark.parametrize('content, problem', [(None, 'missing image'), (b'', 'corrupt image'), (b'GIF89a junk', 'corrupt image'),
                                              (b'hello, I am a caption', 'corrupt image'), (png()[:40], 'corrupt image')])
def test_bad_image_files(tmp_path, content, problem):
    p = tmp_path/'x.jpg'
    if content is not None: p.write_bytes(content)
    raises(lambda: load_image(p, record=4), 'x.jpg, record 4', problem)

def test_image_that_is_a_folder(tmp_path):
    (tmp_path/'dir.jpg').mkdir()
    raises(lambda: load_image(tmp_path/'dir.jpg', record=0), 'dir.jpg, record 0', 'image')

def test_mislabelled_extension_still_decodes(tmp_path):
    (tmp_path/'really_png.jpg').write_bytes(png('blue'))                        # the content decides, not the suffix
    assert load_image(tmp_path/'really_png.jpg').getpixel((0, 0)) == (0, 0, 255)

# ---------------------------------------------------------------- COCO
def coco(tmp_path, images=None, anns=None, text=None):
    "A COCO captions file (or `text` as its content) beside images 1 (red) and 2 (green); returns (file, image folder)"
    for i, c in [(1, 'red'), (2, 'green')]: img(tmp_path/'imgs'/f'{i}.jpg', c)
    images = [{'id': 1, 'file_name': '1.jpg'}, {'id': 2, 'file_name': '2.jpg'}] if images is None else images
    anns = [{'id': 10, 'image_id': 1, 'caption': 'a dog'}, {'id': 11, 'image_id': 2, 'caption': 'a lamb'}] if anns is None else anns
    f = tmp_path/'captions.json'
    f.write_text(text if text is not None else json.dumps({'images': images, 'annotations': anns}))
    return f, tmp_path/'imgs'

@pytest.mark.parametrize('text', ['', '{"images": [', '[]', '"images"', '{"images": null, "annotations": []}',
                                  '{"images": [], "annotations": {"a": 1}}', '{"annotations": []}'])
def test_coco_wrong_schema(tmp_path, text):
    raises(lambda: coco_captions(*coco(tmp_path, text=text)), 'captions.json')

@pytest.mark.parametrize('image, problem', [({'id': 1}, "missing key 'file_name'"), ({'file_name': '1.jpg'}, "missing key 'id'"),
                                            ({'id': 1, 'file_name': None}, "'file_name' is NoneType"),
                                            ({'id': 1, 'file_name': 7}, "'file_name' is int"),
                                            ({'id': [1], 'file_name': '1.jpg'}, "'id' is list"), ('1.jpg', 'expected a JSON object')])
def test_coco_bad_image_entry(tmp_path, image, problem):
    images = [{'id': 2, 'file_name': '2.jpg'}, image]
    raises(lambda: coco_captions(*coco(tmp_path, images=images)), 'captions.json, record images[1]', problem)
    ds = coco_captions(*coco(tmp_path, images=images, anns=[{'id': 11, 'image_id': 2, 'caption': 'a lamb'}]), skip=True)
    assert [r.source_id for r in ds] == ['coco:2'] and ds.skipped.counts() == {'annotation': 1}

def test_coco_duplicate_image_id(tmp_path):
    images = [{'id': 1, 'file_name': '1.jpg'}, {'id': 2, 'file_name': '2.jpg'}, {'id': 1, 'file_name': '2.jpg'}]
    raises(lambda: coco_captions(*coco(tmp_path, images=images)), 'captions.json, record images[2]', 'duplicate image id 1')
    ds = coco_captions(*coco(tmp_path, images=images), skip=True)                 # the first image with the id keeps it
    assert [r.source_id for r in ds] == ['coco:1', 'coco:2'] and ds.items[0].image.name == '1.jpg'
    assert len(ds.skipped) == 1

@pytest.mark.parametrize('cap, problem', [('', 'empty caption'), (' \n\t', 'empty caption'), (None, 'missing caption'),
                                          (5, 'caption is not text (int'), (['a dog'], 'caption is not text (list'),
                                          ({'en': 'a dog'}, 'caption is not text (dict')])
def test_coco_bad_caption(tmp_path, cap, problem):
    anns = [{'id': 10, 'image_id': 1, 'caption': 'a dog'}, {'id': 12, 'image_id': 1, 'caption': cap},
            {'id': 11, 'image_id': 2, 'caption': 'a lamb'}]
    raises(lambda: coco_captions(*coco(tmp_path, anns=anns)), 'captions.json, record annotations[1] (id 12)', problem)
    ds = coco_captions(*coco(tmp_path, anns=anns), skip=True)                     # the image keeps its good caption
    assert [r.captions for r in ds] == [['a dog'], ['a lamb']] and ds.skipped.counts() == {'caption': 1}

@pytest.mark.parametrize('ann, problem', [({'id': 12, 'image_id': 3, 'caption': 'a cat'}, 'unknown image id 3'),
                                          ({'id': 12, 'image_id': '1', 'caption': 'a cat'}, "unknown image id '1'"),
                                          ({'id': 12, 'caption': 'a cat'}, "missing key 'image_id'"),
                                          ({'id': 12, 'image_id': [1], 'caption': 'a cat'}, "'image_id' is list")])
def test_coco_bad_annotation(tmp_path, ann, problem):
    anns = [{'id': 10, 'image_id': 1, 'caption': 'a dog'}, ann, {'id': 11, 'image_id': 2, 'caption': 'a lamb'}]
    raises(lambda: coco_captions(*coco(tmp_path, anns=anns)), 'captions.json, record annotations[1] (id 12)', problem)
    ds = coco_captions(*coco(tmp_path, anns=anns), skip=True)
    assert len(ds) == 2 and ds.skipped.counts() == {'annotation': 1}

def test_coco_image_without_captions(tmp_path):
    f, d = coco(tmp_path, anns=[{'id': 10, 'image_id': 1, 'caption': 'a dog'}])
    raises(lambda: coco_captions(f, d), 'captions.json, record image id 2 (2.jpg)', 'no captions')

@pytest.mark.parametrize('damage, problem', [('missing', 'missing image'), ('empty', 'corrupt image'), ('text', 'corrupt image')])
def test_coco_bad_image_file(tmp_path, damage, problem):
    f, d = coco(tmp_path)
    if damage == 'missing': (d/'2.jpg').unlink()
    else: (d/'2.jpg').write_bytes(b'' if damage == 'empty' else b'a dog on a sofa')
    raises(lambda: coco_captions(f, d)[1], '2.jpg, record 1 (coco:2)', problem)
    ds = coco_captions(f, d, skip=True)
    assert [r.source_id for r in ds] == ['coco:1'] and ds.skipped.counts() == {'image': 1}

def test_coco_skip_counts_images_and_captions_apart(tmp_path):
    anns = [{'id': 10, 'image_id': 1, 'caption': 'a dog'}, {'id': 12, 'image_id': 1, 'caption': ' '},
            {'id': 11, 'image_id': 2, 'caption': 'a lamb'}]
    f, d = coco(tmp_path, anns=anns); (d/'2.jpg').write_bytes(b'junk')
    ds = coco_captions(f, d, skip=True)
    assert len(ds) == 1 and ds.skipped.counts() == {'image': 1, 'caption': 1}
    assert ds.skipped.report().startswith('skipped 1 image, 1 caption\n') and 'skipped 1 image, 1 caption' in repr(ds)

# ---------------------------------------------------------------- Karpathy split files
def karpathy(tmp_path, images, text=None):
    for k, c in [('a', 'red'), ('b', 'green')]: img(tmp_path/'imgs'/f'{k}.jpg', c)
    f = tmp_path/'dataset_flickr30k.json'
    f.write_text(text if text is not None else json.dumps({'images': images, 'dataset': 'flickr30k'}))
    return f, tmp_path/'imgs'

def entry(fn='a.jpg', *raws, split='train'): return {'filename': fn, 'split': split, 'sentences': [{'raw': r} for r in raws or ['a dog']]}

@pytest.mark.parametrize('text', ['', '{"images": ', '[1, 2]', '{"images": null}', '{"images": {"a": 1}}', '{"dataset": "x"}'])
def test_karpathy_wrong_schema(tmp_path, text):
    raises(lambda: flickr30k(*karpathy(tmp_path, None, text)), 'dataset_flickr30k.json')

@pytest.mark.parametrize('bad, problem', [({'split': 'train', 'sentences': []}, "missing key 'filename'"),
                                          ({'filename': 'b.jpg', 'split': 'train'}, "missing key 'sentences'"),
                                          ({'filename': 'b.jpg', 'split': 'train', 'sentences': None}, "'sentences' is NoneType"),
                                          ({'filename': 'b.jpg', 'split': 'train', 'sentences': 'a cat'}, "'sentences' is str"),
                                          ({'filename': 'b.jpg', 'split': 'train', 'sentences': [{'tokens': []}]}, "missing key 'raw'"),
                                          ({'filename': 3, 'split': 'train', 'sentences': [{'raw': 'a cat'}]}, "'filename' is int"),
                                          ({'filename': 'b.jpg', 'split': None, 'sentences': [{'raw': 'a cat'}]}, "'split' is NoneType"),
                                          ({'filename': 'b.jpg', 'split': 'train', 'filepath': None, 'sentences': [{'raw': 'a cat'}]},
                                           "'filepath' is NoneType")])
def test_karpathy_bad_entry(tmp_path, bad, problem):
    f, d = karpathy(tmp_path, [entry(), bad])
    raises(lambda: flickr30k(f, d), 'dataset_flickr30k.json, record images[1]', problem)
    ds = flickr30k(f, d, skip=True)
    assert [r.source_id for r in ds] == ['flickr30k:a'] and ds.skipped.counts() == {'annotation': 1}

@pytest.mark.parametrize('raw, problem', [('', 'empty caption'), ('   ', 'empty caption'), (None, 'missing caption'), (7, 'not text')])
def test_karpathy_bad_sentence(tmp_path, raw, problem):
    f, d = karpathy(tmp_path, [entry('a.jpg', 'a dog', raw), entry('b.jpg', 'a lamb')])
    raises(lambda: flickr30k(f, d), 'dataset_flickr30k.json, record images[0] (a.jpg) caption 1', problem)
    ds = flickr30k(f, d, skip=True)
    assert [r.captions for r in ds] == [['a dog'], ['a lamb']] and ds.skipped.counts() == {'caption': 1}

def test_karpathy_no_sentences(tmp_path):
    f, d = karpathy(tmp_path, [{'filename': 'a.jpg', 'split': 'train', 'sentences': []}, entry('b.jpg')])
    raises(lambda: flickr30k(f, d), 'record images[0] (a.jpg)', 'no captions')
    assert flickr30k(f, d, skip=True).skipped.counts() == {'caption': 1}

def test_karpathy_duplicate_ids(tmp_path):
    f, d = karpathy(tmp_path, [entry('a.jpg'), entry('b.jpg'), entry('a.png', 'a cat')])   # same id `flickr30k:a`
    raises(lambda: flickr30k(f, d), 'dataset_flickr30k.json, record images[2] (a.png)', 'duplicate id flickr30k:a')
    ds = flickr30k(f, d, skip=True)
    assert [r.source_id for r in ds] == ['flickr30k:a', 'flickr30k:b'] and len(ds.skipped) == 1

def test_karpathy_unknown_split(tmp_path):
    raises(lambda: flickr30k(*karpathy(tmp_path, [entry()]), split='tran'), "no images in split 'tran' (splits: train)")

# ---------------------------------------------------------------- CSV / TSV
def table(tmp_path, name, text:str|bytes, images=('a.jpg', 'b.jpg')):
    for i, fn in enumerate(images): img(tmp_path/fn, ('red', 'green')[i % 2])
    p = tmp_path/name
    p.write_bytes(text if isinstance(text, bytes) else text.encode()); return p

def test_csv_wrong_columns_lists_them(tmp_path):
    p = table(tmp_path, 't.csv', 'image,caption\na.jpg,a dog\n')
    raises(lambda: csv_captions(p), "t.csv", "no column 'filepath'", "'image', 'caption'", "sep=','")

def test_tsv_read_as_csv(tmp_path):
    p = table(tmp_path, 'cc.csv', 'filepath\ttitle\na.jpg\ta dog\n')              # tab-separated, named .csv
    raises(lambda: csv_captions(p), "cc.csv", "no column 'filepath'", "'filepath\\ttitle'", "sep='\\t'")
    assert csv_captions(p, sep='\t')[0].captions == ['a dog']

def test_csv_read_as_tsv(tmp_path):
    p = table(tmp_path, 'cc.tsv', 'filepath,title\na.jpg,a dog\n')               # comma-separated, named .tsv
    raises(lambda: csv_captions(p), "cc.tsv", "no column 'filepath'", "'filepath,title'", "sep=','")

@pytest.mark.parametrize('text', [b'', b'\n\n'])
def test_csv_empty_file(tmp_path, text):
    raises(lambda: csv_captions(table(tmp_path, 'e.tsv', text)), 'e.tsv')

def test_csv_missing_file(tmp_path):
    raises(lambda: csv_captions(tmp_path/'nowhere.tsv'), 'nowhere.tsv', 'missing file')

def test_csv_header_only_is_empty(tmp_path):
    assert len(csv_captions(table(tmp_path, 'h.tsv', 'filepath\ttitle\n'))) == 0

def test_csv_bom_header(tmp_path):
    p = table(tmp_path, 'bom.tsv', '\ufefffilepath\ttitle\na.jpg\ta dog\n')
    assert csv_captions(p)[0].captions == ['a dog']

def test_csv_duplicate_columns(tmp_path):
    p = table(tmp_path, 'd.tsv', 'filepath\ttitle\ttitle\na.jpg\ta dog\ta cat\n')
    raises(lambda: csv_captions(p), 'd.tsv, record line 1 (header)', "duplicate column(s) ['title']")

LATIN1 = 'filepath\ttitle\na.jpg\ta café\nb.jpg\ta lamb\n'.encode('latin-1')

def test_csv_not_utf8_names_row(tmp_path):
    p = table(tmp_path, 'l.tsv', LATIN1)
    raises(lambda: csv_captions(p), 'l.tsv, record row 0 (line 2)', "not UTF-8 text (column 'title')")

def test_csv_not_utf8_skip_keeps_good_rows(tmp_path):
    ds = csv_captions(table(tmp_path, 'l.tsv', LATIN1), skip=True)
    assert [(r.source_id, r.captions) for r in ds] == [('l:1', ['a lamb'])] and ds.skipped.counts() == {'annotation': 1}

def test_csv_not_utf8_header(tmp_path):
    p = table(tmp_path, 'l.tsv', 'filepath\ttitlé\n'.encode('latin-1'))
    raises(lambda: csv_captions(p, skip=True), 'l.tsv, record line 1 (header)', 'not UTF-8')

def test_csv_line_numbers_count_quoted_newlines(tmp_path):
    p = table(tmp_path, 'q.csv', 'filepath,title\na.jpg,"a dog\non two lines"\n\nb.jpg,\n')
    raises(lambda: csv_captions(p), 'q.csv, record row 1 (line 5)', 'empty caption')
    assert csv_captions(p, skip=True)[0].captions == ['a dog\non two lines']

@pytest.mark.parametrize('row, problem', [('b.jpg\ta lamb\textra', '3 fields, the header has 2'), ('b.jpg', '1 field'),
                                          ('b.jpg\t"a lamb', 'malformed row'),
                                          ('\ta lamb', 'empty image path'), ('c.jpg\ta lamb', 'missing image')])
def test_csv_bad_row_skip_keeps_the_good_one(tmp_path, row, problem):
    p = table(tmp_path, 'r.tsv', f'filepath\ttitle\na.jpg\ta dog\n{row}\n')
    raises(lambda: csv_captions(p)[1], 'r', problem)
    ds = csv_captions(p, skip=True)
    assert [r.captions for r in ds] == [['a dog']] and len(ds.skipped) == 1

def test_csv_unterminated_quote_is_not_a_caption(tmp_path):
    p = table(tmp_path, 'u.csv', 'filepath,title\na.jpg,"a dog\nb.jpg,a lamb\n')   # the quote would swallow the next row
    raises(lambda: csv_captions(p), 'u.csv, record row 0 (line 2)', 'malformed row')

@pytest.mark.parametrize('cap', ['', '   ', '""'])
def test_csv_empty_caption(tmp_path, cap):
    p = table(tmp_path, 'c.tsv', f'filepath\ttitle\na.jpg\t{cap}\nb.jpg\ta lamb\n')
    raises(lambda: csv_captions(p), 'c.tsv, record row 0 (line 2)', 'empty caption')
    assert csv_captions(p, skip=True).skipped.counts() == {'caption': 1}

def test_csv_counts_kinds_apart(tmp_path):
    text = b'filepath\ttitle\na.jpg\ta dog\nb.jpg\t \nc.jpg\ta cat\nb.jpg\ta caf\xe9\n'
    ds = csv_captions(table(tmp_path, 'k.tsv', text), skip=True)
    assert [r.source_id for r in ds] == ['k:0'] and ds.skipped.counts() == {'image': 1, 'caption': 1, 'annotation': 1}

# ---------------------------------------------------------------- webdataset shards
def shard(path, members:list[tuple[str, bytes]]):
    "A tar shard of `(name, bytes)` members, in order"
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, 'w') as t:
        for fn, b in members:
            ti = tarfile.TarInfo(fn); ti.size = len(b); t.addfile(ti, io.BytesIO(b))
    return path

def sample(k, cap=b'a dog'): return [(f'{k}.png', png()), (f'{k}.txt', cap)]
def ids(ds): return [r.source_id.split(':')[1] for r in ds]

@pytest.fixture
def whole(tmp_path):
    "A shard of samples a, b, c and the offsets of its members"
    p = shard(tmp_path/'w'/'whole.tar', sample('a') + sample('b') + sample('c'))
    with tarfile.open(p) as t: return p, {m.name: m for m in t}

def cut(whole, n):
    p, _ = whole; out = p.with_name(f'cut{n}.tar'); out.write_bytes(p.read_bytes()[:n]); return out

def test_whole_shard(whole):
    ds = WebDatasetCaptions(whole[0], skip=True)
    assert ids(ds) == ['a', 'b', 'c'] and len(ds.skipped) == 0

@pytest.mark.parametrize('where, record', [(lambda m: m['b.png'].offset, 'a (member a.txt)'),           # at a member boundary
                                           (lambda m: m['b.txt'].offset, 'b (member b.png)'),           # inside a sample
                                           (lambda m: m['b.txt'].offset + 100, 'b (member b.png)'),     # inside a header
                                           (lambda m: m['b.txt'].offset_data + 2, 'b (member b.txt)'),  # inside the data
                                           (lambda m: m['c.txt'].offset_data + 512, 'c (member c.txt)')])  # no end blocks
def test_truncated_shard_strict(whole, where, record):
    raises(lambda: list(WebDatasetCaptions(cut(whole, where(whole[1])))), '.tar, record ' + record, 'truncated shard')

@pytest.mark.parametrize('where, kept', [(lambda m: m['b.png'].offset, []), (lambda m: m['c.png'].offset, ['a']),
                                         (lambda m: m['b.txt'].offset_data + 2, ['a']),
                                         (lambda m: m['c.txt'].offset_data + 512, ['a', 'b'])])
def test_truncated_shard_skip_keeps_what_came_before_once(whole, where, kept):
    p = cut(whole, where(whole[1]))
    ds = WebDatasetCaptions([p, whole[0]], skip=True)                             # a whole shard after the cut one
    assert ids(ds) == kept + ['a', 'b', 'c'] and ds.skipped.counts() == {'shard': 1}
    assert ds.skipped.report().count('truncated shard') == 1 and ds.skipped.report().count(' @ ') == 0

def test_truncated_gzip_shard(whole, tmp_path):
    import gzip
    gz = gzip.compress(whole[0].read_bytes()); p = tmp_path/'w'/'half.tar.gz'; p.write_bytes(gz[:len(gz)//2])
    raises(lambda: list(WebDatasetCaptions(p)), 'half.tar.gz', 'shard')

@pytest.mark.parametrize('content, problem', [(b'', 'unreadable shard'), (b'not a tar' * 100, 'unreadable shard'),
                                              (None, 'unreadable shard (FileNotFoundError')])
def test_unreadable_shard(tmp_path, content, problem):
    p = tmp_path/'w'/'x.tar'; p.parent.mkdir()
    if content is not None: p.write_bytes(content)
    raises(lambda: list(WebDatasetCaptions([p])), 'x.tar', problem)

@pytest.mark.parametrize('members, problem, kind', [([('x.png', png())], 'no caption (.txt)', 'caption'),
                                                    ([('x.txt', b'a dog')], 'no image', 'image'),
                                                    ([('x.jpg', b'junk'), ('x.txt', b'a dog')], 'corrupt image', 'image'),
                                                    ([('x.png', b''), ('x.txt', b'a dog')], 'corrupt image', 'image'),
                                                    ([('x.png', png()), ('x.txt', b' \n')], 'empty caption', 'caption'),
                                                    ([('x.png', png()), ('x.txt', 'a dog'.encode('utf-16'))], 'not UTF-8', 'caption'),
                                                    ([('x.png', png()), ('x.txt', b'a dog'), ('x.json', b'{"url": ')],
                                                     'malformed JSON', 'annotation')])
def test_bad_sample(tmp_path, members, problem, kind):
    p = shard(tmp_path/'w'/'s.tar', sample('a') + members + sample('z'))
    raises(lambda: list(WebDatasetCaptions(p)), 's.tar, record x', problem)
    ds = WebDatasetCaptions(p, skip=True)
    assert ids(ds) == ['a', 'z'] and ds.skipped.counts() == {kind: 1}

def test_mislabelled_image_member_decodes(tmp_path):
    p = shard(tmp_path/'w'/'m.tar', [('x.jpg', png('blue')), ('x.txt', b'sky')])  # a PNG named .jpg
    assert next(iter(WebDatasetCaptions(p))).image.getpixel((0, 0)) == (0, 0, 255)

def test_duplicate_key_in_shard(tmp_path):
    p = shard(tmp_path/'w'/'d.tar', sample('a') + sample('b') + sample('a', b'a cat'))
    raises(lambda: list(WebDatasetCaptions(p)), 'd.tar, record a', 'duplicate')
    rs = list(ds := WebDatasetCaptions(p, skip=True))                           # the first sample keeps the key
    assert ids(rs) == ['a', 'b'] and rs[0].captions == ['a dog'] and len(ds.skipped) == 1

def test_duplicate_member_in_sample(tmp_path):
    p = shard(tmp_path/'w'/'d.tar', sample('a') + [('b.png', png()), ('b.txt', b'one'), ('b.txt', b'two')] + sample('c'))
    raises(lambda: list(WebDatasetCaptions(p)), 'd.tar, record b', 'duplicate member b.txt')
    ds = WebDatasetCaptions(p, skip=True)
    assert ids(ds) == ['a', 'c'] and len(ds.skipped) == 1

def test_no_shards(tmp_path):
    raises(lambda: WebDatasetCaptions(tmp_path/'none'/'*.tar'), 'no shards match')

# ---------------------------------------------------------------- CIFAR
def cifar10(tmp_path, data=None, labels=(3, 7), names=None):
    root = tmp_path/'cifar-10-batches-py'; root.mkdir(exist_ok=True)
    data = np.zeros((len(labels), 3072), np.uint8) if data is None else data
    pickle.dump({'data': data, 'labels': list(labels)}, open(root/'test_batch', 'wb'))
    pickle.dump({'label_names': [f'c{i}' for i in range(10)] if names is None else names}, open(root/'batches.meta', 'wb'))
    return root

def test_cifar_good(tmp_path):
    assert cifar(cifar10(tmp_path)).labels == [3, 7]

@pytest.mark.parametrize('labels, index', [((3, 10), 1), ((-1, 2), 0), ((3, 7, 99), 2)])
def test_cifar_label_out_of_range(tmp_path, labels, index):
    raises(lambda: cifar(cifar10(tmp_path, labels=labels)), f'test_batch, record {index}', 'label', '0..9')

def test_cifar_label_not_integer(tmp_path):
    raises(lambda: cifar(cifar10(tmp_path, labels=('cat', 'dog'))), 'test_batch', 'label')
    raises(lambda: cifar(cifar10(tmp_path, labels=(1.5, 2.0))), 'test_batch', 'label')

@pytest.mark.parametrize('data', [np.zeros((2, 3000), np.uint8), np.zeros(2 * 3072, np.uint8), np.zeros((2, 3072), np.float32),
                                  np.zeros((2, 32, 32, 3), np.uint8)])
def test_cifar_malformed_data(tmp_path, data):
    raises(lambda: cifar(cifar10(tmp_path, data=data)), 'test_batch', "'data' is ")

def test_cifar_length_mismatch(tmp_path):
    raises(lambda: cifar(cifar10(tmp_path, data=np.zeros((3, 3072), np.uint8))), 'test_batch', '3 images but 2 labels')

@pytest.mark.parametrize('meta', [{}, {'label_names': None}, {'names': ['a']}, {'label_names': ['a', '']}])
def test_cifar_bad_meta(tmp_path, meta):
    root = cifar10(tmp_path); pickle.dump(meta, open(root/'batches.meta', 'wb'))
    raises(lambda: cifar(root), 'batches.meta', 'label_names')

@pytest.mark.parametrize('content', [b'', b'not a pickle', pickle.dumps([1, 2, 3])])
def test_cifar_not_a_pickle(tmp_path, content):
    root = cifar10(tmp_path); (root/'test_batch').write_bytes(content)
    raises(lambda: cifar(root), 'test_batch')

def test_cifar_missing_batch(tmp_path):
    root = cifar10(tmp_path); (root/'test_batch').unlink()
    raises(lambda: cifar(root), 'test_batch', 'missing file')

def test_cifar100_mislabelled_as_cifar10(tmp_path):
    root = cifar10(tmp_path, labels=(3, 57))                                    # CIFAR-100 labels under CIFAR-10 names
    raises(lambda: cifar(root), 'test_batch, record 1', 'label 57')

# ---------------------------------------------------------------- class folders and class names
def folders(tmp_path, names=('n1', 'n2')):
    for n in names: img(tmp_path/'val'/n/'a.JPEG')
    return tmp_path/'val'

def test_class_folder_without_name(tmp_path):
    raises(lambda: class_folders(folders(tmp_path), {'n1': 'tench'}), 'record n2', 'no name')

@pytest.mark.parametrize('name', ['', '  ', None, 3])
def test_class_folder_bad_class_name(tmp_path, name):
    raises(lambda: class_folders(folders(tmp_path), {'n1': 'tench', 'n2': name}), 'val, record n2', 'class name')

def test_class_folders_empty_root(tmp_path):
    raises(lambda: class_folders(tmp_path/'nothing'), 'nothing', 'no class folders')

def test_class_folder_image_not_an_image(tmp_path):
    root = folders(tmp_path); (root/'n2'/'a.JPEG').write_bytes(b'text')
    raises(lambda: class_folders(root)[1], 'a.JPEG, record 1', 'corrupt image')

@pytest.mark.parametrize('cmap, problem', [({'classes': {'dog': {'nouns': []}}}, 'record dog: class needs'),
                                           ({'classes': {'dog': {'keywords': ['dog', '']}}}, 'record dog: class needs'),
                                           ({'classes': {'dog': {'keywords': [3]}}}, 'record dog: class needs'),
                                           ({'classes': ['dog']}, "missing key 'classes'"), ([], "missing key 'classes'")])
def test_bad_class_map(tmp_path, cmap, problem):
    p = tmp_path/'classmap.json'; p.write_text(json.dumps(cmap))
    raises(lambda: class_keywords(p), 'classmap.json', problem)

def test_unknown_class_names(tmp_path):
    kw = {'dog': ['dog']}
    raises(lambda: keyword_labels(['a dog'], kw, classes=['Dog']), 'record Dog: unknown class (known: dog)')
    p = tmp_path/'classmap.json'; p.write_text(json.dumps({'classes': {'dog': {'keywords': ['dog']}}}))
    raises(lambda: class_keywords(p, classes=['dgo']), 'classmap.json, record dgo: unknown class')
