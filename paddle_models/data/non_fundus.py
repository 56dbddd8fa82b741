"""Images that are not fundus photographs, drawn procedurally: what the gradability gate must refuse.

Walls, colour gradients (linear, and radial: a bright round blur), sun scenes (also at night: a
bright disc on a dark sky), pages of text, checkerboards, noise -- each ``draw(rng, height, width)``
returns a BGR uint8 image.  ``DRAWINGS`` lists them; the gate's tests and lesson 15 draw from it.
``dark_noise_disc`` is the gate's known miss: a disc of noise on black has a fundus photograph's
shape and enough detail to pass (the gate checks shape and quality, it does not recognise eyes).
"""
from __future__ import annotations

import cv2
import numpy as np


def wall(rng, height, width):
    """A painted wall: one colour, a faint texture."""
    colour = rng.uniform(40, 220, 3)
    texture = cv2.GaussianBlur(rng.normal(0, 6, (height, width)).astype(np.float32), (0, 0), 2)
    return np.clip(colour[None, None] + texture[..., None], 0, 255).astype(np.uint8)


def linear_gradient(rng, height, width):
    """A ramp between two random colours in a random direction."""
    angle = rng.uniform(0, 2 * np.pi)
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    ramp = (xs / width - 0.5) * np.cos(angle) + (ys / height - 0.5) * np.sin(angle)
    ramp = ((ramp - ramp.min()) / (ramp.max() - ramp.min()))[..., None]
    start, end = rng.uniform(0, 255, 3), rng.uniform(0, 255, 3)
    return (start * (1 - ramp) + end * ramp).astype(np.uint8)


def radial_gradient(rng, height, width):
    """A bright centre fading to black: round, on a dark border, but with no detail at all."""
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    distance = np.hypot(xs - width / 2, ys - height / 2) / (min(height, width) / 2)
    colour = rng.uniform(120, 255, 3)
    return np.clip(colour * np.clip(1.1 - distance, 0, 1)[..., None], 0, 255).astype(np.uint8)


def sun_scene(rng, height, width, night=False):
    """A sky (a vertical gradient), a round sun, dark ground below."""
    ys = np.linspace(0, 1, height, dtype=np.float32)[:, None, None]
    if night:
        top, horizon = np.array([5, 5, 8.0]), np.array([10, 10, 20.0])
    else:
        top, horizon = rng.uniform(80, 200, 3), rng.uniform(100, 255, 3)
    sky = np.broadcast_to(top * (1 - ys) + horizon * ys, (height, width, 3)).copy()
    radius = int(min(height, width) * rng.uniform(0.08, 0.45))
    centre = (int(width * rng.uniform(0.3, 0.7)), int(height * rng.uniform(0.3, 0.6)))
    cv2.circle(sky, centre, radius, (120, 220, 255), -1, cv2.LINE_AA)
    sky[int(height * 0.75):] = rng.uniform(0, 60, 3)  # the ground
    return np.clip(sky, 0, 255).astype(np.uint8)


def night_sun(rng, height, width):
    """A bright disc low over a dark sky and dark ground: the shape closest to a fundus."""
    return sun_scene(rng, height, width, night=True)


def text_page(rng, height, width):
    """A page of random words."""
    page = np.full((height, width, 3), rng.uniform(225, 250), np.uint8)
    for y in range(30, height - 10, 22):
        words = " ".join("".join(rng.choice(list("abcdefghijklmnopqrstuvwxyz"), rng.integers(2, 9))) for _ in range(8))
        cv2.putText(page, words, (15, y), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (20, 20, 20), 1, cv2.LINE_AA)
    return page


def checkerboard(rng, height, width):
    """Black and white squares of a random size."""
    cell = int(rng.integers(8, 64))
    ys, xs = np.mgrid[0:height, 0:width]
    board = ((ys // cell + xs // cell) % 2).astype(np.uint8) * 255
    return cv2.cvtColor(board, cv2.COLOR_GRAY2BGR)


def noise(rng, height, width):
    """Uniform colour noise over the whole frame."""
    return rng.integers(0, 256, (height, width, 3), dtype=np.uint8)


def dark_noise_disc(rng, height, width):
    """Noise inside a disc on black: passes the gate (see the module docstring)."""
    image = np.zeros((height, width, 3), np.uint8)
    disc = np.zeros((height, width), np.uint8)
    cv2.circle(disc, (width // 2, height // 2), min(height, width) // 2 - 4, 1, -1)
    image[disc > 0] = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)[disc > 0]
    return image


DRAWINGS = (wall, linear_gradient, radial_gradient, sun_scene, night_sun, text_page, checkerboard, noise)


def draw_all(seeds=range(3), size_range=(200, 500)):
    """[(kind name, BGR image)]: every drawing once per seed, at random sizes."""
    images = []
    for draw in DRAWINGS:
        for seed in seeds:
            rng = np.random.default_rng([seed, 7])
            height, width = int(rng.integers(*size_range)), int(rng.integers(size_range[0], size_range[1] + 100))
            images.append((draw.__name__, draw(rng, height, width)))
    return images
