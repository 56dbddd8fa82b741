"""The on-disk cache of preprocessed images: used, invalidated, atomic, shared by loader workers."""
import json
import os

import numpy as np
import paddle
import pytest

from paddle_models.data import DDR, ICHallengePM, PreprocessCache, PreprocessConfig, preprocess_image
from tests.data_fixtures import copy_dataset
from tests.data_fixtures import pm_root, ddr_root  # noqa: F401,F811 (fixtures)


def read_all(dataset):
    return [dataset.load_image(i) for i in range(len(dataset))]


def test_second_read_comes_from_the_cache(pm_root, tmp_path):
    data = ICHallengePM(pm_root, "train", image_size=32, cache_dir=tmp_path / "cache")
    first = read_all(data)
    assert (data.cache.misses, data.cache.hits) == (len(data), 0)
    assert len(data.cache) == len(data)
    second = read_all(data)
    assert data.cache.hits == len(data) and data.cache.misses == len(data)
    assert all(np.array_equal(a, b) for a, b in zip(first, second))
    uncached = ICHallengePM(pm_root, "train", image_size=32)
    assert all(np.array_equal(a, uncached.load_image(i)) for i, a in enumerate(first))
    settings = json.loads((data.cache.folder / "settings.json").read_text())
    assert settings["image_size"] == 32 and "version" in settings


def test_changing_a_setting_uses_a_fresh_cache(pm_root, tmp_path):
    cache_dir = tmp_path / "cache"
    plain = ICHallengePM(pm_root, "train", image_size=32, cache_dir=cache_dir)
    read_all(plain)
    graham = ICHallengePM(pm_root, "train", cache_dir=cache_dir,
                          preprocess=PreprocessConfig(image_size=32, ben_graham=True))
    assert graham.cache.folder != plain.cache.folder
    images = read_all(graham)
    assert graham.cache.hits == 0 and graham.cache.misses == len(graham)
    assert not np.array_equal(images[0], plain.load_image(0))
    assert sorted(p.name for p in cache_dir.iterdir()) == sorted([plain.cache.folder.name, graham.cache.folder.name])


def test_a_modified_source_image_is_recomputed(ddr_root, tmp_path):
    root = copy_dataset(ddr_root, tmp_path)
    data = DDR(root, "valid", image_size=32, cache_dir=tmp_path / "cache")
    read_all(data)
    path = data.samples[0][0]
    other = data.samples[-1][0]
    with open(other, "rb") as source, open(path, "wb") as target:  # replace image 0 by another one
        target.write(source.read())
    status = os.stat(path)
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns + 5_000_000_000))
    before = (data.cache.hits, data.cache.misses)
    image = data.load_image(0)
    assert (data.cache.hits, data.cache.misses) == (before[0], before[1] + 1)
    assert np.array_equal(image, preprocess_image(other, data.preprocess))
    data.load_image(1)
    assert data.cache.hits == before[0] + 1


def test_writes_are_atomic_and_damaged_entries_are_recomputed(pm_root, tmp_path):
    config = PreprocessConfig(image_size=24)
    cache = PreprocessCache(tmp_path / "cache", config)
    source = next((pm_root / "PALM-Validation400").glob("*.jpg"))
    image = cache.get(source, lambda: preprocess_image(source, config))
    assert not [p for p in cache.folder.iterdir() if p.name.endswith(".tmp")]
    cache.entry_path(source).write_bytes(b"half an arr")  # e.g. a disk that filled up
    assert cache.load(source) is None
    again = cache.get(source, lambda: preprocess_image(source, config))
    assert np.array_equal(again, image) and cache.misses == 2
    cache.clear()
    assert len(cache) == 0 and (cache.folder / "settings.json").exists()


def test_cache_holds_images_before_augmentation(pm_root, tmp_path):
    data = ICHallengePM(pm_root, "train", image_size=32, augment=True, cache_dir=tmp_path / "cache")
    data[0]
    assert np.array_equal(data.cache.load(data.samples[0][0]), preprocess_image(data.samples[0][0], data.preprocess))


@pytest.mark.parametrize("cached", [False, True])
def test_dataloader_with_two_workers(ddr_root, tmp_path, cached):
    data = DDR(ddr_root, "train", image_size=32, cache_dir=tmp_path / "cache" if cached else None)
    loader = paddle.io.DataLoader(data, batch_size=4, shuffle=False, num_workers=2,
                                  use_shared_memory=False)  # small /dev/shm in containers
    labels = []
    for epoch in range(2 if cached else 1):
        labels = []
        for images, batch_labels in loader:
            assert images.shape[1:] == [3, 32, 32] and images.dtype == paddle.float32
            labels.append(batch_labels.numpy().reshape(-1))
    assert np.array_equal(np.concatenate(labels), data.labels)
    if cached:  # the workers filled the cache; the main process now only hits
        assert len(data.cache) == len(data)
        read_all(data)
        assert data.cache.hits == len(data) and data.cache.misses == 0


def test_an_image_deleted_after_construction_is_reported_by_name(pm_root, tmp_path):
    from paddle_models.data import BadSampleError

    root = copy_dataset(pm_root, tmp_path)
    data = ICHallengePM(root, "test", image_size=32, cache_dir=tmp_path / "cache")
    os.remove(data.samples[0][0])
    with pytest.raises(BadSampleError, match="T0001.jpg"):
        data[0]
