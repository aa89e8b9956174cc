"""Preprocessing contract of the crack-detector models (the C# agent reproduces this exactly).

1. Decode: PIL opens the file. JPEG: img.draft('L', (W, H)) -> libjpeg DCT-domain scaling by the
   largest s in (8, 4, 2, 1) with s <= min(w // W, h // H), output size (ceil(w/s), ceil(h/s)), decoded
   straight to luma Y. Then img.convert('L') (no-op for JPEG). Other formats: convert('L') (ITU-R 601).
2. Exact fractional box (area) resize of the whole image w0 x h0 -> W x H:
   out = Ah @ img @ Aw.T in float64, then cast to float32 (no rounding to uint8).
3. Normalise: (pixel * (1/255) - mean) / std, mean = 0.5, std = 0.25.
"""
import numpy as np
from PIL import Image

SCALE = 1.0 / 255.0
MEAN = 0.5
STD = 0.25


def decode_gray(fp, width, height):
    """Step 1: file path or file object -> uint8 grey array (h0, w0)."""
    img = Image.open(fp)
    if img.format == "JPEG":
        img.draft("L", (width, height))
    img = img.convert("L")
    return np.asarray(img, dtype=np.uint8)


def area_matrix(n_in, n_out):
    """A[j, x] = |[x, x+1) ∩ [j*n_in/n_out, (j+1)*n_in/n_out)| / (n_in/n_out), float64 (n_out, n_in)."""
    j = np.arange(n_out, dtype=np.float64)[:, None]
    x = np.arange(n_in, dtype=np.float64)[None, :]
    lo = j * n_in / n_out
    hi = (j + 1) * n_in / n_out
    overlap = np.minimum(hi, x + 1) - np.maximum(lo, x)
    return np.clip(overlap, 0.0, None) / (n_in / n_out)


def resize_area(gray, width, height):
    """Step 2: grey array (h0, w0) -> float32 (height, width) on the 0..255 scale."""
    h0, w0 = gray.shape
    ah = area_matrix(h0, height)
    aw = area_matrix(w0, width)
    out = ah @ gray.astype(np.float64) @ aw.T
    return out.astype(np.float32)


def normalise(resized):
    """Step 3: float32 0..255 -> model input values."""
    return ((resized * np.float32(SCALE)) - np.float32(MEAN)) / np.float32(STD)


def preprocess_file(fp, width, height):
    """Whole contract: file -> float32 tensor [1, 1, height, width]."""
    return normalise(resize_area(decode_gray(fp, width, height), width, height))[None, None]
