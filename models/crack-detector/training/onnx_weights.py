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
        elif number == 4:
            value = v.decode()
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


def _key(number, wire):
    return _encode_varint(number << 3 | wire)


def _encode_varint(v):
    out = bytearray()
    while True:
        out.append(v & 0x7F | (0x80 if v > 0x7F else 0))
        v >>= 7
        if not v:
            return bytes(out)


def _field(number, value):
    """One protobuf field: an int as a varint, bytes or str length-delimited."""
    if isinstance(value, int):
        return _key(number, 0) + _encode_varint(value)
    value = value.encode() if isinstance(value, str) else value
    return _key(number, 2) + _encode_varint(len(value)) + value


def _encode(fields):
    """Fields as _fields read them, written back in their order."""
    out = bytearray()
    for number, wire, v in fields:
        out += _key(number, wire)
        out += _encode_varint(v) if wire == 0 else _encode_varint(len(v)) + v if wire == 2 else v
    return bytes(out)


def with_output(model, tensor, name, dims):
    """The serialized model `model` with the graph's tensor `tensor` as one more float32 graph output `name`, through an
    Identity node; `dims`: its shape, an int for a fixed dimension and a str for a symbolic one (the batch)."""
    dim = b"".join(_field(1, _field(1, d) if isinstance(d, int) else _field(2, d)) for d in dims)
    value = _field(1, name) + _field(2, _field(1, _field(1, 1) + _field(2, dim)))  # ValueInfo(name, Type(Tensor(FLOAT, shape)))
    node = _field(1, tensor) + _field(2, name) + _field(3, "expose_" + name) + _field(4, "Identity")
    top = _fields(model)
    if sum(number == 7 for number, _, _ in top) != 1:
        raise ValueError("not an ONNX model with one graph")
    return _encode([(n, w, v + _field(1, node) + _field(12, value)) if n == 7 else (n, w, v) for n, w, v in top])


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
    """The ONNX file's graph as a torch module (Conv, BatchNormalization, Relu, ReduceMax, ReduceMean, ReduceSum, Concat, Gemm,
    the element-wise ops, Clip, AveragePool, Pad, nearest Resize as torch exports it, and the shape arithmetic around them),
    computed up to the tensor
    named `output` (default: the graph's first output). Weights are frozen buffers."""
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
                args = [value(k) if k else None for k in ins]
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
                elif op == "Sub":
                    y = args[0] - args[1]
                elif op == "Div":  # ONNX divides integers with truncation
                    y = args[0] / args[1] if args[0].is_floating_point() else torch.div(args[0], args[1], rounding_mode="trunc")
                elif op == "Sqrt":
                    y = torch.sqrt(args[0])
                elif op == "Clip":
                    lo, hi = (args + [None, None])[1:3]
                    y = torch.clamp(args[0], None if lo is None else float(lo), None if hi is None else float(hi))
                elif op == "ReduceSum":
                    axes = args[1].tolist() if len(args) > 1 and args[1] is not None else at.get("axes")
                    y = args[0].sum(dim=tuple(axes), keepdim=bool(at.get("keepdims", 1))) if axes else args[0].sum()
                elif op == "Reshape":
                    y = args[0].reshape(tuple(args[0].shape[j] if v == 0 else v for j, v in enumerate(args[1].tolist())))
                elif op == "BatchNormalization":
                    y = F.batch_norm(args[0], args[3], args[4], args[1], args[2], False, 0.0, at.get("epsilon", 1e-5))
                elif op == "Sigmoid":
                    y = torch.sigmoid(args[0])
                elif op == "Log":
                    y = torch.log(args[0])
                elif op == "Constant":
                    y = torch.from_numpy(np.array(at["value"]))
                elif op == "ConstantOfShape":
                    v = at.get("value", np.zeros(1, np.float32))
                    y = torch.full(tuple(int(d) for d in args[0]), float(v.reshape(-1)[0]), dtype=torch.from_numpy(v).dtype)
                elif op == "Shape":
                    y = torch.tensor(args[0].shape, dtype=torch.int64)
                elif op == "Gather":
                    y = torch.index_select(args[0], at.get("axis", 0), args[1].reshape(-1)).reshape(
                        args[0].shape[:at.get("axis", 0)] + args[1].shape + args[0].shape[at.get("axis", 0) + 1:])
                elif op == "Unsqueeze":
                    y = args[0]
                    for ax in sorted(int(v) for v in args[1].reshape(-1)):
                        y = y.unsqueeze(ax)
                elif op == "Cast":
                    y = args[0].to({1: torch.float32, 6: torch.int32, 7: torch.int64, 9: torch.bool}[at["to"]])
                elif op == "Slice":
                    axes = args[3].tolist() if len(args) > 3 and args[3] is not None else list(range(len(args[1])))
                    steps = args[4].tolist() if len(args) > 4 and args[4] is not None else [1] * len(axes)
                    y = args[0]
                    for ax, b, e, st in zip(axes, args[1].tolist(), args[2].tolist(), steps):
                        n = y.shape[ax]
                        b, e = b + n if b < 0 else b, e + n if e < 0 else e
                        # ONNX clamps to [0, n] going forward and to [-1, n - 1] going back (a reversal: torch's pad exports)
                        b, e = (min(max(b, 0), n), min(max(e, 0), n)) if st > 0 else (min(max(b, -1), n - 1), min(max(e, -1), n - 1))
                        y = y.index_select(ax, torch.arange(b, e, st, dtype=torch.int64))
                elif op == "Pad" and at.get("mode") == "edge":
                    pads = args[1].tolist()
                    d = len(pads) // 2
                    if any(pads[:d - 2]) or any(pads[d:2 * d - 2]):
                        raise ValueError("edge Pad other than of the last two axes")
                    y = F.pad(args[0], (pads[d - 1], pads[2 * d - 1], pads[d - 2], pads[2 * d - 2]), mode="replicate")
                elif op == "Pad":
                    if at.get("mode", "constant") not in (None, "constant") or args[1].abs().sum() or len(args) > 2 and args[2] is not None:
                        raise ValueError("Pad other than zero padding by nothing")
                    y = args[0]
                elif op == "MaxPool":
                    pads = list(at.get("pads", [0, 0, 0, 0]))
                    if pads[:2] != pads[2:] or at.get("ceil_mode", 0):
                        raise ValueError("MaxPool with uneven padding or ceil_mode")
                    y = F.max_pool2d(args[0], tuple(at["kernel_shape"]), tuple(at.get("strides", [1, 1])), tuple(pads[:2]))
                elif op == "Less":
                    y = args[0] < args[1]
                elif op == "Where":
                    y = torch.where(args[0], args[1], args[2])
                elif op == "Flatten":
                    y = args[0].reshape(int(np.prod(args[0].shape[:at.get("axis", 1)], dtype=np.int64)), -1)
                elif op == "Transpose":
                    y = args[0].permute(*at["perm"])
                elif op == "Identity":
                    y = args[0]
                elif op == "Mod":
                    y = torch.fmod(args[0], args[1]) if at.get("fmod", 0) else torch.remainder(args[0], args[1])
                elif op == "TopK":
                    if not at.get("largest", 1) or not at.get("sorted", 1):
                        raise ValueError("TopK other than the largest, sorted")
                    y = torch.topk(args[0], int(args[1].reshape(-1)[0]), dim=at.get("axis", -1))
                elif op == "GatherElements":
                    y = torch.gather(args[0], at.get("axis", 0), args[1])
                elif op == "AveragePool":
                    pads = list(at.get("pads", [0, 0, 0, 0]))
                    if pads[:2] != pads[2:] or at.get("ceil_mode", 0):
                        raise ValueError("AveragePool with uneven padding or ceil_mode")
                    y = F.avg_pool2d(args[0], tuple(at["kernel_shape"]), tuple(at["strides"]), tuple(pads[:2]),
                                     count_include_pad=bool(at.get("count_include_pad", 0)))
                elif op == "Resize":
                    # torch exports F.interpolate(mode="nearest") as asymmetric coordinates rounded down
                    if (at.get("mode") or "nearest") != "nearest" or at.get("coordinate_transformation_mode") not in (None, "asymmetric") \
                            or at.get("nearest_mode") not in (None, "floor"):
                        raise ValueError("Resize other than torch's nearest")
                    if len(args) > 3 and args[3] is not None:
                        y = F.interpolate(args[0], size=tuple(int(d) for d in args[3][2:]), mode="nearest")
                    else:
                        y = F.interpolate(args[0], scale_factor=tuple(float(v) for v in args[2][2:]), mode="nearest")
                else:
                    raise ValueError("operator %s is not supported here" % op)
                for k, v in zip(outs, y if op == "TopK" else (y,)):
                    values[k] = v
                if outs[0] == output:
                    return y
            raise ValueError("no node computes %s" % output)

    return Graph().eval()


def unfold(torch, net, path):
    """Loads the network that `path` was exported from back into `net`, a fresh instance of it with BatchNorm layers.

    The export folded each convolution's BatchNorm into the convolution, whose weights lost their names; every other
    weight keeps its name, the key in net.state_dict() (export_v3's Frame holds the network as `net`). The folded convolutions are matched in graph order
    to net's convolutions that a BatchNorm follows, in module order (the order the export traced them), shape by shape;
    a convolution and BatchNorm with ops between them (S2dBlockNormNet's stem) stay apart in the file, under their names.
    Each such BatchNorm becomes the identity plus the folded bias (running mean 0, running variance 1 - eps), so that
    net computes in eval mode what the file does; train_v3.freeze_batchnorm keeps them so in training."""
    nodes, initializers, _, _ = load(path)
    mods = list(net.named_modules())
    pairs = [(n, c, b) for (n, c), (_, b) in zip(mods, mods[1:])
             if isinstance(c, torch.nn.Conv2d) and isinstance(b, torch.nn.BatchNorm2d) and n + ".weight" not in initializers]
    state = net.state_dict()
    folded = [ins for op, ins, _, _ in nodes if op == "Conv" and ins[1] not in state]
    if len(folded) != len(pairs):
        raise ValueError("%s has %d folded convolutions, the network %d" % (path, len(folded), len(pairs)))
    bn_names = {m: n for n, m in mods}
    done = set()
    with torch.no_grad():
        for (name, conv, bn), ins in zip(pairs, folded):
            w = initializers[ins[1]]
            if tuple(w.shape) != tuple(conv.weight.shape):
                raise ValueError("%s: a folded convolution of shape %s where the network's %s has %s" % (
                    path, tuple(w.shape), name, tuple(conv.weight.shape)))
            conv.weight.copy_(torch.from_numpy(w))
            bn.weight.fill_(1.0)
            bn.bias.copy_(torch.from_numpy(initializers[ins[2]]))
            bn.running_mean.zero_()
            bn.running_var.fill_(1.0 - bn.eps)
            done |= {name + ".weight"} | {bn_names[bn] + "." + k for k in ("weight", "bias", "running_mean", "running_var",
                                                                            "num_batches_tracked")}
        for k, v in state.items():
            if k in initializers:
                v.copy_(torch.from_numpy(initializers[k]))
            elif k not in done and not k.endswith(".num_batches_tracked"):  # BatchNormalization in the file drops the count
                raise ValueError("%s holds no weight for %s" % (path, k))
    return net
