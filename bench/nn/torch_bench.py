#!/usr/bin/python3
"""PyTorch side of bench/nn: the same training loads as nn_bench.cpp.

usage: /usr/bin/python3 torch_bench.py svdd_lenet|svdd_ae|wrn|vae [epochs] [threads]

Same data (Fashion-MNIST class 0, 6,000 images in [0, 1]), networks, losses,
optimiser settings and batch sizes as vigil_nn_bench; CPU, float32.
Prints one line per epoch and "median_s_per_epoch <value>"; the first epoch
is a warm-up and is not counted. Memory lines as nn_bench.cpp:
"rss_before_training_mib" (torch imported, data loaded, no model yet) and
"peak_rss_mib" (ru_maxrss of the process).
"""
import gzip
import resource
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DIR = "/usr/share/datasets/fashion-mnist/"


def load_class0():
    with gzip.open(DIR + "train-images-idx3-ubyte.gz") as f:
        images = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 784)
    with gzip.open(DIR + "train-labels-idx1-ubyte.gz") as f:
        labels = np.frombuffer(f.read(), dtype=np.uint8, offset=8)
    return torch.from_numpy(images[labels == 0].astype(np.float32) / 255.0)


class LeNet(nn.Module):
    """Deep SVDD's MNIST LeNet (REFERENCE-SETTINGS.md), optionally with its decoder."""

    def __init__(self, autoencoder):
        super().__init__()
        self.autoencoder = autoencoder
        bn = lambda c: nn.BatchNorm2d(c, eps=1e-4, affine=False)
        self.conv1, self.bn1 = nn.Conv2d(1, 8, 5, bias=False, padding=2), bn(8)
        self.conv2, self.bn2 = nn.Conv2d(8, 4, 5, bias=False, padding=2), bn(4)
        self.fc1 = nn.Linear(196, 32, bias=False)
        if autoencoder:
            self.deconv1, self.bn3 = nn.ConvTranspose2d(2, 4, 5, bias=False, padding=2), bn(4)
            self.deconv2, self.bn4 = nn.ConvTranspose2d(4, 8, 5, bias=False, padding=3), bn(8)
            self.deconv3 = nn.ConvTranspose2d(8, 1, 5, bias=False, padding=2)

    def forward(self, x):
        h = F.max_pool2d(F.leaky_relu(self.bn1(self.conv1(x))), 2)
        h = F.max_pool2d(F.leaky_relu(self.bn2(self.conv2(h))), 2)
        z = self.fc1(h.flatten(1))
        if not self.autoencoder:
            return z
        h = F.interpolate(F.leaky_relu(z.view(-1, 2, 4, 4)), scale_factor=2)
        h = F.interpolate(F.leaky_relu(self.bn3(self.deconv1(h))), scale_factor=2)
        h = F.interpolate(F.leaky_relu(self.bn4(self.deconv2(h))), scale_factor=2)
        return torch.sigmoid(self.deconv3(h))


class WideBlock(nn.Module):
    """Pre-activation basic block: relu(bn) -> conv3x3(stride) -> relu(bn) -> conv3x3, plus shortcut."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.bn1, self.bn2 = nn.BatchNorm2d(cin), nn.BatchNorm2d(cout)
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.shortcut = nn.Conv2d(cin, cout, 1, stride, 0, bias=False) if cin != cout or stride != 1 else None

    def forward(self, x):
        o = F.relu(self.bn1(x))
        y = self.conv2(F.relu(self.bn2(self.conv1(o))))
        return y + (self.shortcut(o) if self.shortcut is not None else x)


class Wrn(nn.Module):
    def __init__(self, depth, k, cin, classes):
        super().__init__()
        n = (depth - 4) // 6
        ch = [16, 16 * k, 32 * k, 64 * k]
        self.conv1 = nn.Conv2d(cin, 16, 3, 1, 1, bias=False)
        blocks, c = [], 16
        for g in range(3):
            for b in range(n):
                blocks.append(WideBlock(c, ch[g + 1], 2 if (b == 0 and g > 0) else 1))
                c = ch[g + 1]
        self.blocks = nn.Sequential(*blocks)
        self.bn = nn.BatchNorm2d(c)
        self.fc = nn.Linear(c, classes)

    def forward(self, x):
        h = F.relu(self.bn(self.blocks(self.conv1(x))))
        return self.fc(h.mean((2, 3)))


class Vae(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc, self.mu, self.logvar = nn.Linear(784, 256), nn.Linear(256, 16), nn.Linear(256, 16)
        self.dec1, self.dec2 = nn.Linear(16, 256), nn.Linear(256, 784)

    def loss(self, x):
        h = F.relu(self.enc(x))
        m, lv = self.mu(h), self.logvar(h)
        z = m + torch.exp(lv * 0.5) * torch.randn_like(m)
        rec = torch.sigmoid(self.dec2(F.relu(self.dec1(z))))
        sse = ((rec - x) ** 2).sum()
        kl = 0.5 * (torch.exp(lv) + m ** 2 - lv - 1.0).sum()
        return (sse + kl) / x.shape[0]


def rss_mib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def main():
    load = sys.argv[1]
    epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    torch.set_num_threads(int(sys.argv[3]) if len(sys.argv) > 3 else 2)
    torch.manual_seed(0)
    data = load_class0()
    print(f"rss_before_training_mib {rss_mib():.1f}", flush=True)
    n = data.shape[0]
    times = []

    def run_epoch(step, bs):
        order = torch.randperm(n)
        t0 = time.perf_counter()
        last = 0.0
        for b0 in range(0, n - bs + 1, bs):
            last = step(data[order[b0:b0 + bs]])
        s = time.perf_counter() - t0
        times.append(s)
        print(f"epoch {len(times)}: {s:.3f} s, last loss {last:.6g}", flush=True)

    if load in ("svdd_lenet", "svdd_ae"):
        ae = load == "svdd_ae"
        net = LeNet(ae)
        opt = torch.optim.Adam(net.parameters(), lr=1e-4, weight_decay=0.5e-3 if ae else 0.5e-6)
        c = None
        if not ae:
            net.eval()
            with torch.no_grad():
                c = net(data[:200].view(-1, 1, 28, 28)).mean(0)
            net.train()

        def step(xb):
            x = xb.view(-1, 1, 28, 28)
            opt.zero_grad()
            out = net(x)
            loss = F.mse_loss(out, x) if ae else ((out - c) ** 2).sum(1).mean()
            loss.backward()
            opt.step()
            return loss.item()

        for _ in range(epochs + 1):
            run_epoch(step, 200)
    elif load == "wrn":
        n, bs = 1280, 128
        xs = torch.rand(n, 3, 32, 32) * 2 - 1
        ys = torch.randint(0, 72, (n,))
        wrn = Wrn(10, 4, 3, 72)
        opt = torch.optim.Adam(wrn.parameters(), weight_decay=5e-4)
        for _ in range(epochs + 1):
            order = torch.randperm(n)
            t0 = time.perf_counter()
            last = 0.0
            for b0 in range(0, n - bs + 1, bs):
                idx = order[b0:b0 + bs]
                opt.zero_grad()
                loss = F.cross_entropy(wrn(xs[idx]), ys[idx])
                loss.backward()
                opt.step()
                last = loss.item()
            s = time.perf_counter() - t0
            times.append(s)
            print(f"epoch {len(times)}: {s:.3f} s, last loss {last:.6g}", flush=True)
    elif load == "vae":
        vae = Vae()
        opt = torch.optim.Adam(vae.parameters(), lr=1e-3)

        def step(xb):
            opt.zero_grad()
            loss = vae.loss(xb)
            loss.backward()
            opt.step()
            return loss.item()

        for _ in range(epochs + 1):
            run_epoch(step, 128)
    else:
        sys.exit(f"unknown load {load}")
    counted = sorted(times[1:])
    print(f"median_s_per_epoch {counted[len(counted) // 2]:.4f}")
    print(f"peak_rss_mib {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0:.1f}")


if __name__ == "__main__":
    main()
