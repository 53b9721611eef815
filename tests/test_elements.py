"""The element detector on inputs whose answer is known by construction, and on real photos."""

import numpy as np
import pytest
import skimage.data
from PIL import Image
from sklearn.datasets import load_sample_images

from models.element_detector import INPUT_SIZE
from tests.conftest import solid

CAT_CLASSES = {"tabby", "tiger cat", "Egyptian cat", "Persian cat", "Siamese cat", "lynx"}


def model_input(rgb: np.ndarray) -> np.ndarray:
    """Resizes like the decoder does, so tests feed the detector what the pipeline feeds it."""
    return np.asarray(Image.fromarray(rgb).resize((INPUT_SIZE, INPUT_SIZE), Image.Resampling.BILINEAR))


def resolve(detector, *images: np.ndarray) -> list[dict]:
    return detector.resolve(np.stack([model_input(image) for image in images]))


def test_two_colour_image_gives_both_colours_and_their_fractions(detector) -> None:
    image = solid(300, 400, (200, 30, 40))
    image[:, 280:] = (20, 60, 180)  # 70% red, 30% blue
    palette = resolve(detector, image)[0]["palette"]
    assert len(palette) == 2
    (first, second) = palette
    assert np.abs(np.array(first["rgb"]) - [200, 30, 40]).max() <= 3
    assert np.abs(np.array(second["rgb"]) - [20, 60, 180]).max() <= 3
    assert abs(first["fraction"] - 0.7) <= 0.03 and abs(second["fraction"] - 0.3) <= 0.03
    assert first["family"] == "red" and second["family"] == "blue"
    assert first["hex"] == "#{:02x}{:02x}{:02x}".format(*first["rgb"])


def test_centred_object_on_plain_background_is_the_subject(detector) -> None:
    image = solid(300, 400, (240, 240, 236))
    image[100:200, 150:250] = (200, 20, 20)  # object: x 0.375-0.625, y 0.333-0.667
    record = resolve(detector, image)[0]
    subjects = [a for a in record["areas"] if a["role"] == "subject"]
    assert subjects, record["areas"]
    box = subjects[0]["box"]
    assert box["x_min"] <= 0.375 and box["x_max"] >= 0.625 and box["y_min"] <= 0.34 and box["y_max"] >= 0.66
    assert box["x_min"] >= 0.25 and box["x_max"] <= 0.75 and box["y_min"] >= 0.2 and box["y_max"] <= 0.8
    assert subjects[0]["family"] == "red"
    backgrounds = [a for a in record["areas"] if a["role"] == "background"]
    assert backgrounds and backgrounds[0]["fraction"] > 0.75 and backgrounds[0]["family"] in ("white", "grey")
    largest_of_family = {}
    for colour in reversed(record["palette"]):  # the palette is largest first
        largest_of_family[colour["family"]] = colour["role"]
    assert largest_of_family["red"] == "foreground"
    assert largest_of_family[backgrounds[0]["family"]] == "background"
    assert record["foreground"]["palette"][0]["family"] == "red"
    assert abs(record["composition"]["subject_x"] - 0.5) < 0.05 and abs(record["composition"]["subject_y"] - 0.5) < 0.05


def test_grey_image_has_no_saturation_no_colour_and_no_subject(detector) -> None:
    record = resolve(detector, solid(200, 200, (128, 128, 128)))[0]
    measures = record["measures"]
    assert measures["saturation"] < 0.02 and measures["colourfulness"] < 1.0 and measures["hue_diversity"] == 0.0
    assert measures["contrast"] < 0.01 and abs(measures["brightness"] - 128 / 255) < 0.02
    assert measures["negative_space"] > 0.9
    assert record["foreground"]["fraction"] == 0.0 and record["foreground"]["brightness"] is None
    assert [a["role"] for a in record["areas"]] == ["background"]
    assert [c["family"] for c in record["palette"]] == ["grey"]


def test_measures_follow_the_image(detector) -> None:
    dark, bright, warm, cool = resolve(
        detector,
        solid(100, 100, (20, 20, 30)),
        solid(100, 100, (235, 235, 240)),
        solid(100, 100, (230, 120, 20)),
        solid(100, 100, (20, 120, 230)),
    )
    assert dark["measures"]["brightness"] < 0.15 < 0.85 < bright["measures"]["brightness"]
    assert warm["measures"]["warmth"] > 0.5 and cool["measures"]["warmth"] < -0.5
    noise = np.random.default_rng(0).integers(0, 256, (224, 224, 3), dtype=np.uint8)
    (busy,) = resolve(detector, noise)
    assert busy["measures"]["edge_density"] > 0.3 > dark["measures"]["edge_density"]
    assert busy["measures"]["hue_diversity"] > 0.9


def test_real_photos_give_their_objects(detector) -> None:
    chelsea, coffee = resolve(detector, skimage.data.chelsea(), skimage.data.coffee())
    assert CAT_CLASSES & {o["label"] for o in chelsea["objects"][:3]}
    assert coffee["objects"][0]["label"] == "espresso"
    for record in (chelsea, coffee):
        scores = [o["score"] for o in record["objects"]]
        assert scores == sorted(scores, reverse=True) and len(scores) == 5


def test_photo_record_is_complete_and_in_range(detector) -> None:
    china, flower = load_sample_images().images
    for record in resolve(detector, china, flower, skimage.data.astronaut()):
        assert 5 <= len(record["palette"]) <= 8
        assert abs(sum(c["fraction"] for c in record["palette"]) - 1.0) < 0.05
        assert abs(sum(c["score"] for c in record["palette"]) - 1.0) < 0.01
        assert {c["role"] for c in record["palette"]} <= {"foreground", "background", "both"}
        for name in ("brightness", "contrast", "saturation", "hue_diversity", "sharpness", "edge_density", "texture"):
            assert 0.0 <= record["measures"][name] <= 1.0, name
        assert -1.0 <= record["measures"]["warmth"] <= 1.0
        assert 0.0 <= record["measures"]["colourfulness"] <= 200.0
        assert record["areas"] and all(0 <= a["box"]["x_min"] < a["box"]["x_max"] <= 1 for a in record["areas"])
        assert all(a["fraction"] >= 0.02 for a in record["areas"])
        subjects = [a for a in record["areas"] if a["role"] == "subject"]
        assert all(len(a["objects"]) == 5 for a in subjects)
        assert record["model_version"]


def test_flower_subject_area_is_a_flower(detector) -> None:
    flower = load_sample_images().images[1]
    (record,) = resolve(detector, flower)
    subject = next(a for a in record["areas"] if a["role"] == "subject")
    assert {"daisy", "pot", "bee", "strawberry", "hip", "ear", "cardoon", "sea anemone"} & {
        o["label"] for o in subject["objects"][:5]
    }


@pytest.mark.parametrize("size", [(100, 300), (640, 480), (224, 224)])
def test_any_input_size_is_accepted(detector, size: tuple[int, int]) -> None:
    image = np.random.default_rng(1).integers(0, 256, (*size, 3), dtype=np.uint8)
    assert len(detector.resolve(image[None])) == 1
