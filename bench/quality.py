#!/usr/bin/env python3
"""Output quality of `pipeline convert` beside Pillow's, against one common reference.

For each listed image: the reference is Pillow's LANCZOS ImageOps.fit (EXIF-oriented, RGB) to
SIZE x SIZE, not compressed; Pillow's output is what pil_convert.py makes (BICUBIC fit, JPEG at
QUALITY); ours is the stored JPEG. PSNR over all pixels of all images (one pooled mean squared
error); SSIM (Wang et al. 2004: Gaussian window sigma 1.5, K1 0.01, K2 0.03, on each RGB channel)
averaged over images.

  /usr/bin/python3 quality.py IMAGES_DIR OURS_DIR SIZE QUALITY
OURS_DIR holds list.txt (one path relative to IMAGES_DIR a line) and 0.jpg, 1.jpg, ... in that order.
Prints one JSON line: {"images", "reference", "oursPsnrDb", "pillowPsnrDb", "differenceDb", "oursSsim", "pillowSsim"}.
"""
import io, json, math, os, sys
import numpy as np
from PIL import Image, ImageOps
from scipy.ndimage import gaussian_filter


def ssim(a, b):
    """Mean SSIM of two HxWx3 float images (0..255), channel by channel."""
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    f = lambda x: gaussian_filter(x, 1.5, truncate=3.5)
    values = []
    for ch in range(3):
        x, y = a[:, :, ch], b[:, :, ch]
        mx, my = f(x), f(y)
        sxx, syy, sxy = f(x * x) - mx * mx, f(y * y) - my * my, f(x * y) - mx * my
        values.append(np.mean(((2 * mx * my + c1) * (2 * sxy + c2)) / ((mx * mx + my * my + c1) * (sxx + syy + c2))))
    return float(np.mean(values))


images, ours, size, quality = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rels = open(os.path.join(ours, 'list.txt'), encoding='utf-8').read().splitlines()
se_ours = se_pillow = count = ssim_ours = ssim_pillow = 0.0
for i, rel in enumerate(rels):
    source = ImageOps.exif_transpose(Image.open(os.path.join(images, rel))).convert('RGB')
    reference = np.asarray(ImageOps.fit(source, (size, size), Image.LANCZOS), dtype=np.float64)
    buffer = io.BytesIO()
    ImageOps.fit(source, (size, size), Image.BICUBIC).save(buffer, 'JPEG', quality=quality)
    pillow = np.asarray(Image.open(buffer).convert('RGB'), dtype=np.float64)
    mine = np.asarray(Image.open(os.path.join(ours, f'{i}.jpg')).convert('RGB'), dtype=np.float64)
    if mine.shape != reference.shape:
        sys.exit(f'{rel}: ours is {mine.shape}, the reference {reference.shape}')
    se_ours += float(((mine - reference) ** 2).sum())
    se_pillow += float(((pillow - reference) ** 2).sum())
    ssim_ours += ssim(mine, reference)
    ssim_pillow += ssim(pillow, reference)
    count += reference.size

psnr = lambda se: 10 * math.log10(255 ** 2 / (se / count))
print(json.dumps({"images": len(rels), "reference": f"Pillow LANCZOS ImageOps.fit {size}x{size}, uncompressed",
                  "oursPsnrDb": round(psnr(se_ours), 2), "pillowPsnrDb": round(psnr(se_pillow), 2),
                  "differenceDb": round(psnr(se_ours) - psnr(se_pillow), 2),
                  "oursSsim": round(ssim_ours / len(rels), 4), "pillowSsim": round(ssim_pillow / len(rels), 4)}))
