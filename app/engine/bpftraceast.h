// SPDX-License-Identifier: GPL-2.0-or-later
// bpftrace's own view of a program: the typed AST it prints with `-d ast` after semantic analysis.
#pragma once

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

/// One line of the printed tree: "call: str :: [string[1024], AS(kernel)]" is kind "call", text
/// "str", type "string[1024]", not user memory.
struct AstNode
{
    QString kind; ///< "call", "map", "variable", "builtin", "string", "int", ".", "=", "pred", ...
    QString text; ///< what follows "kind: " (a name, a literal, unescaped for strings)
    QString type; ///< the first entry of the " :: [...]" list, empty when untyped
    bool userMemory = false; ///< AS(user): the value lives in (or points into) a process's memory
    bool context = false; ///< "ctx: 1": the probe's own arguments (args), not memory behind a pointer
    std::vector<AstNode> children;

    /// The node written back the way a script would say it ("args.buf", "@r[tid]", "str($p)").
    QString source() const;
    bool isPointer() const { return type.contains(u'*'); }
};

/// A probe block (attach points share one body) or a function (`fn name(...)`, no attach points).
struct AstProbe
{
    QStringList attachPoints; ///< as bpftrace kept them (wildcards unexpanded)
    QString function; ///< set for `fn` definitions instead of attach points
    std::optional<AstNode> predicate;
    std::vector<AstNode> statements;
};

/// A call anywhere in the program, with the block it sits in.
struct AstCall
{
    QString name;
    std::vector<AstNode> arguments;
    int probe = -1; ///< index into BpftraceAst::probes
    int ordinal = 0; ///< 0 for the first call of this name in this block, 1 for the next, ...
};

/// A map and the key types it is used with (a kstack/ustack key collects call stacks).
struct AstMap
{
    QString name; ///< "@x", "@" for the anonymous map
    QStringList keyTypes; ///< e.g. "kstack", "ustack", "string[16]"; tuple keys are flattened
    QString valueType; ///< "count_t", "hist_t", "int64", ...
};

class BpftraceAst
{
public:
    /// Parses bpftrace's `-d ast` output (stdout of `bpftrace -d ast --emit-elf /dev/null ...`):
    /// takes the block after "AST after: Semantic". Returns nothing when there is none (an old
    /// bpftrace, or a program that failed before semantic analysis) or it cannot be read.
    static std::optional<BpftraceAst> parse(const QString &debugOutput);

    std::vector<AstProbe> probes;
    std::vector<AstCall> calls; ///< in program order, nested calls after the call they sit in
    std::vector<AstMap> maps; ///< sorted by name

    /// Every call of this name.
    std::vector<const AstCall *> callsNamed(const QString &name) const;
    const AstMap *map(const QString &name) const;
    QStringList mapNames() const;
};
