"""Train the built-in contradiction model's LoRA adapter on the dev NLI data.

    python benchmarks/train_contradiction_model.py   # about 25 min on 2 cores; writes warwatch/pairs/adapter

The pool is SICK_train plus the MNLI matched sample (three labels); SICK_trial is never
trained on. The script trains the adapter four times with the same recipe: on each two
thirds of the pool (3 folds, stratified), to give every pool pair a contradiction log-odds
from a model that never saw it, then on the whole pool, which is the adapter shipped. The
out-of-fold figures and the shipped model's on SICK_trial are saved in
``benchmarks/results/contradiction_model.npz``; ``fit_contradiction.py`` fits the judge's
weights on them, as the judge will meet the model on pairs it has not seen.

A plain torch loop rather than transformers' Trainer or sentence-transformers' CrossEncoder
trainer: both need the `datasets` package and its caches for 40 lines of training.
Deterministic for a given seed on one machine.
"""

from __future__ import annotations

import json
import random
import shutil
import sys
import time

import numpy as np
import torch
from common import RESULTS
from fit_contradiction import MODEL_OUTPUTS, rows_of
from peft import LoraConfig, get_peft_model
from sklearn.model_selection import StratifiedKFold

from warwatch.pairs.model import ADAPTER_DIR, LABELS, base_model, contradiction_log_odds, probabilities, tokenize

RECIPE = {"rank": 16, "alpha": 32, "dropout": 0.05, "lr": 5e-4, "epochs": 3, "batch": 32, "warmup": 0.1, "seed": 0}

Row = tuple[str, str, str]


def train(rows: list[Row], recipe: dict = RECIPE):
    """A tokenizer and the base model with a LoRA adapter trained on ``rows`` (a, b, label)."""
    torch.manual_seed(recipe["seed"])
    shuffle = random.Random(recipe["seed"])
    tokenizer, base = base_model()
    model = get_peft_model(base, LoraConfig(
        r=recipe["rank"], lora_alpha=recipe["alpha"], lora_dropout=recipe["dropout"], task_type="SEQ_CLS",
        target_modules=["query", "key", "value", "dense"], modules_to_save=["classifier", "pooler"]))
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimiser = torch.optim.AdamW(trainable, lr=recipe["lr"], weight_decay=0.01)
    per_epoch = -(-len(rows) // recipe["batch"])
    steps, warmup = recipe["epochs"] * per_epoch, recipe["warmup"] * recipe["epochs"] * per_epoch
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min(1.0, (s + 1) / warmup) * max(0.0, (steps - s) / (steps - warmup)))
    model.train()
    for _ in range(recipe["epochs"]):
        order = list(range(len(rows)))
        shuffle.shuffle(order)
        for start in range(0, len(order), recipe["batch"]):
            batch = [rows[i] for i in order[start:start + recipe["batch"]]]
            labels = torch.tensor([LABELS.index(label) for _, _, label in batch])
            loss = model(**tokenize(tokenizer, [(a, b) for a, b, _ in batch]), labels=labels).loss
            loss.backward()
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
    return tokenizer, model.eval()


def log_odds(tokenizer, model, rows: list[Row]) -> np.ndarray:
    """The trained model's contradiction log-odds for each row, read as `warwatch pairs` reads them."""
    return contradiction_log_odds(probabilities(tokenizer, model, [(a, b) for a, b, _ in rows]))


def save_adapter(model) -> None:
    """The adapter in fp16 (half the size; merged into fp32 weights at load), without peft's model card."""
    model.half()
    shutil.rmtree(ADAPTER_DIR, ignore_errors=True)
    model.save_pretrained(str(ADAPTER_DIR))
    (ADAPTER_DIR / "README.md").unlink(missing_ok=True)
    config = ADAPTER_DIR / "adapter_config.json"
    settings = json.loads(config.read_text())
    settings["base_model_name_or_path"] = "sentence-transformers/all-MiniLM-L6-v2"  # not this machine's path
    config.write_text(json.dumps(settings, indent=2, sort_keys=True) + "\n")


def main() -> None:
    rows = rows_of()
    pool = rows["SICK_train"] + rows["MNLI"]
    labels = np.array([label for _, _, label in pool])
    oof = np.zeros(len(pool))
    start = time.perf_counter()
    for fold, (inside, outside) in enumerate(StratifiedKFold(3, shuffle=True, random_state=0).split(pool, labels)):
        tokenizer, model = train([pool[i] for i in inside])
        oof[outside] = log_odds(tokenizer, model, [pool[i] for i in outside])
        print(f"fold {fold + 1}/3 trained and scored ({time.perf_counter() - start:.0f} s)", flush=True)
    tokenizer, model = train(pool)
    trial = log_odds(tokenizer, model, rows["SICK_trial"])
    save_adapter(model)
    RESULTS.mkdir(parents=True, exist_ok=True)
    sick = len(rows["SICK_train"])
    np.savez(MODEL_OUTPUTS, SICK_train=oof[:sick], MNLI=oof[sick:], SICK_trial=trial, recipe=json.dumps(RECIPE))
    gold = np.array([label == "contradiction" for _, _, label in rows["SICK_trial"]])
    predicted = trial > 0
    tp = int((gold & predicted).sum())
    print(f"adapter saved in {ADAPTER_DIR} ({time.perf_counter() - start:.0f} s); model alone (p > 0.5) on "
          f"SICK_trial: contradiction F1 {2 * tp / (2 * tp + int((gold ^ predicted).sum())):.3f}", file=sys.stderr)


if __name__ == "__main__":
    main()
