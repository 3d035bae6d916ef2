import torch, torch.nn as nn, torch.nn.functional as F, json
torch.manual_seed(3)
class Net(nn.Module):
    def __init__(s):
        super().__init__()
        s.conv = nn.Conv2d(1, 4, 3, stride=2, padding=(0, 1), bias=False)
        s.pool = nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True)
        s.bn = nn.BatchNorm2d(4)
        s.avg = nn.AvgPool2d(2, stride=1, padding=1, count_include_pad=False)
        s.drop = nn.Dropout(0.3)
        s.fc = nn.Linear(4 * 5 * 6, 16, bias=False)
        s.bn1 = nn.BatchNorm1d(16)
        s.out = nn.Linear(16, 10)
    def forward(s, x):
        x = F.pad(x, (1, 0, 2, 0))
        x = F.elu(s.conv(x), alpha=0.5)
        x = F.pad(x, (0, 1, 1, 0), value=float('-inf'))
        x = F.max_pool2d(x, 2)
        x = s.pool(x)
        x = torch.sigmoid(s.bn(x))
        x = s.avg(x)
        x = x.view(x.size(0), -1)
        x = s.drop(x)
        x = torch.tanh(s.bn1(s.fc(x)))
        return s.out(x)
m = Net()
with torch.no_grad():
    for bn in (m.bn, m.bn1):
        bn.running_mean.uniform_(-0.5, 0.5); bn.running_var.uniform_(0.5, 2.0)
        bn.weight.uniform_(0.5, 1.5); bn.bias.uniform_(-0.5, 0.5)
m.eval()
x = torch.randn(3, 1, 28, 28)
with torch.no_grad():
    y = m(x)
print(m.conv(x).shape, m.pool(m.conv(x)).shape)
torch.onnx.export(m, x, "padded_plumbing.onnx", opset_version=13, input_names=["input"], output_names=["output"],
                  dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
def t(a): return {"dims": list(a.shape), "data": [float(v) for v in a.flatten().tolist()]}
json.dump({"model": "padded_plumbing", "input": t(x), "output": t(y)}, open("padded_plumbing.json", "w"))
