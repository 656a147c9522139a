// SPDX-License-Identifier: GPL-2.0-or-later
// Our own example scripts (resources/examples/*.bt), served to the window and as MCP resources.
#pragma once

#include <QList>
#include <QString>

#include <optional>

struct Example
{
    QString name; ///< "syscall-count" (file name without .bt)
    QString title; ///< "Count system calls by process"
    QString description;
    QString category; ///< "syscalls", "files", "disk", "scheduler", "cpu", "network", "memory", "processes"
    QString minVersion; ///< bpftrace version needed
    QString script; ///< the whole file
};

/// Each example file starts with header comments:
///   // title: Count system calls by process
///   // description: ...
///   // category: syscalls
///   // requires: bpftrace 0.16
class ExampleLibrary
{
public:
    /// Sorted by name, loaded once from the compiled-in resources.
    static const QList<Example> &all();
    static std::optional<Example> find(const QString &name);
    static std::optional<Example> parse(const QString &name, const QString &text);
};
