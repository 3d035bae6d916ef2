#!/usr/bin/env python3
"""Reference logits for ZooForwardTest: torchvision's googlenet and mobilenet_v2, Caffe's
bvlc_alexnet written out below from its deploy.prototxt and ZFNet from Fig. 3 of Zeiler and
Fergus 2013, with deterministic parameters, one input (3x224x224, 3x227x227 for AlexNet),
inference mode.

Every parameter and batch-norm statistic comes from an integer hash of its tensor's number t
(the order of the model's state_dict, num_batches_tracked left out) and the element's row-major
index i in PyTorch's layout, so that the Java test fills Lamina's flat array with the same
values without a weight file:

  u(t, i) = hash(t, i) / 2^32 in [0, 1),  v = 2u - 1
  weight of a convolution or linear layer   v * sqrt(6 / fan_in)  (He uniform)
  batch-norm weight 1 + 0.1 v, bias 0.1 v, running_mean 0.1 v, running_var 1 + 0.5 u
  other biases                              0.1 v
  input                                     v(999, i)

Values are computed in double and rounded to float. Writes <model>.logits (one value a line,
nine significant digits) beside this script. Needs torch and torchvision (Debian:
python3-torchvision); a test fixture generator only, never a dependency of the product.
"""

import os

import numpy as np
import torch
from torch import nn
from torchvision import models

MASK = (1 << 32) - 1


def uniform(t, n):
    """u(t, i) for i in [0, n), the hash the Java test implements."""
    i = np.arange(n, dtype=np.uint64)
    h = (i * np.uint64(2654435761) + np.uint64(t * 40503 + 12345)) & np.uint64(MASK)
    h ^= h >> np.uint64(15)
    h = (h * np.uint64(2246822519)) & np.uint64(MASK)
    h ^= h >> np.uint64(13)
    h = (h * np.uint64(3266489917)) & np.uint64(MASK)
    h ^= h >> np.uint64(16)
    return h.astype(np.float64) / 2.0**32


def fill(model):
    t = 0
    for name, tensor in model.state_dict().items():
        if name.endswith("num_batches_tracked"):
            continue
        u = uniform(t, tensor.numel())
        v = 2 * u - 1
        if name.endswith("running_mean"):
            x = 0.1 * v
        elif name.endswith("running_var"):
            x = 1 + 0.5 * u
        elif tensor.dim() >= 2:
            x = v * np.sqrt(6.0 / (tensor.numel() // tensor.shape[0]))
        elif model.state_dict().get(name[: -len("weight")] + "running_mean") is not None:
            x = 1 + 0.1 * v
        else:
            x = 0.1 * v
        tensor.copy_(torch.from_numpy(x.astype(np.float32)).reshape(tensor.shape))
        t += 1


def alexnet_caffe():
    """models/bvlc_alexnet/deploy.prototxt: LRN k defaults to 1, pooling rounds up."""
    def lrn():
        return nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=1.0)

    def pool():
        return nn.MaxPool2d(3, 2, ceil_mode=True)

    return nn.Sequential(
        nn.Conv2d(3, 96, 11, stride=4), nn.ReLU(), lrn(), pool(),
        nn.Conv2d(96, 256, 5, padding=2, groups=2), nn.ReLU(), lrn(), pool(),
        nn.Conv2d(256, 384, 3, padding=1), nn.ReLU(),
        nn.Conv2d(384, 384, 3, padding=1, groups=2), nn.ReLU(),
        nn.Conv2d(384, 256, 3, padding=1, groups=2), nn.ReLU(), pool(),
        nn.Flatten(),
        nn.Linear(9216, 4096), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(4096, 1000))


def zfnet():
    """Fig. 3's sizes: 110, 55, 26, 13 (pooling rounds up), 6; the normalization as AlexNet's."""
    def lrn():
        return nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=1.0)

    return nn.Sequential(
        nn.Conv2d(3, 96, 7, stride=2, padding=1), nn.ReLU(),
        nn.MaxPool2d(3, 2, ceil_mode=True), lrn(),
        nn.Conv2d(96, 256, 5, stride=2), nn.ReLU(),
        nn.MaxPool2d(3, 2, ceil_mode=True), lrn(),
        nn.Conv2d(256, 384, 3, padding=1), nn.ReLU(),
        nn.Conv2d(384, 384, 3, padding=1), nn.ReLU(),
        nn.Conv2d(384, 256, 3, padding=1), nn.ReLU(), nn.MaxPool2d(3, 2),
        nn.Flatten(),
        nn.Linear(9216, 4096), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(4096, 1000))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    for name, model, size in [
        ("googlenet", models.googlenet(aux_logits=False, init_weights=False), 224),
        ("mobilenet_v2", models.mobilenet_v2(), 224),
        ("alexnet_caffe", alexnet_caffe(), 227),
        ("zfnet", zfnet(), 224),
    ]:
        x = torch.from_numpy((2 * uniform(999, 3 * size * size) - 1).astype(np.float32))
        x = x.reshape(1, 3, size, size)
        model.eval()
        with torch.no_grad():
            fill(model)
            y = model(x)[0]
        with open(os.path.join(here, name + ".logits"), "w") as f:
            for value in y.tolist():
                f.write("%.9g\n" % value)
        print(name, "max |logit|", float(y.abs().max()), "argmax", int(y.argmax()))


if __name__ == "__main__":
    main()
