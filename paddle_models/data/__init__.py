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
    synthetic/        synthetic fundus photographs in the official layouts (make_synthetic_*), one
                      module per dataset's layout
    layout.py         Layout (where a dataset is looked for), Preparer (how its archives unpack)
    prepare.py        unpacking zips: nested, in numbered parts, damaged downloads named
    locate.py         locate_dataset: datasets/<NAME>, AI Studio's work/ and mounted archives, in order;
                      prepare(name, ...)
    medmnist_files.py MedMNIST's file naming (RetinaMNIST's reader and writer share it)
    tables.py         CSV / xlsx label tables with line numbers
    errors.py         DatasetNotFoundError, BadSampleError, BadSample, SkippedSamplesWarning
    registry.py       build_dataset(name, root, split, **options), list_datasets(); READERS, the one list
                      of reader classes, and the tables derived from their declarations
"""
from ..lazy import lazy_exports

# where each public name lives; a module is imported when one of its names is first used
__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    ".aptos": ["APTOS", "CROP_TYPES", "crop_type"],
    ".balance": ["balanced_batch_sampler", "balanced_sampler", "class_weights", "sample_weights"],
    ".base": ["UNLABELED", "FundusDataset"],
    ".cache": ["PreprocessCache"],
    ".ddr": ["DDR", "prepare_ddr"],
    ".errors": ["BadSample", "BadSampleError", "DatasetNotFoundError", "SkippedSamplesWarning"],
    ".explore": ["class_count_table", "image_size_distribution", "plot_class_counts", "plot_image_sizes", "sample_grid"],
    ".ichallenge_pm": ["ICHallengePM", "prepare_ichallenge_pm"],
    ".image_folder": ["ImageFolder"],
    ".quality": ["ImageQuality", "assess_file", "assess_image", "audit_dataset"],
    ".gate": ["Gradability", "gradability", "gradability_file"],
    ".retinamnist": ["RetinaMNIST"],
    ".imageio": ["choose_reduction", "image_size_on_disk", "read_image"],
    ".ordinal": ["ordinal_decode", "ordinal_encode", "ordinal_to_class_probs"],
    ".locate": ["locate_dataset", "resolve_data_root"],  # prepare(name, ...): paddle_models.data.locate.prepare
    ".preprocess": ["NORMALIZATION_PRESETS", "PreprocessConfig", "ben_graham", "circular_mask", "crop_dark_border", "pad_to_square", "preprocess_image", "preprocess_steps", "resize_image", "to_display", "to_input"],
    ".registry": ["DATASETS", "build_dataset", "list_datasets", "normalize_name", "synthetic_writer"],
    ".subset": ["load_split", "save_split", "split_with_file", "stratified_subset", "train_valid_split"],
    ".synthetic": ["make_synthetic_aptos", "make_synthetic_aptos_clinics", "make_synthetic_ddr", "make_synthetic_ddr_archives", "make_synthetic_ichallenge_pm", "make_synthetic_ichallenge_pm_archives", "make_synthetic_image_folder", "make_synthetic_retinamnist", "synthetic_fundus"],
    ".transforms": ["train_augmentation"],
})
