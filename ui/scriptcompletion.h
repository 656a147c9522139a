// SPDX-License-Identifier: GPL-2.0-or-later
// What the editor can propose and explain at a point of a bpftrace script: pure functions of the
// text, the probe catalog's snapshot and the builtin table, so completion and hover agree.
#pragma once

#include "engine/capabilities.h"
#include "engine/probecatalog.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace ScriptCompletion {

/// Where a position sits, lexically: the editor proposes nothing inside comments and strings.
enum class Lexical : quint8
{
    Code,
    Comment,
    String
};

/// The lexical state at every position 0..text.size() (one more entry than characters).
QList<Lexical> lex(const QString &text);

struct Context
{
    enum class Kind
    {
        None, ///< a comment, a string, a struct field: nothing to propose
        Probe, ///< an attach point being written: providers, then the catalog's probes
        Identifier, ///< inside a block or predicate: builtins, maps and variables
        Map, ///< after '@'
        Variable, ///< after '$'
        ArgsField ///< after `args.` or `args->`
    };
    Kind kind = Kind::None;
    int start = 0; ///< where the text the completion replaces begins
    QString prefix; ///< text from `start` to the position
    /// The attach points of the block (or predicate) the position is in, as written.
    QStringList attachPoints;
    int blockStart = -1; ///< the enclosing top-level block's '{' (-1: not in a block)
    int blockEnd = -1; ///< its matching '}' or the end of the text
};

Context contextAt(const QString &text, int position);

/// The first attach point of a block that names one probe (no wildcard), with the provider in
/// its canonical spelling: the probe whose `args` a block sees. Empty when there is none.
QString argumentProbe(const QStringList &attachPoints);

/// The word under a position for hover help: a whole attach point in a header, otherwise an
/// identifier with its '@'/'$' sigil, and `args` field names with their context.
struct Word
{
    Context::Kind kind = Context::Kind::None;
    int start = 0;
    int end = 0;
    QString text;
    QStringList attachPoints; ///< of the block it is in (for args fields)
};
Word wordAt(const QString &text, int position);

/// Map names (with '@') and variable names (with '$') used in `text`, sorted, unique. Positions in
/// [skipFrom, skipTo) are ignored, so the name being typed does not propose itself.
QStringList mapNames(const QString &text, int skipFrom = -1, int skipTo = -1);
QStringList variableNames(const QString &text, int from = 0, int to = -1, int skipFrom = -1, int skipTo = -1);

struct Item
{
    enum class Kind
    {
        Provider,
        ProbeGroup, ///< a probe path with more segments below it ("syscalls:")
        Probe,
        Builtin, ///< a variable such as comm
        Function,
        Map,
        Variable,
        Field
    };
    Kind kind = Kind::Builtin;
    QString insert; ///< replaces the context's prefix
    QString label; ///< what the popup shows
    QString detail; ///< signature, type or count
    int cursorBack = 0; ///< characters to move left after inserting ("printf(|)")
};

/// Providers (no ':' typed yet) or the next segments and probes below the typed path; at most
/// `limit` probes.
QList<Item> probeItems(
    const ProbeSnapshot *snapshot, const QList<BuiltinHelp> &builtins, const QString &prefix, int limit = 400);
/// Builtin variables and functions whose name starts with `prefix` (case-sensitive, as bpftrace is).
QList<Item> builtinItems(const QList<BuiltinHelp> &builtins, const QString &prefix);
QList<Item> fieldItems(const QList<ProbeArgument> &arguments, const QString &prefix);
QList<Item> nameItems(const QStringList &names, Item::Kind kind, const QString &prefix);

/// The help entry for a word, or nullptr. Probe-type entries match their providers ("kretprobe").
const BuiltinHelp *findBuiltin(const QList<BuiltinHelp> &builtins, const QString &name, bool probeType);

/// The position of the bracket matching the one at `position` (-1: none, or not a bracket in code).
int matchingBracket(const QString &text, const QList<Lexical> &lexical, int position);

} // namespace ScriptCompletion
