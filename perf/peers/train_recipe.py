"""Control for VoxelGan's recipe search: a PyTorch transcription of VoxelGan's WGAN-GP training loop
(the paper's / authors' model, DESIGN.md section 3, after perf/peers/train_bench.py) with the recipe
exposed as command-line knobs, so that a recipe that trains without mode collapse can be found in an
independent implementation and then carried over to the C# engine.

Model
  Generator: z [B,128] ~ N(0,1) -> mapping 8 x (Linear(128,128) + LeakyReLU(0.2)) -> Linear(128, 8 F0)
  + LeakyReLU(0.2) -> view [B,F0,2,2,2] = w -> nb = log2(n)-2 residual blocks
  x <- LReLU(ConvT3d_k3_s2(x)) + LReLU(ConvT3d_k1_s(2^(b+1))(w)) -> ConvT3d_k3_s2 to 1 channel ->
  lmin + (tanh(.)+1)/2 (lmax-lmin); filters [S 2^nb, ..., 2S, S], S = nGf.
  Transposed convolutions: --convt keras (default, the authors' TensorFlow 'same': input voxel i
  reaches output 2i+k, i.e. padding 0 and crop to the first 2n voxels) or --convt torch (padding 1,
  output_padding 1: input voxel i reaches 2i+k-1). Kernel-1 stride-s skips: output s*i in both.
  Critic: log2(n) residual blocks (r = Conv_k1(x); h = Conv_k3(LReLU(Conv_k3(x), 0.3));
  LReLU(h + r, 0.3); AvgPool3d(2) but after the last), filters nDf 2^b, flatten, Linear(8 C, 1).
  Init: orthogonal with gain (--gain 1, a number, or lrelu = calculate_gain('leaky_relu', 0.2)), zero biases.
  --output-margin m widens [lmin, lmax] by m (lmax - lmin) on each side (VoxelGan --output-margin).
Loss: WGAN-GP (lambda 10, double backprop), L_G = -E[D(fake)].
Optimizers: three NAdam (eps 1e-7): critic lr_D, generator synthesis lr_G, mapping lr_G * factor;
  gradients divided by the batch size (tf.nn.compute_average_loss: loss/batch before clipping;
  --no-batch-divide turns it off), then each optimizer clips its own global norm to --clip (0: none).
Schedule: --critic-steps 1 = the authors' joint update (one generator forward, one backward of L_D,
  generator gradients negated); k > 1 = k critic updates on fresh batches, then one generator update.
Data: a folder of n^3 uint8 .npy volumes, standardized by the set's mean and population std;
  epoch-wise shuffled batches.
Evaluation every --eval-every iterations and at the end: 16 volumes from fixed latents,
  de-standardized, binarized at the data mean (standardized 0), written as uint8 .npy and scored with
  `voxelgan evaluate --homogenize 0`. Prints one JSON line per evaluation.

Usage: /usr/bin/python3 train_recipe.py --label NAME [knobs]   (see --help)
"""
import argparse
import glob
import json
import math
import os
import subprocess
import time

import numpy as np
import torch
import torch.nn as nn

from gan_critic import Critic

p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
p.add_argument("--label", default="trial")
p.add_argument("--data", default="runs/recipe/data16", help="folder of training volumes: voxelgan spheres --count 64 --size 16 --radius 2 --fraction 0.2 --seed 1 --style periodic --out runs/recipe/data16")
p.add_argument("--out", default="runs/recipe/control")
p.add_argument("--md", default="", help="append the final row to this markdown table")
p.add_argument("--cli", default="voxelgan", help="the voxelgan executable used for evaluate (e.g. from dotnet publish src/Cli -o DIR)")
p.add_argument("--ngf", type=int, default=8)
p.add_argument("--ndf", type=int, default=4)
p.add_argument("--batch", type=int, default=8)
p.add_argument("--lr-d", type=float, default=1e-4)
p.add_argument("--lr-g", type=float, default=5e-5)
p.add_argument("--mapping-factor", type=float, default=0.01)
p.add_argument("--beta1", type=float, default=0.9)
p.add_argument("--beta2", type=float, default=0.999)
p.add_argument("--eps", type=float, default=1e-7)
p.add_argument("--clip", type=float, default=1.0, help="global-norm clip per optimizer; 0 = none")
p.add_argument("--no-batch-divide", action="store_true", help="do not divide gradients by the batch size before clipping")
p.add_argument("--critic-steps", type=int, default=1)
p.add_argument("--gp-weight", type=float, default=10.0)
p.add_argument("--gain", default="1", help="orthogonal init gain: a number or 'lrelu'")
p.add_argument("--output-margin", type=float, default=0.0, help="widen the output range [lmin, lmax] by this fraction of it on each side (VoxelGan --output-margin)")
p.add_argument("--convt", choices=["keras", "torch"], default="keras")
p.add_argument("--iterations", type=int, default=1000)
p.add_argument("--max-seconds", type=float, default=0, help="stop training after this much training time (0: no cap)")
p.add_argument("--eval-every", type=int, default=250)
p.add_argument("--seed", type=int, default=0)
p.add_argument("--threads", type=int, default=1)
args = p.parse_args()

torch.set_num_threads(args.threads)
torch.manual_seed(args.seed)
rng = np.random.default_rng(args.seed)

# ---------------------------------------------------------------- data
files = sorted(glob.glob(os.path.join(args.data, "*.npy")))
raw = np.stack([np.load(f) for f in files]).astype(np.float32)
mean, std = float(raw.mean()), float(raw.std())
data = torch.from_numpy((raw - mean) / std).unsqueeze(1)
lmin, lmax = float(data.min()), float(data.max())
_span = lmax - lmin
lmin, lmax = lmin - args.output_margin * _span, lmax + args.output_margin * _span
n = data.shape[-1]
count = data.shape[0]


class Batches:
    def __init__(self):
        self.perm, self.pos = rng.permutation(count), 0

    def next(self, b):
        if self.pos + b > count:
            self.perm, self.pos = rng.permutation(count), 0
        idx = self.perm[self.pos:self.pos + b]
        self.pos += b
        return data[torch.from_numpy(idx)]


batches = Batches()


# ---------------------------------------------------------------- model
class ConvT(nn.Module):
    """Transposed conv with output = input * stride; keras: i -> s i + k (crop the end), torch: i -> s i + k - p."""

    def __init__(self, cin, cout, k, s, convention):
        super().__init__()
        if k == 1:
            self.conv, self.crop = nn.ConvTranspose3d(cin, cout, 1, stride=s, padding=0, output_padding=s - 1), False
        elif convention == "keras":
            self.conv, self.crop = nn.ConvTranspose3d(cin, cout, k, stride=s, padding=0), True
        else:
            excess = k - s
            pad = (excess + 1) // 2 if excess > 0 else 0
            self.conv, self.crop = nn.ConvTranspose3d(cin, cout, k, stride=s, padding=pad, output_padding=2 * pad - excess), False
        self.s = s

    def forward(self, x):
        y = self.conv(x)
        if self.crop:
            m = x.shape[-1] * self.s
            y = y[..., :m, :m, :m]
        return y


class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        nb = int(math.log2(n)) - 2
        f = [args.ngf << (nb - b) for b in range(nb + 1)]
        self.f0 = f[0]
        self.mapping = nn.Sequential(*[m for _ in range(8) for m in (nn.Linear(128, 128), nn.LeakyReLU(0.2))])
        self.input = nn.Sequential(nn.Linear(128, 8 * f[0]), nn.LeakyReLU(0.2))
        self.main = nn.ModuleList([nn.Sequential(ConvT(f[b], f[b + 1], 3, 2, args.convt), nn.LeakyReLU(0.2)) for b in range(nb)])
        self.skip = nn.ModuleList([nn.Sequential(ConvT(f[0], f[b + 1], 1, 2 << b, args.convt), nn.LeakyReLU(0.2)) for b in range(nb)])
        self.output = ConvT(args.ngf, 1, 3, 2, args.convt)

    def pre(self, z):
        w = self.input(self.mapping(z)).view(-1, self.f0, 2, 2, 2)
        x = w
        for main, skip in zip(self.main, self.skip):
            x = main(x) + skip(w)
        return self.output(x)

    def forward(self, z, return_pre=False):
        a = self.pre(z)
        y = lmin + (torch.tanh(a) + 1) / 2 * (lmax - lmin)
        return (y, a) if return_pre else y


G, D = Generator(), Critic(n, args.ndf)
gain = nn.init.calculate_gain("leaky_relu", 0.2) if args.gain == "lrelu" else float(args.gain)
for m in list(G.modules()) + list(D.modules()):
    if isinstance(m, (nn.Linear, nn.Conv3d, nn.ConvTranspose3d)):
        nn.init.orthogonal_(m.weight, gain=gain)
        nn.init.zeros_(m.bias)
mapping = list(G.mapping.parameters())
synthesis = [q for name, q in G.named_parameters() if not name.startswith("mapping.")]
critic = list(D.parameters())
betas = (args.beta1, args.beta2)
opt_d = torch.optim.NAdam(critic, lr=args.lr_d, betas=betas, eps=args.eps)
opt_g = torch.optim.NAdam(synthesis, lr=args.lr_g, betas=betas, eps=args.eps)
opt_m = torch.optim.NAdam(mapping, lr=args.lr_g * args.mapping_factor, betas=betas, eps=args.eps)


def step(groups):
    for params, opt in groups:
        if not args.no_batch_divide:
            for q in params:
                q.grad.div_(args.batch)
        if args.clip > 0:
            torch.nn.utils.clip_grad_norm_(params, args.clip)
        opt.step()


def critic_loss(real, fake):
    d_real, d_fake = D(real).mean(), D(fake).mean()
    alpha = torch.rand(real.shape[0], 1, 1, 1, 1)
    x_hat = (real + alpha * (fake.detach() - real)).requires_grad_(True)
    grad, = torch.autograd.grad(D(x_hat).sum(), x_hat, create_graph=True)
    gp = ((grad.flatten(1).norm(dim=1) - 1) ** 2).mean()
    return d_fake - d_real + args.gp_weight * gp, d_real, d_fake, gp


def zero():
    for o in (opt_d, opt_g, opt_m):
        o.zero_grad(set_to_none=True)


def iteration():
    """Returns (W estimate, GP) of the (last) critic step."""
    if args.critic_steps == 1:
        zero()
        fake = G(torch.randn(args.batch, 128))
        loss, d_real, d_fake, gp = critic_loss(batches.next(args.batch), fake)
        loss.backward()
        for q in G.parameters():
            q.grad.neg_()  # dL_D/dtheta_G = dE[D(fake)]/dtheta_G = -dL_G/dtheta_G
        step([(critic, opt_d), (synthesis, opt_g), (mapping, opt_m)])
    else:
        for _ in range(args.critic_steps):
            zero()
            with torch.no_grad():
                fake = G(torch.randn(args.batch, 128))
            loss, d_real, d_fake, gp = critic_loss(batches.next(args.batch), fake)
            loss.backward()
            step([(critic, opt_d)])
        zero()
        loss_g = -D(G(torch.randn(args.batch, 128))).mean()
        loss_g.backward()
        step([(synthesis, opt_g), (mapping, opt_m)])
    return float(d_real - d_fake), float(gp)


# ---------------------------------------------------------------- evaluation
z_eval = torch.randn(16, 128, generator=torch.Generator().manual_seed(1234))
run_dir = os.path.join(args.out, args.label)
os.makedirs(run_dir, exist_ok=True)


def evaluate(it):
    with torch.no_grad():
        y, a = G(z_eval, return_pre=True)
    sat = float((a.abs() > 3).float().mean())
    latent_dep = float(y.std(0, unbiased=False).mean())
    pre_dep = float(a.std(0, unbiased=False).mean())  # the same before tanh
    pre_abs = float(a.mean(0).abs().mean())  # |mean pre-activation over latents|, averaged over voxels
    folder = os.path.join(run_dir, f"eval_{it:06d}")
    os.makedirs(folder, exist_ok=True)
    vol = y[:, 0].numpy() * std + mean
    phases = (vol > mean).astype(np.uint8)
    for i in range(phases.shape[0]):
        np.save(os.path.join(folder, f"fake_{i:02d}.npy"), phases[i])
    res = subprocess.run([args.cli, "evaluate", "--real", args.data, "--fake", folder, "--homogenize", "0", "--device", "cpu"],
                         capture_output=True, text=True)
    ev = {}
    try:
        with open(os.path.join(folder, "evaluation.json")) as fh:
            ev = json.load(fh)
    except (OSError, ValueError):
        ev = {"error": res.stderr[-500:]}
    div = ev.get("diversity", {})
    return {
        "voxel_std_ratio": div.get("voxel_std", {}).get("ratio"),
        "E_p1": ev.get("E_p1"), "E_p2": ev.get("E_p2"),
        "verdict": (div.get("verdict") or ev.get("error", "?")).split(":")[0],
        "p1_fake": ev.get("p1", {}).get("fake"),
        "sat_frac": sat, "latent_dep": latent_dep, "pre_dep": pre_dep, "pre_abs_mean": pre_abs,
    }


knobs = {k: v for k, v in vars(args).items() if k not in ("data", "out", "md", "cli", "threads", "label")}
print(json.dumps({"label": args.label, "knobs": knobs, "mean": mean, "std": std, "lmin": lmin, "lmax": lmax,
                  "generator_parameters": sum(q.numel() for q in G.parameters()),
                  "critic_parameters": sum(q.numel() for q in D.parameters())}), flush=True)
log = open(os.path.join(run_dir, "log.jsonl"), "w")


def report(it, ws, gps, train_time):
    rec = {"label": args.label, "iter": it, "s_per_iter": train_time / max(it, 1),
           "W": float(np.mean(ws)) if ws else None, "GP": float(np.mean(gps)) if gps else None}
    rec.update(evaluate(it))
    line = json.dumps(rec)
    print(line, flush=True)
    log.write(line + "\n")
    log.flush()
    return rec


train_time, ws, gps, rec = 0.0, [], [], None
rec = report(0, [], [], 0.0)
for it in range(1, args.iterations + 1):
    t0 = time.perf_counter()
    w, gp = iteration()
    train_time += time.perf_counter() - t0
    if not (math.isfinite(w) and math.isfinite(gp)):
        print(json.dumps({"label": args.label, "iter": it, "error": "non-finite loss"}), flush=True)
        break
    ws.append(w)
    gps.append(gp)
    capped = args.max_seconds > 0 and train_time >= args.max_seconds
    if it % args.eval_every == 0 or it == args.iterations or capped:
        rec = report(it, ws, gps, train_time)
        ws, gps = [], []
    if capped:
        break

if args.md and rec is not None:
    defaults = {a.dest: a.default for a in p._actions if a.dest in knobs}
    diff = " ".join(f"{k}={v}" for k, v in knobs.items()
                    if v != defaults.get(k) and k not in ("iterations", "max_seconds", "eval_every", "seed"))
    fmt = lambda v, f: "-" if v is None else format(v, f)
    new = not os.path.exists(args.md) or os.path.getsize(args.md) == 0
    with open(args.md, "a") as fh:
        if new:
            fh.write("| trial | knobs (vs authors' defaults) | iters | s/iter | W | GP | sat frac | latent dep | voxel-std ratio | E_p1 | E_p2 | verdict |\n")
            fh.write("|---|---|---|---|---|---|---|---|---|---|---|---|\n")
        fh.write(f"| {args.label} | {diff or 'defaults'} | {rec['iter']} | {rec['s_per_iter']:.3f} | {fmt(rec['W'], '.3g')} | "
                 f"{fmt(rec['GP'], '.3g')} | {rec['sat_frac']:.3f} | {rec['latent_dep']:.4f} | {fmt(rec['voxel_std_ratio'], '.3f')} | "
                 f"{fmt(rec['E_p1'], '.3f')} | {fmt(rec['E_p2'], '.3f')} | {rec['verdict']} |\n")
