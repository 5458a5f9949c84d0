"""The paper's critic in PyTorch, shared by the peers (train_bench.py, train_recipe.py): log2(n) residual
blocks (r = Conv_k1(x); h = Conv_k3(LReLU(Conv_k3(x), 0.3)); LReLU(h + r, 0.3); AvgPool3d(2) after every
block but the last), filters nDf 2^b, flatten, Linear(8 C, 1) (DESIGN.md section 3)."""
import math

import torch.nn as nn


class Block(nn.Module):
    def __init__(self, cin, cout, pool):
        super().__init__()
        self.skip = nn.Conv3d(cin, cout, 1)
        self.conv1 = nn.Conv3d(cin, cout, 3, padding=1)
        self.conv2 = nn.Conv3d(cout, cout, 3, padding=1)
        self.act = nn.LeakyReLU(0.3)
        self.pool = nn.AvgPool3d(2) if pool else nn.Identity()

    def forward(self, x):
        return self.pool(self.act(self.conv2(self.act(self.conv1(x))) + self.skip(x)))


class Critic(nn.Module):
    def __init__(self, size, ndf):
        super().__init__()
        blocks = int(round(math.log2(size)))
        chans = [1] + [ndf << b for b in range(blocks)]
        self.blocks = nn.Sequential(*[Block(chans[b], chans[b + 1], b < blocks - 1) for b in range(blocks)])
        self.head = nn.Linear(8 * chans[-1], 1)

    def forward(self, x):
        return self.head(self.blocks(x).flatten(1))
