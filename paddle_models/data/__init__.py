"""paddle_models.data: reading fundus datasets, preprocessing, augmentation and synthetic data.

One file per concept:

    base.py           FundusDataset: samples -> (float32 [3, S, S], int64 label); skip_bad, subset, cache
    ichallenge_pm.py  ICHallengePM   iChallenge-PM (PALM): file-name prefixes, the validation xlsx/csv
    ddr.py            DDR            DDR grading: <file> <label> lines, grade 5 = ungradable
    aptos.py          APTOS          APTOS 2019: train.csv + train_images/*.png; crop_type (the four framings)
    image_folder.py   ImageFolder    one folder per class
    retinamnist.py    RetinaMNIST    MedMNIST v2's fundus set: one .npz of uint8 arrays per image size
    imageio.py        reading images; reduced-size JPEG decoding (cv2.IMREAD_REDUCED_COLOR_2/4/8)
    preprocess.py     PreprocessConfig, crop border / pad / resize / Ben Graham / circular mask,
                      preprocess_image, to_input (shared with the inference predictor)
    quality.py        image quality scores and flags, the audit (CSV + contact sheet), exclude=
    gate.py           gradability(image) -> (gradable, reason): a fundus-shaped field of view, the audit's quality
    cache.py          PreprocessCache: preprocessed images on disk, keyed by the settings
    transforms.py     train_augmentation (random_crop=N for random windows; paddle.vision.transforms)
    subset.py         stratified_subset, train_valid_split; split files: save_split, load_split, split_with_file
    balance.py        class_weights, balanced_sampler, balanced_batch_sampler
    ordinal.py        ordinal_encode / ordinal_decode / ordinal_to_class_probs
    explore.py        class_count_table, plot_class_counts, image_size_distribution, sample_grid
    synthetic.py      synthetic fundus photographs in the official layouts (make_synthetic_*)
    prepare.py        prepare_ichallenge_pm, prepare_ddr: unpack the archives as distributed
    locate.py         locate_dataset: datasets/<NAME>, AI Studio's work/ and mounted archives, in order
    tables.py         CSV / xlsx label tables with line numbers
    errors.py         DatasetNotFoundError, BadSampleError, BadSample, SkippedSamplesWarning
    registry.py       build_dataset(name, root, split, **options), list_datasets()
"""
from .aptos import APTOS, CROP_TYPES, crop_type
from .balance import balanced_batch_sampler, balanced_sampler, class_weights, sample_weights
from .base import UNLABELED, FundusDataset
from .cache import PreprocessCache
from .ddr import DDR
from .errors import BadSample, BadSampleError, DatasetNotFoundError, SkippedSamplesWarning
from .explore import (class_count_table, image_size_distribution, plot_class_counts, plot_image_sizes,
                      sample_grid)
from .ichallenge_pm import ICHallengePM
from .image_folder import ImageFolder
from .quality import ImageQuality, assess_file, assess_image, audit_dataset
from .gate import Gradability, gradability, gradability_file
from .retinamnist import RetinaMNIST
from .imageio import choose_reduction, image_size_on_disk, read_image
from .ordinal import ordinal_decode, ordinal_encode, ordinal_to_class_probs
from .locate import locate_dataset, resolve_data_root
from .prepare import prepare, prepare_ddr, prepare_ichallenge_pm
from .preprocess import (NORMALIZATION_PRESETS, PreprocessConfig, ben_graham, circular_mask,
                         crop_dark_border, pad_to_square, preprocess_image, preprocess_steps,
                         resize_image, to_display, to_input)
from .registry import DATASETS, build_dataset, list_datasets, normalize_name
from .subset import load_split, save_split, split_with_file, stratified_subset, train_valid_split
from .synthetic import (make_synthetic_aptos, make_synthetic_aptos_clinics, make_synthetic_ddr,
                        make_synthetic_ddr_archives, make_synthetic_ichallenge_pm,
                        make_synthetic_ichallenge_pm_archives, make_synthetic_image_folder,
                        make_synthetic_retinamnist, synthetic_fundus)
from .transforms import train_augmentation

__all__ = [
    # datasets
    "FundusDataset", "ICHallengePM", "DDR", "APTOS", "CROP_TYPES", "crop_type", "ImageFolder", "RetinaMNIST",
    "UNLABELED", "DATASETS", "build_dataset", "list_datasets", "normalize_name", "locate_dataset",
    "resolve_data_root",
    # errors
    "DatasetNotFoundError", "BadSampleError", "BadSample", "SkippedSamplesWarning",
    # reading and preprocessing
    "read_image", "image_size_on_disk", "choose_reduction",
    "PreprocessConfig", "NORMALIZATION_PRESETS", "preprocess_image", "preprocess_steps", "to_input",
    "to_display", "crop_dark_border", "pad_to_square", "resize_image", "ben_graham", "circular_mask",
    "PreprocessCache", "train_augmentation",
    # image quality
    "ImageQuality", "assess_image", "assess_file", "audit_dataset", "Gradability", "gradability", "gradability_file",
    # subsets, balancing, ordinal targets
    "stratified_subset", "train_valid_split", "save_split", "load_split", "split_with_file",
    "class_weights", "sample_weights", "balanced_sampler",
    "balanced_batch_sampler", "ordinal_encode", "ordinal_decode", "ordinal_to_class_probs",
    # exploration
    "class_count_table", "plot_class_counts", "image_size_distribution", "plot_image_sizes", "sample_grid",
    # synthetic data and preparation
    "synthetic_fundus", "make_synthetic_ichallenge_pm", "make_synthetic_ichallenge_pm_archives",
    "make_synthetic_ddr", "make_synthetic_ddr_archives", "make_synthetic_aptos", "make_synthetic_aptos_clinics",
    "make_synthetic_image_folder", "make_synthetic_retinamnist", "prepare", "prepare_ichallenge_pm", "prepare_ddr",
]
