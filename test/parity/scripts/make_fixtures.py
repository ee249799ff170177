#!/usr/bin/env python3
"""Regenerates the golden parity fixtures under test/parity/fixtures/ (see test/parity/README.md).

An explicit, float64 PyTorch reference of Hugging Face `LlamaForCausalLM` / `Qwen2ForCausalLM` forward semantics with
PEFT LoRA, written out as plain functions over a name -> tensor dict whose names are the HF checkpoint names:

- embedding; per layer: RMSNorm `x * rsqrt(mean(x^2) + eps) * w`; attention with q/k/v/o projections (q/k/v biases
  for Qwen2, or for Llama when `attention_bias`), rotate-half RoPE (HF default rope type, positions 0..T-1), GQA as
  HF `repeat_kv`, causal mask, softmax(QK^T / sqrt(hd)); residual; post-attention RMSNorm; SwiGLU MLP
  `down(silu(gate(x)) * up(x))`; residual; final RMSNorm; `lm_head` (tied to `embed_tokens` when
  `tie_word_embeddings`).
- LoRA as PEFT `lora.Linear`: `y = x W^T (+ b) + s * (x A^T) B^T`, `A` = `lora_A.weight` [r, in],
  `B` = `lora_B.weight` [out, r], `s = lora_alpha / r`, or `lora_alpha / sqrt(r)` with rsLoRA.
- Loss as HF causal LM: logits[:, :-1] against labels[:, 1:], cross-entropy, ignore_index -100, mean over the
  targets that are not ignored.

Every weight is stored as float32 (or F16 for the F16 copy) and the goldens are computed from those stored values
upcast to float64, then rounded to float32. The same code also runs in float32 to measure how far an honest float32
implementation lands from the float64 goldens (recorded in each meta.json). The script fails (exit 1) when autograd
gradients disagree with central finite differences, or when another self-check fails.

Needs only the standard library, numpy and torch (Debian's python3-torch). Run from the repository root:

    /usr/bin/python3 test/parity/scripts/make_fixtures.py

Dimension letters: B batch, T sequence, C hidden size, nh / nkv query / key-value heads, hd head size, I MLP size,
V vocabulary, r LoRA rank.
"""
import hashlib
import json
import math
import os
import shutil
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F

FIXTURE_VERSION = 1
SEED = 20251011  # every random draw below comes from torch.Generator(s) seeded from this
GENERATOR = "test/parity/scripts/make_fixtures.py"
REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
FIXTURES = os.path.join(REPO_ROOT, "test", "parity", "fixtures")
STORIES_REL = "../shared/models/stories260K"  # relative to the repository root; not copied into the repo
IGNORE_INDEX = -100
GRAD_TOLERANCES = ((1e-3, 1e-6), (1e-3, 1e-5))  # (rtol, atol) pairs whose float32 worst case meta.json records
ATTN = ("q_proj", "k_proj", "v_proj", "o_proj")
MLP = ("gate_proj", "up_proj", "down_proj")
FD_EPS, FD_COORDS, FD_TOL = 1e-5, 12, 1e-6  # central differences in float64: |ag - fd| <= FD_TOL * max(|ag|, |fd|, 1e-3)

# ---------------------------------------------------------------------------------------------------------------
# safetensors by hand: u64 LE header length, JSON header (offsets relative to the byte buffer), raw LE bytes.

ST_NP = {"F32": np.dtype("<f4"), "F16": np.dtype("<f2"), "I64": np.dtype("<i8")}


def write_safetensors(path, tensors, metadata=None):
    """Writes `tensors` (name -> numpy array of float32, float16 or int64) in insertion order."""
    header, chunks, offset = {}, [], 0
    if metadata is not None:
        header["__metadata__"] = {k: str(v) for k, v in metadata.items()}
    for name, arr in tensors.items():
        st = {np.float32: "F32", np.float16: "F16", np.int64: "I64"}[arr.dtype.type]
        raw = np.ascontiguousarray(arr, dtype=ST_NP[st]).tobytes()
        header[name] = {"dtype": st, "shape": list(arr.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    blob = json.dumps(header, separators=(",", ":")).encode()
    blob += b" " * (-len(blob) % 8)  # the data then starts 8-byte aligned
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(blob)) + blob + b"".join(chunks))


def read_safetensors(path):
    """Returns (name -> numpy array, metadata). Reads F32, F16, BF16 (to float32) and I64."""
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    meta, out = header.pop("__metadata__", None), {}
    for name, info in header.items():
        b, e = info["data_offsets"]
        if info["dtype"] == "BF16":  # bfloat16 is the high half of a float32
            out[name] = (np.frombuffer(data[b:e], "<u2").astype(np.uint32) << 16).view(np.float32)
        elif info["dtype"] in ST_NP:
            out[name] = np.frombuffer(data[b:e], ST_NP[info["dtype"]]).copy()
        else:
            sys.exit(f"{path}: tensor {name} has dtype {info['dtype']}; this script reads F32, F16, BF16, I64")
        out[name] = out[name].reshape(info["shape"])
    return out, meta


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def write_json(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(json.dumps(obj, indent=2) + "\n")


# ---------------------------------------------------------------------------------------------------------------
# The reference model, as functions over HF-named tensors.

def resolve_config(raw):
    """The fields the forward reads, with HF defaults; fails on settings it does not implement."""
    mt = raw.get("model_type")
    if mt not in ("llama", "qwen2"):
        sys.exit(f"config: model_type={mt!r}; this reference implements 'llama' and 'qwen2'")
    for key, want in (("hidden_act", "silu"), ("rope_scaling", None), ("use_sliding_window", False),
                      ("mlp_bias", False)):
        if raw.get(key, want) != want:
            sys.exit(f"config: {key}={raw[key]!r} is not supported; only {want!r}")
    nh = raw["num_attention_heads"]
    cfg = {"C": raw["hidden_size"], "I": raw["intermediate_size"], "L": raw["num_hidden_layers"], "nh": nh,
           "nkv": raw.get("num_key_value_heads") or nh, "V": raw["vocab_size"],
           "eps": raw.get("rms_norm_eps", 1e-6), "theta": float(raw.get("rope_theta", 10000.0)),
           "tie": raw.get("tie_word_embeddings", False),  # HF LlamaConfig and Qwen2Config default
           # Qwen2Attention always has q/k/v biases and no o_proj bias; Llama has all four iff attention_bias
           "qkv_bias": mt == "qwen2" or raw.get("attention_bias", False),
           "o_bias": mt == "llama" and raw.get("attention_bias", False)}
    cfg["hd"] = raw.get("head_dim") or cfg["C"] // nh
    if nh % cfg["nkv"]:
        sys.exit(f"config: num_attention_heads={nh} is not a multiple of num_key_value_heads={cfg['nkv']}")
    return cfg


def rms_norm(x, w, eps):  # HF LlamaRMSNorm / Qwen2RMSNorm
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w


def rope_cos_sin(T, hd, theta, dtype):  # HF default RoPE: inv_freq_i = 1 / theta^(2i/hd), angles duplicated
    inv_freq = 1.0 / theta ** (torch.arange(0, hd, 2, dtype=torch.float64) / hd)  # [hd/2]
    freqs = torch.outer(torch.arange(T, dtype=torch.float64), inv_freq)           # [T, hd/2]
    emb = torch.cat((freqs, freqs), dim=-1)                                         # [T, hd]
    return emb.cos().to(dtype), emb.sin().to(dtype)


def rotate_half(x):  # [..., hd]: (x1, x2) -> (-x2, x1) over halves, not interleaved pairs
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat((-x2, x1), dim=-1)


def lora_linear(x, w, name, lora):
    """PEFT lora.Linear over the HF module `name`: x W^T (+ b) + s * (x A^T) B^T."""
    y = x @ w[name + ".weight"].T                           # [B, T, in] -> [B, T, out]
    if name + ".bias" in w:
        y = y + w[name + ".bias"]
    if lora is not None and name in lora["modules"]:
        a, b = lora["modules"][name]                          # [r, in], [out, r]
        y = y + lora["scaling"] * ((x @ a.T) @ b.T)           # [B, T, in] -> [B, T, r] -> [B, T, out]
    return y


def attention(x, w, p, cfg, cos, sin, lora):
    B, T, _ = x.shape
    nh, nkv, hd = cfg["nh"], cfg["nkv"], cfg["hd"]
    q = lora_linear(x, w, p + "q_proj", lora).view(B, T, nh, hd).transpose(1, 2)    # [B, nh, T, hd]
    k = lora_linear(x, w, p + "k_proj", lora).view(B, T, nkv, hd).transpose(1, 2)   # [B, nkv, T, hd]
    v = lora_linear(x, w, p + "v_proj", lora).view(B, T, nkv, hd).transpose(1, 2)   # [B, nkv, T, hd]
    q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
    rep = nh // nkv  # HF repeat_kv: kv head j serves query heads j*rep .. j*rep + rep - 1
    k = k[:, :, None].expand(B, nkv, rep, T, hd).reshape(B, nh, T, hd)               # [B, nh, T, hd]
    v = v[:, :, None].expand(B, nkv, rep, T, hd).reshape(B, nh, T, hd)               # [B, nh, T, hd]
    att = (q @ k.transpose(-2, -1)) / math.sqrt(hd)                                   # [B, nh, T, T]
    causal = torch.ones(T, T, dtype=torch.bool).triu(1)                               # True above the diagonal
    att = torch.softmax(att.masked_fill(causal, float("-inf")), dim=-1)
    out = (att @ v).transpose(1, 2).reshape(B, T, nh * hd)                            # [B, T, nh*hd]
    return lora_linear(out, w, p + "o_proj", lora)                                    # [B, T, C]


def mlp(x, w, p, lora):  # SwiGLU
    return lora_linear(F.silu(lora_linear(x, w, p + "gate_proj", lora)) * lora_linear(x, w, p + "up_proj", lora),
                       w, p + "down_proj", lora)


def forward(cfg, w, ids, lora=None):
    """ids [B, T] int64 -> logits [B, T, V], in the dtype of `w`."""
    x = w["model.embed_tokens.weight"][ids]                                           # [B, T, C]
    cos, sin = rope_cos_sin(ids.shape[1], cfg["hd"], cfg["theta"], x.dtype)          # [T, hd] each
    for i in range(cfg["L"]):
        p = f"model.layers.{i}."
        x = x + attention(rms_norm(x, w[p + "input_layernorm.weight"], cfg["eps"]), w, p + "self_attn.", cfg, cos,
                          sin, lora)
        x = x + mlp(rms_norm(x, w[p + "post_attention_layernorm.weight"], cfg["eps"]), w, p + "mlp.", lora)
    x = rms_norm(x, w["model.norm.weight"], cfg["eps"])                              # [B, T, C]
    head = w["model.embed_tokens.weight"] if cfg["tie"] else w["lm_head.weight"]      # [V, C]
    return x @ head.T                                                                 # [B, T, V]


def causal_lm_loss(logits, labels):  # HF: position t predicts labels[t + 1]; mean over non-ignored targets
    V = logits.shape[-1]
    return F.cross_entropy(logits[:, :-1].reshape(-1, V), labels[:, 1:].reshape(-1), ignore_index=IGNORE_INDEX)


def greedy(cfg, w, prompt, new_tokens):
    """Argmax decoding without a KV cache and without an EOS stop. Returns (ids [1, P + N], smallest top-2 margin)."""
    ids, margin = prompt.clone(), math.inf
    with torch.no_grad():
        for _ in range(new_tokens):
            last = forward(cfg, w, ids)[0, -1]                                        # [V]
            top = torch.topk(last, 2).values
            margin = min(margin, (top[0] - top[1]).item())
            ids = torch.cat((ids, last.argmax().view(1, 1)), dim=1)
    return ids, margin


# ---------------------------------------------------------------------------------------------------------------
# LoRA adapters in PEFT's format.

def peft_key(module, ab):  # PEFT drops the adapter name ("default") when it saves
    return f"base_model.model.{module}.lora_{ab}.weight"


def lora_modules(cfg, targets):
    mods = []
    for i in range(cfg["L"]):
        mods += [f"model.layers.{i}.self_attn.{t}" for t in ATTN if t in targets]
        mods += [f"model.layers.{i}.mlp.{t}" for t in MLP if t in targets]
    return mods


def make_adapter(w, modules, r, gen):
    """A ~ kaiming_uniform(a=sqrt(5)) over fan_in = in (PEFT's init, bound 1/sqrt(in)); B ~ N(0, 0.02), not zero,
    so that the adapter changes the logits and A gets gradients. float32 numpy arrays, PEFT keys."""
    out = {}
    for m in modules:
        o, i = w[m + ".weight"].shape
        bound = 1.0 / math.sqrt(i)  # gain sqrt(2 / (1 + 5)) * sqrt(3 / fan_in)
        a = torch.empty(r, i, dtype=torch.float64).uniform_(-bound, bound, generator=gen)
        b = torch.empty(o, r, dtype=torch.float64).normal_(0.0, 0.02, generator=gen)
        out[peft_key(m, "A")], out[peft_key(m, "B")] = a.numpy().astype(np.float32), b.numpy().astype(np.float32)
    return out


def adapter_config(base, r, alpha, targets, rslora):
    """adapter_config.json as PEFT (0.17) LoraConfig.save_pretrained writes it: every field, keys sorted."""
    cfg = {"alpha_pattern": {}, "auto_mapping": None, "base_model_name_or_path": base, "bias": "none",
           "corda_config": None, "eva_config": None, "exclude_modules": None, "fan_in_fan_out": False,
           "inference_mode": False, "init_lora_weights": True, "layer_replication": None, "layers_pattern": None,
           "layers_to_transform": None, "loftq_config": {}, "lora_alpha": alpha, "lora_bias": False,
           "lora_dropout": 0.0, "megatron_config": None, "megatron_core": "megatron.core", "modules_to_save": None,
           "peft_type": "LORA", "qalora_group_size": 16, "r": r, "rank_pattern": {}, "revision": None,
           "target_modules": list(targets), "target_parameters": None, "task_type": "CAUSAL_LM",
           "trainable_token_indices": None, "use_dora": False, "use_qalora": False, "use_rslora": rslora}
    return dict(sorted(cfg.items()))


def lora_state(adapter_np, modules, scaling, dtype, requires_grad):
    """name -> leaf tensor (PEFT keys) and the forward's {"modules": {module: (A, B)}, "scaling": s}."""
    leaves = {k: torch.tensor(v, dtype=dtype, requires_grad=requires_grad) for k, v in adapter_np.items()}
    return leaves, {"modules": {m: (leaves[peft_key(m, "A")], leaves[peft_key(m, "B")]) for m in modules},
                    "scaling": scaling}


# ---------------------------------------------------------------------------------------------------------------
# Random tiny models.

def random_model(cfg, gen, std=0.05):
    """HF-named float32 weights: matrices N(0, std), biases N(0, 0.1), norm weights 1 + 0.1 N(0, 1)."""
    C, I, V, nh, nkv, hd = cfg["C"], cfg["I"], cfg["V"], cfg["nh"], cfg["nkv"], cfg["hd"]

    def randn(*shape, s=std, mean=0.0):
        return (mean + s * torch.randn(*shape, dtype=torch.float64, generator=gen)).numpy().astype(np.float32)

    w = {"model.embed_tokens.weight": randn(V, C)}
    for i in range(cfg["L"]):
        p = f"model.layers.{i}."
        w[p + "input_layernorm.weight"] = randn(C, s=0.1, mean=1.0)
        for t, out in (("q_proj", nh * hd), ("k_proj", nkv * hd), ("v_proj", nkv * hd)):
            w[p + f"self_attn.{t}.weight"] = randn(out, C)
            if cfg["qkv_bias"]:
                w[p + f"self_attn.{t}.bias"] = randn(out, s=0.1)
        w[p + "self_attn.o_proj.weight"] = randn(C, nh * hd)
        w[p + "post_attention_layernorm.weight"] = randn(C, s=0.1, mean=1.0)
        w[p + "mlp.gate_proj.weight"] = randn(I, C)
        w[p + "mlp.up_proj.weight"] = randn(I, C)
        w[p + "mlp.down_proj.weight"] = randn(C, I)
    w["model.norm.weight"] = randn(C, s=0.1, mean=1.0)
    if not cfg["tie"]:
        w["lm_head.weight"] = randn(V, C)
    return w


def to_torch(w_np, dtype):
    return {k: torch.tensor(v.astype(np.float64)).to(dtype) for k, v in w_np.items()}


# ---------------------------------------------------------------------------------------------------------------
# Checks.

def finite_difference(cfg, w64, ids, labels, adapter_np, modules, scaling, grads, gen):
    """Central differences of loss_lora (float64) at FD_COORDS coordinates, alternating A and B tensors."""
    names = [sorted(k for k in adapter_np if ".lora_A." in k), sorted(k for k in adapter_np if ".lora_B." in k)]
    leaves, lora = lora_state(adapter_np, modules, scaling, torch.float64, False)
    worst_rel, worst_abs, rows = 0.0, 0.0, []
    with torch.no_grad():
        for c in range(FD_COORDS):
            group = names[c % 2]
            key = group[torch.randint(len(group), (1,), generator=gen).item()]
            flat = leaves[key].view(-1)
            j = torch.randint(flat.numel(), (1,), generator=gen).item()
            w0, vals = flat[j].item(), []
            for x in (w0 + FD_EPS, w0 - FD_EPS):
                flat[j] = x
                vals.append(causal_lm_loss(forward(cfg, w64, ids, lora), labels).item())
            flat[j] = w0
            fd, ag = (vals[0] - vals[1]) / (2 * FD_EPS), grads[key].view(-1)[j].item()
            rel = abs(ag - fd) / max(abs(ag), abs(fd), 1e-3)
            worst_rel, worst_abs = max(worst_rel, rel), max(worst_abs, abs(ag - fd))
            rows.append({"key": key, "index": j, "autograd": ag, "finiteDifference": fd})
    return {"eps": FD_EPS, "coords": FD_COORDS, "maxRelErr": worst_rel, "maxAbsErr": worst_abs,
            "tolerance": FD_TOL, "ok": worst_rel <= FD_TOL}, rows


def discrepancy(ref, got):
    """float32 vs float64: max |d|, and max |d| / |ref| over elements with |ref| >= 1e-3 * max |ref|."""
    ref, got = ref.double(), got.double()
    d = (got - ref).abs()
    big = ref.abs() >= 1e-3 * ref.abs().max()
    return {"maxAbs": d.max().item(), "maxRel": (d[big] / ref.abs()[big]).max().item(),
            "maxAbsRef": ref.abs().max().item()}


def grad_tolerance_ratio(ref, got, rtol, atol):  # max over elements of |d| / (atol + rtol |ref|); <= 1 passes
    return ((got.double() - ref.double()).abs() / (atol + rtol * ref.double().abs())).max().item()


# ---------------------------------------------------------------------------------------------------------------
# One fixture with an adapter: adapter/, golden.safetensors, meta.json.

def make_labels(ids, masks):
    """labels = ids with the given (row, start, stop) spans set to -100."""
    labels = ids.clone()
    for row, start, stop in masks:
        labels[row, start:stop] = IGNORE_INDEX
    return labels


def build_lora_fixture(name, cfg, w_np, model_info, base_path, lora_spec, batch, seq, masks, greedy_spec, seed):
    out = os.path.join(FIXTURES, name)
    gen = torch.Generator().manual_seed(seed)
    modules = lora_modules(cfg, lora_spec["targets"])
    r, alpha, rslora = lora_spec["r"], lora_spec["alpha"], lora_spec["rslora"]
    scaling = alpha / math.sqrt(r) if rslora else alpha / r
    adapter_np = make_adapter(w_np, modules, r, gen)
    write_safetensors(os.path.join(out, "adapter", "adapter_model.safetensors"), adapter_np, {"format": "pt"})
    write_json(os.path.join(out, "adapter", "adapter_config.json"),
               adapter_config(base_path, r, alpha, lora_spec["targets"], rslora))

    ids = torch.randint(cfg["V"], (batch, seq), generator=gen, dtype=torch.int64)  # [B, T]
    labels = make_labels(ids, masks)                                                 # [B, T]
    results = {}
    for dtype in (torch.float64, torch.float32):
        w = to_torch(w_np, dtype)
        with torch.no_grad():
            logits_base = forward(cfg, w, ids)
            loss_base = causal_lm_loss(logits_base, labels)
        leaves, lora = lora_state(adapter_np, modules, scaling, dtype, True)
        logits_lora = forward(cfg, w, ids, lora)
        loss_lora = causal_lm_loss(logits_lora, labels)
        grads = dict(zip(leaves, torch.autograd.grad(loss_lora, list(leaves.values()))))
        results[dtype] = {"logits_base": logits_base, "loss_base": loss_base.detach(),
                          "logits_lora": logits_lora.detach(), "loss_lora": loss_lora.detach(), "grads": grads}
    g64, g32 = results[torch.float64], results[torch.float32]
    w64 = to_torch(w_np, torch.float64)

    # Self-checks: autograd vs finite differences; merged weights give the same logits; B = 0 is a no-op.
    fd, fd_rows = finite_difference(cfg, w64, ids, labels, adapter_np, modules, scaling, g64["grads"], gen)
    merged = dict(w64)
    for m in modules:
        merged[m + ".weight"] = w64[m + ".weight"] + scaling * (
            torch.tensor(adapter_np[peft_key(m, "B")], dtype=torch.float64)
            @ torch.tensor(adapter_np[peft_key(m, "A")], dtype=torch.float64))  # [out, r] @ [r, in]
    with torch.no_grad():
        merge_diff = (forward(cfg, merged, ids) - g64["logits_lora"]).abs().max().item()
        zero_b = {k: (v * 0 if ".lora_B." in k else v) for k, v in adapter_np.items()}
        fresh_diff = (forward(cfg, w64, ids, lora_state(zero_b, modules, scaling, torch.float64, False)[1])
                      - g64["logits_base"]).abs().max().item()
    lora_effect = (g64["logits_lora"] - g64["logits_base"]).abs().max().item()

    prompt_len, new_tokens = greedy_spec
    greedy_ids, margin = greedy(cfg, w64, ids[:1, :prompt_len], new_tokens)                   # [1, P + N]
    greedy32, _ = greedy(cfg, to_torch(w_np, torch.float32), ids[:1, :prompt_len], new_tokens)

    golden = {"input_ids": ids.numpy(), "labels": labels.numpy(),
              "logits_base": g64["logits_base"].numpy().astype(np.float32),
              "logits_lora": g64["logits_lora"].numpy().astype(np.float32),
              "loss_base": g64["loss_base"].view(1).numpy().astype(np.float32),
              "loss_lora": g64["loss_lora"].view(1).numpy().astype(np.float32),
              "greedy_ids": greedy_ids.numpy()}
    for k, g in g64["grads"].items():
        golden["grad." + k] = g.numpy().astype(np.float32)
    write_safetensors(os.path.join(out, "golden.safetensors"), golden,
                      {"fixtureVersion": FIXTURE_VERSION, "generator": GENERATOR})

    f32 = {"logitsBase": discrepancy(g64["logits_base"], g32["logits_base"]),
           "logitsLora": discrepancy(g64["logits_lora"], g32["logits_lora"]),
           "lossBaseRel": abs(g32["loss_base"].item() - g64["loss_base"].item()) / g64["loss_base"].item(),
           "lossLoraRel": abs(g32["loss_lora"].item() - g64["loss_lora"].item()) / g64["loss_lora"].item(),
           "grads": discrepancy(torch.cat([g.view(-1) for g in g64["grads"].values()]),
                                torch.cat([g32["grads"][k].view(-1) for k in g64["grads"]])),
           "gradToleranceRatio": [{"rtol": rtol, "atol": atol, "max": max(
               grad_tolerance_ratio(g64["grads"][k], g32["grads"][k], rtol, atol) for k in g64["grads"])}
               for rtol, atol in GRAD_TOLERANCES],
           "greedyIdsEqual": bool(torch.equal(greedy32, greedy_ids))}
    checks = {"finiteDifference": fd, "mergedVsUnmergedMaxAbs": merge_diff, "zeroBVsBaseMaxAbs": fresh_diff,
              "loraEffectOnLogitsMaxAbs": lora_effect, "greedyMinTop2Margin": margin}
    ok = (fd["ok"] and merge_diff < 1e-9 and fresh_diff == 0.0 and lora_effect > 1e-3 and margin > 1e-3
          and f32["greedyIdsEqual"])
    meta = {"fixtureVersion": FIXTURE_VERSION, "generator": GENERATOR, "torch": torch.__version__, "seed": seed,
            "model": model_info,
            "lora": {"r": r, "loraAlpha": alpha, "useRslora": rslora, "scaling": scaling,
                     "targetModules": list(lora_spec["targets"]), "modules": len(modules),
                     "init": "lora_A ~ U(-1/sqrt(in), 1/sqrt(in)) (kaiming_uniform a=sqrt(5)); lora_B ~ N(0, 0.02)"},
            "inputs": {"batch": batch, "seq": seq, "ignoredLabelSpans": [list(m) for m in masks],
                       "targets": int((labels[:, 1:] != IGNORE_INDEX).sum())},
            "greedy": {"promptFrom": "input_ids[0, :promptLength]", "promptLength": prompt_len,
                       "newTokens": new_tokens, "adapter": False, "eosStop": False, "kvCache": False},
            "values": {"lossBase": g64["loss_base"].item(), "lossLora": g64["loss_lora"].item()},
            "checks": checks, "float32VsFloat64": f32,
            "notes": "Goldens are float64 computations on the stored float32 weights, rounded to float32. "
                     "float32VsFloat64 is the same reference run in float32 (torch CPU), as a floor for what an "
                     "honest float32 engine can reach. See test/parity/README.md."}
    write_json(os.path.join(out, "meta.json"), meta)
    summary = {"fixture": name, "ok": ok, "lossBase": g64["loss_base"].item(), "lossLora": g64["loss_lora"].item(),
               "fdMaxRelErr": fd["maxRelErr"], "mergeDiff": merge_diff, "greedyMargin": margin,
               "f32LogitsMaxAbs": max(f32["logitsBase"]["maxAbs"], f32["logitsLora"]["maxAbs"]),
               "f32LossRel": max(f32["lossBaseRel"], f32["lossLoraRel"]), "f32GradMaxAbs": f32["grads"]["maxAbs"],
               "f32GradTolRatio": [t["max"] for t in f32["gradToleranceRatio"]], "greedy": greedy_ids[0].tolist()}
    if not ok:
        summary["fdRows"] = fd_rows
    return summary


# ---------------------------------------------------------------------------------------------------------------
# The three fixtures.

def stories260k(seed):
    model_dir = os.path.join(REPO_ROOT, STORIES_REL)
    st_path = os.path.join(model_dir, "model.safetensors")
    if not os.path.isfile(st_path):
        sys.exit(f"stories260k: {st_path} not found; the checkpoint is expected at <repo>/{STORIES_REL}")
    with open(os.path.join(model_dir, "config.json")) as f:
        raw = json.load(f)
    cfg = resolve_config(raw)
    w_np, _ = read_safetensors(st_path)
    w_np = {k: v.astype(np.float32) for k, v in w_np.items()}
    if cfg["tie"] and "lm_head.weight" in w_np:  # stored as a copy; the tied forward reads embed_tokens
        if not np.array_equal(w_np["lm_head.weight"], w_np["model.embed_tokens.weight"]):
            sys.exit("stories260k: tie_word_embeddings is true but lm_head.weight differs from embed_tokens")
    info = {"path": STORIES_REL, "sha256": sha256(st_path),
            "configSha256": sha256(os.path.join(model_dir, "config.json"))}
    return build_lora_fixture(
        "stories260k", cfg, w_np, info, STORIES_REL,
        {"r": 4, "alpha": 8, "rslora": False, "targets": ATTN + MLP},
        batch=2, seq=32, masks=[(0, 0, 8), (1, 0, 5)], greedy_spec=(8, 16), seed=seed)


QWEN2_CONFIG = {
    "architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "hidden_size": 32, "intermediate_size": 64,
    "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 96,
    "max_position_embeddings": 128, "rms_norm_eps": 1e-6, "rope_theta": 1000000.0, "rope_scaling": None,
    "tie_word_embeddings": False, "hidden_act": "silu", "attention_dropout": 0.0, "initializer_range": 0.05,
    "use_sliding_window": False, "sliding_window": None, "max_window_layers": 2, "use_cache": True,
    "torch_dtype": "float32"}

LLAMA_TINY_CONFIG = {
    "architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 32, "intermediate_size": 64,
    "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 4, "vocab_size": 64,
    "max_position_embeddings": 128, "rms_norm_eps": 1e-5, "rope_theta": 10000.0, "rope_scaling": None,
    "tie_word_embeddings": True, "hidden_act": "silu", "attention_bias": False, "attention_dropout": 0.0,
    "mlp_bias": False, "initializer_range": 0.05, "pretraining_tp": 1, "use_cache": True, "torch_dtype": "float32"}


def qwen2_tiny(seed):
    name, cfg = "qwen2-tiny", resolve_config(QWEN2_CONFIG)
    w_np = random_model(cfg, torch.Generator().manual_seed(seed))
    mdir, f16dir = os.path.join(FIXTURES, name, "model"), os.path.join(FIXTURES, name, "model-f16")
    write_json(os.path.join(mdir, "config.json"), QWEN2_CONFIG)
    write_safetensors(os.path.join(mdir, "model.safetensors"), w_np, {"format": "pt"})
    w16 = {k: v.astype(np.float16) for k, v in w_np.items()}
    write_json(os.path.join(f16dir, "config.json"), {**QWEN2_CONFIG, "torch_dtype": "float16"})
    write_safetensors(os.path.join(f16dir, "model.safetensors"), w16, {"format": "pt"})
    f16_err = max(float(np.abs(w16[k].astype(np.float32) - w_np[k]).max()) for k in w_np)
    info = {"path": f"test/parity/fixtures/{name}/model", "sha256": sha256(os.path.join(mdir, "model.safetensors")),
            "f16": {"path": f"test/parity/fixtures/{name}/model-f16",
                    "sha256": sha256(os.path.join(f16dir, "model.safetensors")),
                    "maxAbsDiffVsF32": f16_err, "goldens": "none; the goldens refer to model/ (F32) only"},
            "init": "matrices N(0, 0.05); q/k/v biases N(0, 0.1); norm weights 1 + 0.1 N(0, 1)"}
    s = build_lora_fixture(name, cfg, w_np, info, info["path"],
                           {"r": 8, "alpha": 16, "rslora": True, "targets": ("q_proj", "v_proj", "down_proj")},
                           batch=2, seq=16, masks=[(0, 0, 4), (1, 0, 3), (1, 14, 16)], greedy_spec=(4, 8),
                           seed=seed + 1)
    s["f16MaxAbsDiff"] = f16_err
    s["ok"] = s["ok"] and f16_err < 1e-3
    return s


def llama_tiny_sharded(seed):
    name, cfg = "llama-tiny-sharded", resolve_config(LLAMA_TINY_CONFIG)
    gen = torch.Generator().manual_seed(seed)
    w_np = random_model(cfg, gen)  # tied: no lm_head.weight, as HF saves a tied model
    mdir, out = os.path.join(FIXTURES, name, "model"), os.path.join(FIXTURES, name)
    write_json(os.path.join(mdir, "config.json"), LLAMA_TINY_CONFIG)
    shards = {"model-00001-of-00002.safetensors": {}, "model-00002-of-00002.safetensors": {}}
    first, second = shards.values()
    for k, v in w_np.items():  # embedding and layer 0 in the first shard; layer 1 and the final norm in the second
        (first if k.startswith(("model.embed_tokens.", "model.layers.0.")) else second)[k] = v
    for fname, tensors in shards.items():
        write_safetensors(os.path.join(mdir, fname), tensors, {"format": "pt"})
    index = {"metadata": {"total_size": sum(v.nbytes for v in w_np.values())},
             "weight_map": {k: f for f, t in shards.items() for k in sorted(t)}}
    index["weight_map"] = dict(sorted(index["weight_map"].items()))
    write_json(os.path.join(mdir, "model.safetensors.index.json"), index)

    ids = torch.randint(cfg["V"], (1, 12), generator=gen, dtype=torch.int64)  # [1, 12]
    with torch.no_grad():
        l64 = forward(cfg, to_torch(w_np, torch.float64), ids)
        l32 = forward(cfg, to_torch(w_np, torch.float32), ids)
    write_safetensors(os.path.join(out, "golden.safetensors"),
                      {"input_ids": ids.numpy(), "logits_base": l64.numpy().astype(np.float32)},
                      {"fixtureVersion": FIXTURE_VERSION, "generator": GENERATOR})
    f32 = discrepancy(l64, l32)
    write_json(os.path.join(out, "meta.json"), {
        "fixtureVersion": FIXTURE_VERSION, "generator": GENERATOR, "torch": torch.__version__, "seed": seed,
        "model": {"path": f"test/parity/fixtures/{name}/model", "format": "sharded safetensors + index",
                  "shards": {f: sha256(os.path.join(mdir, f)) for f in shards},
                  "tiedLmHeadStored": False,
                  "init": "matrices N(0, 0.05); norm weights 1 + 0.1 N(0, 1); no biases"},
        "inputs": {"batch": 1, "seq": 12},
        "float32VsFloat64": {"logitsBase": f32},
        "notes": "Base logits only (no adapter). lm_head is tied to model.embed_tokens.weight and is not stored, "
                 "as transformers saves tied weights. See test/parity/README.md."})
    return {"fixture": name, "ok": True, "f32LogitsMaxAbs": f32["maxAbs"], "logitsMaxAbsRef": f32["maxAbsRef"],
            "totalSize": index["metadata"]["total_size"]}


def main():
    if sys.byteorder != "little":
        sys.exit("make_fixtures.py writes native numpy buffers as little-endian; run it on a little-endian host")
    torch.set_num_threads(1)  # a fixed reduction order, so the float32 measurements repeat exactly
    if os.path.isdir(FIXTURES):
        shutil.rmtree(FIXTURES)
    summaries = [stories260k(SEED), qwen2_tiny(SEED + 100), llama_tiny_sharded(SEED + 200)]
    total = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(FIXTURES) for f in fs)
    for s in summaries:
        print(json.dumps(s))
    print(json.dumps({"fixturesDir": os.path.relpath(FIXTURES, REPO_ROOT), "totalBytes": total,
                      "ok": all(s["ok"] for s in summaries)}))
    if not all(s["ok"] for s in summaries) or total > 2_000_000:
        sys.exit("make_fixtures.py: a self-check failed (see the summaries above); the fixtures are not trustworthy")


if __name__ == "__main__":
    main()
