"""Synthetic fundus photographs, written in the exact layouts of the real datasets.

The real datasets need a registration and several GB of downloads.  Tests, the demo and the
lessons' fast mode use look-alikes instead.  One module per concern:

    fundus.py         painting one photograph, layer by layer (``synthetic_fundus``)
    writing.py        what the writers share: one random generator per image, the split writer
                      (``write_split``), the SYNTHETIC.txt note (``mark_synthetic``, ``is_synthetic``)
    ichallenge_pm.py  make_synthetic_ichallenge_pm (+ _archives: training.zip etc., as distributed)
    ddr.py            make_synthetic_ddr (+ _archives: DDR-dataset.zip or its numbered parts)
    aptos.py          make_synthetic_aptos: four framings, varied cameras, synthetic_truth.csv
    image_folder.py   make_synthetic_image_folder: one folder per class
    retinamnist.py    make_synthetic_retinamnist: MedMNIST's .npz

Each reader class names its writer (``DDR.write_synthetic``), which is how ``python -m paddle_models
synth`` and the lessons find it.

Class signal: pathologic myopia (PM) = strong tessellation + peripapillary atrophy (+ atrophic
patches); high myopia = mild tessellation, at most a thin crescent; normal = neither.  DR grade
g = lesions that grow in number and kind with g; "ungradable" = blurred and badly exposed.  The
writers' difficulty controls (``pm_signal``, ``label_noise``, ``lesion_scale``, ``grade_overlap``
...) are described in their modules; a control left at its default draws no extra random numbers,
so the default datasets do not change.

Everything is deterministic for a seed.  Reduced resolution (the default) is fast: a few hundred
images in seconds.  ``image_size="real"`` gives iChallenge-PM's 2124x2056.
"""
from .aptos import (APTOS_CROP_SHARES, APTOS_CROPS, APTOS_TRAIN_COUNTS, framed_fundus, make_synthetic_aptos,
                    make_synthetic_aptos_clinics, vary_camera)
from .ddr import (DDR_CAMERAS, DDR_CLASS_COUNTS, ddr_file_name, ddr_proportion_counts, make_synthetic_ddr,
                  make_synthetic_ddr_archives, noisy_grades)
from .fundus import (MYOPIA_LEVELS, Eye, apply_camera, apply_nuisance, blend, distance_map, grow_vessel,
                     paint_atrophy, paint_dr_lesions, paint_macula, paint_optic_disc, paint_retina,
                     paint_tessellation, paint_vessels, random_eye, random_points, smooth_noise, soft_mask,
                     synthetic_fundus)
from .ichallenge_pm import (PM_TABLE_COLUMNS, make_synthetic_ichallenge_pm, make_synthetic_ichallenge_pm_archives,
                            write_pm_label_table)
from .image_folder import make_synthetic_image_folder
from .retinamnist import make_synthetic_retinamnist
from .writing import (PALM_SIZE, SYNTHETIC_MARKER, Photo, frame_size, grade_counts, image_rng, is_synthetic,
                      mark_synthetic, paint_split, painted_severities, write_image, write_split, zip_folder)
