"""How hard is wallet-sim's fraud to catch? A standard model on a time split.

Reads `wallet-sim export --format csv`, computes for each transaction
features from its account's own past only (velocity, time since the previous
transaction, new merchant/city/country for the account, amount against the
account's own mean, away from home, channel, hour...), trains scikit-learn's
HistGradientBoostingClassifier on the first 70% of event time and scores the
last 30%. Prints ROC AUC, average precision, card precision@100 per day,
each scenario's AUC, and each single exported column's AUC on its own.

    python evaluate.py export.csv [--json figures.json]

Amounts are read as floats here: they only feed features and scores.
"""

from __future__ import annotations

import argparse
import json
import sys

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import average_precision_score, roc_auc_score

TRAIN_SHARE = 0.7
HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS
TOP_CARDS = 100
SEED = 0

# The label and what is derived from it: never a feature, never a scored column.
LABEL_COLUMNS = ["is_fraud", "fraud_scenario", "fraud_episode_id", "fraud_step"]
NUMERIC_COLUMNS = ["amount", "balance_before", "balance_after", "event_time_ms"]
CATEGORICAL_FEATURES = ["type", "channel", "merchant_category_code", "segment"]


def load(path: str) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame["is_fraud"] = frame["is_fraud"] == "true"
    for column in ["amount", "balance_before", "balance_after"]:
        frame[column] = pd.to_numeric(frame[column].replace("", np.nan))
    frame["event_time_ms"] = pd.to_datetime(frame["event_time"], utc=True).dt.as_unit("ms").astype("int64")
    return frame.sort_values(["event_time_ms", "transaction_id"], kind="stable").reset_index(drop=True)


def window_stats(keys: np.ndarray, values: np.ndarray, window_ms: int) -> tuple[np.ndarray, np.ndarray]:
    """Count and sum of `values` over the account's earlier rows within `window_ms` (keys sorted by account, then time)."""
    positions = np.arange(len(keys))
    first = np.searchsorted(keys, keys - window_ms, side="left")
    cumulative = np.concatenate([[0.0], np.cumsum(values)])
    return (positions - first).astype(float), cumulative[positions] - cumulative[first]


def first_seen(frame: pd.DataFrame, column: str) -> np.ndarray:
    """1 where the account meets this value of `column` for the first time, 0 if seen before, NaN where empty."""
    new = (frame.groupby(["account_id", column], sort=False).cumcount() == 0).to_numpy(float).copy()
    new[frame[column].to_numpy() == ""] = np.nan
    return new


def features(source: pd.DataFrame) -> pd.DataFrame:
    frame = source.sort_values(["account_id", "event_time_ms", "transaction_id"], kind="stable")
    account_code = pd.factorize(frame["account_id"])[0].astype(np.int64)
    time_ms = frame["event_time_ms"].to_numpy(np.int64)
    keys = account_code * (10**13) + time_ms
    amount = frame["amount"].fillna(0).to_numpy(float)
    out = pd.DataFrame(index=frame.index)
    out["log_amount"] = np.log1p(amount)
    for name, window in [("1h", HOUR_MS), ("1d", DAY_MS), ("7d", 7 * DAY_MS)]:
        count, total = window_stats(keys, amount, window)
        out[f"count_{name}"] = count
        out[f"sum_{name}"] = total
    same_account = np.concatenate([[False], account_code[1:] == account_code[:-1]])
    previous_ms = np.concatenate([[0], time_ms[:-1]])
    out["seconds_since_previous"] = np.where(same_account, (time_ms - previous_ms) / 1000, np.nan)
    grouped = frame.groupby("account_id", sort=False)["amount"]
    past_count = grouped.cumcount().to_numpy(float)
    past_sum = grouped.cumsum().to_numpy(float) - amount
    past_mean = np.where(past_count > 0, past_sum / np.maximum(past_count, 1), np.nan)
    out["past_transactions"] = past_count
    out["amount_over_past_mean"] = amount / past_mean
    for column in ["merchant_name", "merchant_city", "merchant_country", "counterparty_account_id", "merchant_category_code"]:
        out[f"new_{column}"] = first_seen(frame, column)
    has_place = frame["merchant_city"] != ""
    out["away_from_home_city"] = np.where(has_place, (frame["merchant_city"] != frame["home_city"]).astype(float), np.nan)
    out["abroad"] = np.where(has_place, (frame["merchant_country"] != frame["home_country"]).astype(float), np.nan)
    out["hour"] = (time_ms // HOUR_MS) % 24
    for column in CATEGORICAL_FEATURES:
        out[column] = frame[column].astype("category")
    return out.loc[source.index]


def oriented_auc(labels: np.ndarray, scores: np.ndarray) -> float:
    """AUC of a score taken either way round: how well the column separates, whichever side fraud is on."""
    if labels.all() or not labels.any():
        return float("nan")
    auc = roc_auc_score(labels, scores)
    return max(auc, 1 - auc)


def single_column_aucs(frame: pd.DataFrame, train: np.ndarray, test: np.ndarray) -> dict[str, float]:
    """Each exported column alone: numbers as scores, everything else by its fraud rate learnt on train."""
    labels = frame["is_fraud"].to_numpy()
    prior = labels[train].mean()
    aucs: dict[str, float] = {}
    for column in frame.columns:
        if column in LABEL_COLUMNS or column == "event_time":
            continue
        if column in NUMERIC_COLUMNS:
            scores = frame.loc[test, column].fillna(-1).to_numpy(float)
        else:
            rates = frame.loc[train].groupby(column)["is_fraud"].mean()
            scores = frame.loc[test, column].map(rates).astype(float).fillna(prior).to_numpy()
        aucs[column] = oriented_auc(labels[test], scores)
    hours = (frame["event_time_ms"] // HOUR_MS) % 24
    rates = frame.loc[train].groupby(hours[train])["is_fraud"].mean()
    aucs["event_time (hour of day)"] = oriented_auc(labels[test], hours[test].map(rates).fillna(prior).to_numpy(float))
    return aucs


def card_precision_at(frame: pd.DataFrame, scores: np.ndarray, top: int) -> float:
    """Per test day, the share of compromised accounts among the `top` accounts with the highest score; averaged over days."""
    scored = pd.DataFrame({"day": frame["event_time_ms"] // DAY_MS, "account": frame["account_id"], "score": scores, "fraud": frame["is_fraud"]})
    per_day = scored.groupby(["day", "account"]).agg(score=("score", "max"), fraud=("fraud", "max")).reset_index()
    precisions = [group.nlargest(top, "score")["fraud"].mean() for _, group in per_day.groupby("day")]
    return float(np.mean(precisions))


def fraud_by_fifth(frame: pd.DataFrame) -> list[float]:
    time_ms = frame["event_time_ms"]
    span = time_ms.max() - time_ms.min() + 1
    fifth = ((time_ms - time_ms.min()) * 5 // span).clip(0, 4)
    counts = frame.loc[frame["is_fraud"]].groupby(fifth[frame["is_fraud"]]).size().reindex(range(5), fill_value=0)
    return [round(float(share), 3) for share in counts / max(1, counts.sum())]


def evaluate(path: str, train_share: float = TRAIN_SHARE) -> dict:
    frame = load(path)
    table = features(frame)
    time_ms = frame["event_time_ms"]
    split_ms = time_ms.min() + train_share * (time_ms.max() - time_ms.min())
    train = (time_ms < split_ms).to_numpy()
    test = ~train
    labels = frame["is_fraud"].to_numpy()
    if not labels[train].any() or not labels[test].any():
        raise SystemExit(f"evaluate.py: fraud rows in train {labels[train].sum()}, in test {labels[test].sum()}: a time split needs both")
    model = HistGradientBoostingClassifier(random_state=SEED, categorical_features="from_dtype")
    model.fit(table[train], labels[train])
    scores = model.predict_proba(table[test])[:, 1]
    test_frame = frame.loc[test].reset_index(drop=True)
    scenarios = {}
    for scenario in sorted(s for s in frame["fraud_scenario"].unique() if s):
        chosen = (~test_frame["is_fraud"] | (test_frame["fraud_scenario"] == scenario)).to_numpy()
        scenarios[scenario] = {
            "auc": roc_auc_score(test_frame["is_fraud"][chosen], scores[chosen]),
            "test_rows": int((test_frame["fraud_scenario"] == scenario).sum()),
        }
    columns = single_column_aucs(frame, train, test)
    worst = max(columns, key=lambda column: columns[column])
    return {
        "rows": len(frame),
        "fraud_rows": int(labels.sum()),
        "fraud_share_by_fifth_of_time": fraud_by_fifth(frame),
        "train_share": train_share,
        "train_rows": int(train.sum()),
        "test_rows": int(test.sum()),
        "test_fraud_rows": int(labels[test].sum()),
        "roc_auc": roc_auc_score(labels[test], scores),
        "average_precision": average_precision_score(labels[test], scores),
        "card_precision_at_100": card_precision_at(test_frame, scores, TOP_CARDS),
        "scenarios": scenarios,
        "single_columns": columns,
        "worst_single_column": {"column": worst, "auc": columns[worst]},
    }


def report(figures: dict) -> str:
    lines = [
        f"rows {figures['rows']:,}, fraud {figures['fraud_rows']:,}; share of fraud rows by fifth of time {figures['fraud_share_by_fifth_of_time']}",
        f"train (first {figures['train_share']:.0%} of event time) {figures['train_rows']:,} rows; test {figures['test_rows']:,} rows, {figures['test_fraud_rows']:,} fraud",
        f"ROC AUC {figures['roc_auc']:.3f}   average precision {figures['average_precision']:.3f}   card precision@{TOP_CARDS} {figures['card_precision_at_100']:.3f}",
        "per scenario (its fraud rows against all legitimate rows):",
    ]
    lines += [f"  {name:<18} AUC {value['auc']:.3f}  ({value['test_rows']} test rows)" for name, value in figures["scenarios"].items()]
    lines.append("each exported column alone (AUC either way round):")
    ordered = sorted(figures["single_columns"].items(), key=lambda item: -np.nan_to_num(item[1]))
    lines += [f"  {name:<26} {value:.3f}" for name, value in ordered]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("csv", help="wallet-sim export --format csv output")
    parser.add_argument("--json", help="also write the figures here")
    parser.add_argument("--train-share", type=float, default=TRAIN_SHARE, help="share of event time to train on (default 0.7)")
    arguments = parser.parse_args()
    figures = evaluate(arguments.csv, arguments.train_share)
    print(report(figures))
    if arguments.json:
        with open(arguments.json, "w", encoding="utf-8") as out:
            json.dump(figures, out, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
