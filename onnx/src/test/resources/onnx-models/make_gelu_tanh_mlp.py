# Makes gelu_tanh_mlp.onnx and .json: an MLP with PyTorch's tanh-approximated GELU, which the
# exporter writes out as Mul/Add/Tanh nodes (PyTorch 1.13, opset 13, inference mode).
import json, torch, torch.nn as nn
torch.manual_seed(5)
m = nn.Sequential(nn.Flatten(), nn.Linear(784, 32), nn.GELU(approximate="tanh"),
                  nn.Linear(32, 10), nn.GELU(approximate="tanh"))
m.eval()
x = torch.rand(3, 1, 28, 28)
with torch.no_grad():
    y = m(x)
torch.onnx.export(m, x, "gelu_tanh_mlp.onnx", opset_version=13, input_names=["input"],
                  output_names=["output"], dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
def t(a): return {"dims": list(a.shape), "data": [float(v) for v in a.flatten().tolist()]}
json.dump({"model": "gelu_tanh_mlp", "input": t(x), "output": t(y)}, open("gelu_tanh_mlp.json", "w"))
