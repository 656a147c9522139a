// SPDX-License-Identifier: GPL-2.0-or-later
// Ranking of completion/complete values, shared by resource templates and prompts.
#include "mcp/mcpcompletion.h"

QStringList McpCompletion::rank(const QStringList &candidates, const QString &prefix)
{
    // Prefix matches first, then substring matches, so "lat" still finds "block-io-latency".
    QStringList starts;
    QStringList contains;
    for (const QString &c : candidates) {
        if (c.startsWith(prefix, Qt::CaseInsensitive))
            starts.append(c);
        else if (!prefix.isEmpty() && c.contains(prefix, Qt::CaseInsensitive))
            contains.append(c);
    }
    starts.append(contains);
    starts.removeDuplicates();
    return starts.mid(0, kMaxValues);
}
