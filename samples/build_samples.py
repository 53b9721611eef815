"""Rebuild the bundled sample images from photos that ship inside pip packages.

Run once with scikit-image and scikit-learn installed: ``python samples/build_samples.py``.
Each output keeps its source's licence (see samples/SOURCES.md); a few are saved in
other formats and modes so the demo exercises the decoder too.
"""

from pathlib import Path

import numpy as np
import skimage.data
from PIL import Image
from sklearn.datasets import load_sample_images

HERE = Path(__file__).resolve().parent


def main() -> None:
    """Write every sample image next to this script."""
    china, flower = load_sample_images().images
    Image.fromarray(skimage.data.chelsea()).save(HERE / "chelsea.png")
    Image.fromarray(skimage.data.coffee()).save(HERE / "coffee.webp", quality=90)
    Image.fromarray(skimage.data.astronaut()).convert("CMYK").save(HERE / "astronaut_cmyk.jpg", quality=90)
    Image.fromarray(skimage.data.rocket()).save(HERE / "rocket.jpg", quality=90)
    Image.fromarray(skimage.data.hubble_deep_field()).save(HERE / "hubble_deep_field.jpg", quality=90)
    Image.fromarray(skimage.data.logo()).save(HERE / "logo_rgba.png")
    Image.fromarray(skimage.data.retina()).quantize(64).save(HERE / "retina_palette.gif")
    Image.fromarray(skimage.data.coins()).save(HERE / "coins_grey.png")
    Image.fromarray(china).save(HERE / "china.jpg", quality=90)
    Image.fromarray(flower).save(HERE / "flower.bmp")
    # A 16-bit greyscale PNG: the decoder must scale it, not clip it to white.
    moon16 = skimage.data.moon().astype(np.uint16) * 257
    Image.fromarray(moon16).save(HERE / "moon_16bit.png")


if __name__ == "__main__":
    main()
