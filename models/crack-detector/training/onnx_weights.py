"""Reads an ONNX file's graph (nodes, initializers, input and output names) from the protobuf wire format, and runs the
few operators a small CNN uses as a torch module, so that a package's network can be combined with another and exported
again. Python's onnx package is not installed here; the format is plain protobuf (onnx.proto: ModelProto.graph = 7,
GraphProto.node = 1, .initializer = 5, .input = 11, .output = 12)."""
import struct

import numpy as np

_DTYPES = {1: np.float32, 6: np.int32, 7: np.int64}


def _varint(b, i):
    r = s = 0
    while True:
        c = b[i]
        i += 1
        r |= (c & 0x7F) << s
        s += 7
        if c < 0x80:
            return r, i


def _signed(v):
    return v - 2 ** 64 if v >= 2 ** 63 else v


def _fields(b):
    i, out = 0, []
    while i < len(b):
        key, i = _varint(b, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            v, i = _varint(b, i)
        elif wire == 1:
            v, i = b[i:i + 8], i + 8
        elif wire == 2:
            n, i = _varint(b, i)
            v, i = b[i:i + n], i + n
        elif wire == 5:
            v, i = b[i:i + 4], i + 4
        else:
            raise ValueError("protobuf wire type %d is not used by ONNX" % wire)
        out.append((number, wire, v))
    return out


def _ints(wire, v):
    if wire != 2:
        return [_signed(v)]
    out, j = [], 0
    while j < len(v):
        x, j = _varint(v, j)
        out.append(_signed(x))
    return out


def _floats(wire, v):
    return list(struct.unpack("<%df" % (len(v) // 4), v))


def _tensor(b):
    dims, dtype, name, raw, floats, ints = [], 1, "", None, [], []
    for number, wire, v in _fields(b):
        if number == 1:
            dims += _ints(wire, v)
        elif number == 2:
            dtype = v
        elif number == 4:
            floats += _floats(wire, v)
        elif number == 7:
            ints += _ints(wire, v)
        elif number == 8:
            name = v.decode()
        elif number == 9:
            raw = v
    if raw is not None:
        a = np.frombuffer(raw, dtype=_DTYPES[dtype]).copy()
    elif floats:
        a = np.array(floats, dtype=np.float32)
    else:
        a = np.array(ints, dtype=np.int64)
    return name, a.reshape(dims)


def _attribute(b):
    name, value, ints, floats = "", None, [], []
    for number, wire, v in _fields(b):
        if number == 1:
            name = v.decode()
        elif number == 2:
            value = struct.unpack("<f", v)[0]
        elif number == 3:
            value = _signed(v)
        elif number == 5:
            value = _tensor(v)[1]
        elif number == 7:
            floats += _floats(wire, v)
        elif number == 8:
            ints += _ints(wire, v)
    return name, ints or floats or value


def _node(b):
    inputs, outputs, op, attributes = [], [], "", {}
    for number, _, v in _fields(b):
        if number == 1:
            inputs.append(v.decode())
        elif number == 2:
            outputs.append(v.decode())
        elif number == 4:
            op = v.decode()
        elif number == 5:
            k, a = _attribute(v)
            attributes[k] = a
    return op, inputs, outputs, attributes


def _name(b):
    return next(v for number, _, v in _fields(b) if number == 1).decode()


def load(path):
    """(nodes, initializers, input names, output names) of the model's graph; a node is (op, inputs, outputs, attributes)."""
    with open(path, "rb") as f:
        graph = next(v for number, _, v in _fields(f.read()) if number == 7)
    nodes, initializers, inputs, outputs = [], {}, [], []
    for number, _, v in _fields(graph):
        if number == 1:
            nodes.append(_node(v))
        elif number == 5:
            name, a = _tensor(v)
            initializers[name] = a
        elif number == 11:
            inputs.append(_name(v))
        elif number == 12:
            outputs.append(_name(v))
    return nodes, initializers, [i for i in inputs if i not in initializers], outputs


def module(torch, path, output=None):
    """The ONNX file's graph as a torch module (Conv, Relu, ReduceMax, ReduceMean, Concat, Gemm, Mul, Add), computed up to the
    tensor named `output` (default: the graph's first output). Weights are frozen buffers."""
    nodes, initializers, inputs, outputs = load(path)
    output = output or outputs[0]
    names = {}

    class Graph(torch.nn.Module):
        def __init__(self):
            super().__init__()
            for k, a in initializers.items():
                names[k] = "w%d" % len(names)
                self.register_buffer(names[k], torch.from_numpy(a.copy()))

        def forward(self, x):
            values = {inputs[0]: x}
            value = lambda k: getattr(self, names[k]) if k in names else values[k]  # noqa: E731
            F = torch.nn.functional
            for op, ins, outs, at in nodes:
                args = [value(k) for k in ins if k]
                if op == "Conv":
                    pads = at.get("pads", [0, 0, 0, 0])
                    if pads[:2] != pads[2:]:
                        raise ValueError("asymmetric Conv padding %s" % pads)
                    y = F.conv2d(args[0], args[1], args[2] if len(args) > 2 else None, tuple(at.get("strides", [1, 1])),
                                 tuple(pads[:2]), tuple(at.get("dilations", [1, 1])), at.get("group", 1))
                elif op == "Relu":
                    y = F.relu(args[0])
                elif op in ("ReduceMax", "ReduceMean"):
                    reduce = torch.amax if op == "ReduceMax" else torch.mean
                    y = reduce(args[0], dim=tuple(at["axes"]), keepdim=bool(at.get("keepdims", 1)))
                elif op == "Concat":
                    y = torch.cat(args, dim=at["axis"])
                elif op == "Gemm":
                    if at.get("transA", 0) or not at.get("transB", 0):
                        raise ValueError("Gemm other than A @ B.T + C")
                    y = at.get("alpha", 1.0) * args[0] @ args[1].T + at.get("beta", 1.0) * args[2]
                elif op == "Mul":
                    y = args[0] * args[1]
                elif op == "Add":
                    y = args[0] + args[1]
                else:
                    raise ValueError("operator %s is not supported here" % op)
                values[outs[0]] = y
                if outs[0] == output:
                    return y
            raise ValueError("no node computes %s" % output)

    return Graph().eval()
