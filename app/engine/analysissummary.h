// SPDX-License-Identifier: GPL-2.0-or-later
// The words for a ScriptAnalysis, shared by the approval panel, the editor's status line and the
// terminal prompt, so a person reads the same facts the same way wherever they decide.
#pragma once

#include "engine/scriptanalyzer.h"

#include <QCoreApplication>
#include <QString>
#include <QStringList>

/// Formats an analysis for people. Pure functions of the analysis; translated in the
/// "AnalysisSummary" context. Phrases start with a capital and end without a full stop, so a
/// label can show one alone and a status line can join several.
class AnalysisSummary
{
    Q_DECLARE_TR_FUNCTIONS(AnalysisSummary)
public:
    /// "Low risk", "Medium risk" or "High risk".
    static QString risk(RiskLevel level);
    /// The reasons behind the risk, highest first; "Nothing risky found." once bpftrace's check
    /// is in and found nothing; empty while it is still running, or when bpftrace could not check
    /// it, and nothing was found.
    static QStringList findings(const ScriptAnalysis &analysis);
    /// "Attaches to 3 probes" once bpftrace expanded the attach points; before that, or when it
    /// could not, the attach points as written.
    static QString attachment(const ScriptAnalysis &analysis);
    /// The probes it attaches to (as written until expanded), at most `limit` of them followed by
    /// how many more; empty when there are none.
    static QString probeList(const ScriptAnalysis &analysis, int limit);
    /// "Uses unsafe builtins: system (bpftrace runs with --unsafe)"; empty when it uses none.
    static QString unsafeBuiltins(const ScriptAnalysis &analysis);
    /// "Checking with bpftrace…" while the analysis is not complete; empty after (and when the
    /// check ended without bpftrace's verdict: see unchecked()).
    static QString checking(const ScriptAnalysis &analysis);
    /// Whether the full analysis is over but bpftrace never compiled the program to a verdict,
    /// so nothing vouches for it.
    static bool isUnchecked(const ScriptAnalysis &analysis);
    /// "Not checked by bpftrace: <why>" when isUnchecked(); empty otherwise. Shown wherever a
    /// person decides, next to the risk.
    static QString unchecked(const ScriptAnalysis &analysis);
    /// One line for under the editor: attachment (or the number of attach points as written),
    /// risk, error count, unsafe builtins, the unchecked note and whether bpftrace is still
    /// checking, joined by " · ".
    static QString statusLine(const ScriptAnalysis &analysis);
    /// Several lines for a terminal, each ending in '\n': risk, indented findings, attachment
    /// with up to `probeLimit` probes, unsafe builtins, diagnostics, and the checking or
    /// unchecked note.
    static QString report(const ScriptAnalysis &analysis, int probeLimit);
    /// One target of a fleet request: "db1: Attaches to 12 probes · Low risk", with its errors,
    /// the unchecked note or "Checking with bpftrace…" as they apply. `target` is shown as given:
    /// the caller makes it inert.
    static QString target(const QString &target, const ScriptAnalysis &analysis);
};
