// SPDX-License-Identifier: GPL-2.0-or-later
#include "ui/scriptcompletion.h"

#include <QCoreApplication>
#include <QMap>
#include <QSet>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace ScriptCompletion {
namespace {

bool isIdentChar(QChar c)
{
    return c.isLetterOrNumber() || c == u'_';
}

/// Characters of an attach point: "uprobe:/usr/lib/libc.so.6:malloc", "kprobe:vfs_*", "software:cpu-clock:".
bool isProbeChar(QChar c)
{
    return isIdentChar(c) || u":*./-+?[]"_s.contains(c);
}

bool isCode(const QList<Lexical> &lexical, qsizetype i)
{
    return lexical.at(i) == Lexical::Code && lexical.at(i + 1) == Lexical::Code;
}

/// The text with comments and strings blanked (newlines kept), so brackets and words in them
/// never count.
QString codeOnly(const QString &text, const QList<Lexical> &lexical)
{
    QString code = text;
    for (qsizetype i = 0; i < code.size(); ++i) {
        if (!isCode(lexical, i) && code.at(i) != u'\n')
            code[i] = u' ';
    }
    return code;
}

/// A predicate starts with a '/' after white space; a '/' inside an attach point follows ':' or
/// a path character.
qsizetype predicateStart(const QString &code, qsizetype from, qsizetype to)
{
    for (qsizetype i = from; i < to; ++i) {
        if (code.at(i) == u'/' && (i == from || code.at(i - 1).isSpace()))
            return i;
    }
    return -1;
}

QStringList parseHeader(const QString &header)
{
    const QString trimmed = header.trimmed();
    // Functions, macros, config blocks and includes are not probes.
    if (trimmed.isEmpty() || trimmed.startsWith(u"fn "_s) || trimmed.startsWith(u"macro "_s) || trimmed.startsWith(u'#')
        || trimmed.contains(u'='))
        return {};
    QStringList points;
    for (const QString &piece : trimmed.split(u',', Qt::SkipEmptyParts)) {
        const QString point = piece.trimmed().section(u' ', 0, 0).trimmed();
        if (!point.isEmpty())
            points.append(point);
    }
    return points;
}

/// Where a position sits among the top-level blocks.
struct Region
{
    bool inBlock = false;
    bool inPredicate = false;
    bool inDirective = false; ///< a `#include` line
    qsizetype headerStart = 0;
    qsizetype blockStart = -1;
    qsizetype blockEnd = -1;
    QStringList attachPoints;
};

Region locate(const QString &code, qsizetype position)
{
    Region region;
    int depth = 0;
    qsizetype headerStart = 0;
    for (qsizetype i = 0; i < position; ++i) {
        const QChar c = code.at(i);
        if (c == u'{') {
            if (depth == 0) {
                region.blockStart = i;
                region.headerStart = headerStart;
            }
            ++depth;
        } else if (c == u'}' && depth > 0) {
            if (--depth == 0)
                headerStart = i + 1;
        } else if (c == u';' && depth == 0) {
            headerStart = i + 1;
        }
    }
    if (depth > 0) {
        region.inBlock = true;
        qsizetype end = position;
        for (int d = depth; end < code.size(); ++end) {
            if (code.at(end) == u'{')
                ++d;
            else if (code.at(end) == u'}' && --d == 0)
                break;
        }
        region.blockEnd = end;
        const qsizetype predicate = predicateStart(code, region.headerStart, region.blockStart);
        region.attachPoints = parseHeader(
            code.mid(region.headerStart, (predicate >= 0 ? predicate : region.blockStart) - region.headerStart));
        return region;
    }
    region.blockStart = -1;
    region.headerStart = headerStart;
    const qsizetype lineStart = code.lastIndexOf(u'\n', position - 1) + 1;
    region.inDirective = code.mid(lineStart, position - lineStart).trimmed().startsWith(u'#');
    const qsizetype predicate = predicateStart(code, headerStart, position);
    if (predicate >= 0) {
        region.inPredicate = true;
        region.attachPoints = parseHeader(code.mid(headerStart, predicate - headerStart));
    }
    return region;
}

/// Whether `args` ends right before `pos` as a word of its own.
bool argsBefore(const QString &code, qsizetype pos)
{
    if (pos < 4 || QStringView(code).mid(pos - 4, 4) != u"args")
        return false;
    return pos == 4 || (!isIdentChar(code.at(pos - 5)) && code.at(pos - 5) != u'.' && code.at(pos - 5) != u'$');
}

/// The kind of an identifier starting at `start` from what stands before it; moves `start` onto a
/// sigil.
Context::Kind identifierKind(const QString &code, qsizetype &start)
{
    if (start > 0 && code.at(start - 1) == u'@') {
        --start;
        return Context::Kind::Map;
    }
    if (start > 0 && code.at(start - 1) == u'$') {
        --start;
        return Context::Kind::Variable;
    }
    if (start > 0 && code.at(start - 1) == u'.')
        return argsBefore(code, start - 1) ? Context::Kind::ArgsField : Context::Kind::None;
    if (start > 1 && code.at(start - 1) == u'>' && code.at(start - 2) == u'-')
        return argsBefore(code, start - 2) ? Context::Kind::ArgsField : Context::Kind::None;
    if (start < code.size() && code.at(start).isDigit())
        return Context::Kind::None; // a number
    return Context::Kind::Identifier;
}

QString canonicalPoint(const QString &point)
{
    const qsizetype colon = point.indexOf(u':');
    if (colon <= 0)
        return point;
    return ProbeCatalog::canonicalProvider(point.left(colon)) + point.mid(colon);
}

void collectNames(const QString &code, QChar sigil, qsizetype from, qsizetype to, qsizetype skipFrom, qsizetype skipTo,
    QSet<QString> &out)
{
    for (qsizetype i = from; i < to; ++i) {
        if (code.at(i) != sigil || (i > 0 && isIdentChar(code.at(i - 1))))
            continue;
        qsizetype end = i + 1;
        while (end < code.size() && isIdentChar(code.at(end)))
            ++end;
        const bool positional = end > i + 1 && code.at(i + 1).isDigit();
        if (end > i + 1 && !positional && (end <= skipFrom || i >= skipTo))
            out.insert(code.mid(i, end - i));
        i = end - 1;
    }
}

QStringList sorted(const QSet<QString> &set)
{
    QStringList list(set.cbegin(), set.cend());
    list.sort();
    return list;
}

} // namespace

QList<Lexical> lex(const QString &text)
{
    const qsizetype n = text.size();
    QList<Lexical> states(n + 1, Lexical::Code);
    Lexical state = Lexical::Code;
    bool lineComment = false;
    for (qsizetype i = 0; i < n; ++i) {
        states[i] = state;
        const QChar c = text.at(i);
        const QChar next = i + 1 < n ? text.at(i + 1) : QChar();
        switch (state) {
        case Lexical::Code:
            if (c == u'/' && (next == u'/' || next == u'*')) {
                state = Lexical::Comment;
                lineComment = next == u'/';
                // The second character belongs to the opener: "/*/" does not close.
                states[++i] = state;
            } else if (c == u'"') {
                state = Lexical::String;
            }
            break;
        case Lexical::Comment:
            if (lineComment && c == u'\n') {
                state = Lexical::Code;
            } else if (!lineComment && c == u'*' && next == u'/') {
                states[++i] = state;
                state = Lexical::Code;
            }
            break;
        case Lexical::String:
            if (c == u'\\' && i + 1 < n)
                states[++i] = state;
            else if (c == u'"' || c == u'\n')
                state = Lexical::Code;
            break;
        }
    }
    states[n] = state;
    return states;
}

Context contextAt(const QString &text, int position)
{
    Context context;
    position = std::clamp(position, 0, int(text.size()));
    context.start = position;
    const QList<Lexical> lexical = lex(text);
    if (lexical.at(position) != Lexical::Code)
        return context;
    const QString code = codeOnly(text, lexical);
    const Region region = locate(code, position);
    if (region.inDirective)
        return context;
    context.attachPoints = region.attachPoints;
    context.blockStart = int(region.blockStart);
    context.blockEnd = int(region.blockEnd);

    qsizetype start = position;
    if (!region.inBlock && !region.inPredicate) {
        while (start > region.headerStart && isProbeChar(code.at(start - 1)))
            --start;
        context.kind = Context::Kind::Probe;
    } else {
        while (start > 0 && isIdentChar(code.at(start - 1)))
            --start;
        context.kind = identifierKind(code, start);
    }
    context.start = int(start);
    context.prefix = text.mid(start, position - start);
    return context;
}

QString argumentProbe(const QStringList &attachPoints)
{
    if (attachPoints.isEmpty())
        return {};
    const QString &first = attachPoints.first();
    if (!first.contains(u':') || ProbeCatalog::isGlob(first))
        return {};
    return canonicalPoint(first);
}

Word wordAt(const QString &text, int position)
{
    Word word;
    if (position < 0 || position >= text.size())
        return word;
    const QList<Lexical> lexical = lex(text);
    if (!isCode(lexical, position))
        return word;
    const QString code = codeOnly(text, lexical);
    const Region region = locate(code, position);
    if (region.inDirective)
        return word;
    const bool header = !region.inBlock && !region.inPredicate;
    auto inWord = header ? isProbeChar : isIdentChar;
    if (!inWord(code.at(position)))
        return word;
    qsizetype start = position;
    qsizetype end = position;
    const qsizetype floor = header ? region.headerStart : 0;
    while (start > floor && inWord(code.at(start - 1)))
        --start;
    while (end < code.size() && inWord(code.at(end)))
        ++end;
    word.kind = header ? Context::Kind::Probe : identifierKind(code, start);
    word.start = int(start);
    word.end = int(end);
    word.text = text.mid(start, end - start);
    word.attachPoints = region.attachPoints;
    return word;
}

QStringList mapNames(const QString &text, int skipFrom, int skipTo)
{
    const QString code = codeOnly(text, lex(text));
    QSet<QString> names;
    collectNames(code, u'@', 0, code.size(), skipFrom, skipTo, names);
    return sorted(names);
}

QStringList variableNames(const QString &text, int from, int to, int skipFrom, int skipTo)
{
    const QString code = codeOnly(text, lex(text));
    QSet<QString> names;
    collectNames(code, u'$', std::max(0, from), to < 0 ? code.size() : std::min<qsizetype>(to, code.size()), skipFrom,
        skipTo, names);
    return sorted(names);
}

QList<Item> probeItems(
    const ProbeSnapshot *snapshot, const QList<BuiltinHelp> &builtins, const QString &prefix, int limit)
{
    QList<Item> items;
    if (ProbeCatalog::isGlob(prefix))
        return items;
    const qsizetype colon = prefix.indexOf(u':');
    if (colon < 0) {
        // Providers: those the catalog lists and the probe types bpftrace knows without a listing
        // (BEGIN, interval, profile, ...).
        QMap<QString, QString> providers;
        if (snapshot) {
            for (const QString &provider : snapshot->providers)
                providers.insert(provider, QString::number(snapshot->providerCounts.value(provider)));
        }
        for (const BuiltinHelp &help : builtins) {
            if (help.kind != u"probe")
                continue;
            for (const QString &form : help.signature.split(u", "_s)) {
                const QString name = form.section(u':', 0, 0).trimmed();
                if (!name.isEmpty() && !name.contains(u' ') && name != u"...")
                    providers.insert(name, providers.value(name));
            }
        }
        for (auto it = providers.cbegin(); it != providers.cend(); ++it) {
            if (!it.key().startsWith(prefix, Qt::CaseInsensitive))
                continue;
            const bool special = it.key() == u"BEGIN" || it.key() == u"END";
            Item item;
            item.kind = Item::Kind::Provider;
            item.insert = special ? it.key() : it.key() + u':';
            item.label = it.key();
            const BuiltinHelp *help = findBuiltin(builtins, it.key(), true);
            item.detail = it.value().isEmpty()
                ? (help ? help->summary : QString())
                : QCoreApplication::translate("ScriptCompletion", "%n probes", "", it.value().toInt());
            items.append(item);
        }
        return items;
    }

    const QString typed = prefix.left(colon);
    const QString rest = prefix.mid(colon + 1);
    const QString canonical = ProbeCatalog::canonicalProvider(typed);
    if ((canonical == u"interval" || canonical == u"profile") && !rest.contains(u':')) {
        for (const QString &unit : { u"s"_s, u"ms"_s, u"us"_s, u"hz"_s }) {
            if (unit.startsWith(rest))
                items.append({ Item::Kind::ProbeGroup, canonical + u':' + unit + u':', unit, {}, 0 });
        }
        return items;
    }
    if (!snapshot)
        return items;
    QString listed;
    for (const QString &candidate : { typed, canonical }) {
        if (snapshot->providerRanges.contains(candidate)) {
            listed = candidate;
            break;
        }
    }
    if (listed.isEmpty())
        return items;
    const auto [first, last] = snapshot->providerRanges.value(listed);
    const QString full = listed + u':' + rest;
    const auto begin = snapshot->probes.cbegin() + first;
    const auto end = snapshot->probes.cbegin() + last;
    const auto from = std::lower_bound(begin, end, full);
    QMap<QString, int> groups;
    QList<Item> probes;
    for (auto it = from; it != end && it->startsWith(full); ++it) {
        const qsizetype next = it->indexOf(u':', full.size());
        if (next >= 0 && next + 1 < it->size())
            ++groups[it->left(next + 1)];
        else if (probes.size() < limit)
            probes.append({ Item::Kind::Probe, *it, *it, {}, 0 });
    }
    for (auto it = groups.cbegin(); it != groups.cend(); ++it) {
        items.append({ Item::Kind::ProbeGroup, it.key(), it.key(),
            QCoreApplication::translate("ScriptCompletion", "%n probes", "", it.value()), 0 });
    }
    // A path narrowed by what was typed to a few groups ("tracepoint:sysc" is only syscalls) lists
    // their probes too.
    if (groups.size() <= 3 && !full.endsWith(u':')) {
        for (auto it = from; it != end && it->startsWith(full) && probes.size() < limit; ++it) {
            const qsizetype next = it->indexOf(u':', full.size());
            if (next >= 0 && next + 1 < it->size())
                probes.append({ Item::Kind::Probe, *it, *it, {}, 0 });
        }
        std::sort(probes.begin(), probes.end(), [](const Item &a, const Item &b) { return a.insert < b.insert; });
    }
    items += probes;
    return items;
}

QList<Item> builtinItems(const QList<BuiltinHelp> &builtins, const QString &prefix)
{
    QList<Item> items;
    for (const BuiltinHelp &help : builtins) {
        if (help.kind == u"probe" || !help.name.startsWith(prefix) || help.name.startsWith(u'$'))
            continue;
        Item item;
        item.label = help.name;
        item.detail = help.signature;
        if (help.kind == u"variable") {
            item.kind = Item::Kind::Builtin;
            item.insert = help.name;
        } else {
            item.kind = Item::Kind::Function;
            item.insert = help.name + u"()"_s;
            item.cursorBack = 1;
        }
        items.append(item);
    }
    std::sort(items.begin(), items.end(), [](const Item &a, const Item &b) { return a.label < b.label; });
    return items;
}

QList<Item> fieldItems(const QList<ProbeArgument> &arguments, const QString &prefix)
{
    QList<Item> items;
    for (const ProbeArgument &argument : arguments) {
        if (argument.name.startsWith(prefix))
            items.append({ Item::Kind::Field, argument.name, argument.name, argument.type, 0 });
    }
    return items;
}

QList<Item> nameItems(const QStringList &names, Item::Kind kind, const QString &prefix)
{
    QList<Item> items;
    for (const QString &name : names) {
        if (name.startsWith(prefix))
            items.append({ kind, name, name, {}, 0 });
    }
    return items;
}

const BuiltinHelp *findBuiltin(const QList<BuiltinHelp> &builtins, const QString &name, bool probeType)
{
    for (const BuiltinHelp &help : builtins) {
        if ((help.kind == u"probe") != probeType)
            continue;
        if (help.name == name)
            return &help;
        if (probeType) {
            for (const QString &form : help.signature.split(u", "_s)) {
                if (form.section(u':', 0, 0).trimmed() == name)
                    return &help;
            }
        }
    }
    if (probeType)
        return nullptr;
    // arg3, sarg1 and $2 share one entry each.
    for (const QString &family : { u"sarg"_s, u"arg"_s, u"$"_s }) {
        if (name.size() > family.size() && name.startsWith(family)) {
            bool number = false;
            name.mid(family.size()).toInt(&number);
            if (number)
                return findBuiltin(builtins, family == u"$" ? u"$1"_s : family + u'0', false);
        }
    }
    return nullptr;
}

int matchingBracket(const QString &text, const QList<Lexical> &lexical, int position)
{
    if (position < 0 || position >= text.size() || !isCode(lexical, position))
        return -1;
    static const QString opening = u"({["_s;
    static const QString closing = u")}]"_s;
    const QChar c = text.at(position);
    const qsizetype open = opening.indexOf(c);
    const qsizetype close = closing.indexOf(c);
    if (open < 0 && close < 0)
        return -1;
    const QChar self = c;
    const QChar other = open >= 0 ? closing.at(open) : opening.at(close);
    const int step = open >= 0 ? 1 : -1;
    int depth = 0;
    for (qsizetype i = position; i >= 0 && i < text.size(); i += step) {
        if (!isCode(lexical, i))
            continue;
        if (text.at(i) == self)
            ++depth;
        else if (text.at(i) == other && --depth == 0)
            return int(i);
    }
    return -1;
}

} // namespace ScriptCompletion
