#!/usr/bin/python3
"""The scikit-learn side of the training benchmark (bench.ts runs it; Debian: apt-get install python3-sklearn).

Usage: sklearn_baseline.py <train.csv> <test.csv> <target> <folds> <seed>
Fits HistGradientBoostingClassifier with its defaults (early stopping on 10% of the rows above 10,000 rows, as
the trainer does) the way `glyco train` is timed: a stratified k-fold cross-validation, then a fit on every
row; scores it on the held-out test file (macro one-vs-rest ROC AUC); does the same for a standardised
multinomial logistic regression (C = 1) for reference. Prints one JSON object.
"""
import json
import resource
import sys
import time

import numpy as np
import sklearn
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler


def load(path, target):
    with open(path) as file:
        header = file.readline().strip().split(",")
    data = np.loadtxt(path, delimiter=",", skiprows=1)
    column = header.index(target)
    return np.delete(data, column, axis=1), data[:, column].astype(int)


def timed(model, x, y, x_test, y_test, folds, seed):
    started = time.perf_counter()
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    cv = cross_val_score(model, x, y, cv=splitter, scoring="roc_auc_ovr")
    model.fit(x, y)
    seconds = time.perf_counter() - started
    test = roc_auc_score(y_test, model.predict_proba(x_test), multi_class="ovr", average="macro")
    return {"seconds": seconds, "cvMacroAuc": float(cv.mean()), "testMacroAuc": float(test)}


def main():
    train, test, target, folds, seed = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    x, y = load(train, target)
    x_test, y_test = load(test, target)
    hgb = timed(HistGradientBoostingClassifier(random_state=seed), x, y, x_test, y_test, folds, seed)
    logistic = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=1000))
    logreg = timed(logistic, x, y, x_test, y_test, folds, seed)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({
        "sklearn": sklearn.__version__,
        "hgb": hgb,
        "logreg": logreg,
        "peakRssMb": round(peak_kib / 1024),
    }))


main()
