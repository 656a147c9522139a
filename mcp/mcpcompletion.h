// SPDX-License-Identifier: GPL-2.0-or-later
// Ranking of completion/complete values, shared by resource templates and prompts.
#pragma once

#include <QStringList>

namespace McpCompletion {
/// The most values one completion/complete answer carries (MCP's limit).
inline constexpr int kMaxValues = 100;

/// The candidates that start with `prefix` (case-insensitive), then those that merely contain
/// it, without duplicates and at most kMaxValues. An empty prefix keeps every candidate.
QStringList rank(const QStringList &candidates, const QString &prefix);
} // namespace McpCompletion
