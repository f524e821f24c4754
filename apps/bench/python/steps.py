"""The kernels benchmark's two training steps in PyTorch, driven over stdin/stdout.

Started once by src/suites/Torch.ts; prints "ready <torch version>" (or "error <why>" and exits),
then for each line "mlp" or "cnn" runs one SGD step of that model on a fixed batch of 128 and
prints "ok". The architectures, batch and optimiser are those of src/suites/Kernels.ts.
"""
import sys

try:
    import torch
    from torch import nn
except Exception as error:  # noqa: BLE001 - any import failure is reported as the reason
    print(f"error {type(error).__name__}: {error}", flush=True)
    sys.exit(0)

torch.set_num_threads(2)
torch.manual_seed(1)
BATCH = 128

mlp = nn.Sequential(
    nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10)
)
cnn = nn.Sequential(
    nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(7 * 7 * 64, 128), nn.ReLU(), nn.Linear(128, 10),
)
inputs = {"mlp": torch.rand(BATCH, 784), "cnn": torch.rand(BATCH, 1, 28, 28)}
labels = torch.arange(BATCH) % 10
models = {"mlp": mlp, "cnn": cnn}
optimisers = {name: torch.optim.SGD(model.parameters(), lr=0.01) for name, model in models.items()}
loss = nn.CrossEntropyLoss()


def step(name: str) -> None:
    optimiser = optimisers[name]
    optimiser.zero_grad()
    cost = loss(models[name](inputs[name]), labels)
    cost.backward()
    optimiser.step()
    cost.item()


print(f"ready {torch.__version__}", flush=True)
for line in sys.stdin:
    name = line.strip()
    if name in models:
        step(name)
        print("ok", flush=True)
    elif name == "quit":
        break
    else:
        print(f"error unknown command {name!r}", flush=True)
