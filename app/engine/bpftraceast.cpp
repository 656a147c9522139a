// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/bpftraceast.h"

#include <QHash>
#include <QRegularExpression>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace {

constexpr int MaxDepth = 200; // deeper than any real program; keeps the recursion bounded

struct Line
{
    int indent = 0;
    QString content; ///< without the indentation
};

QString unescape(const QString &text)
{
    if (!text.contains(u'\\'))
        return text;
    const QByteArray in = text.toUtf8();
    QByteArray out;
    out.reserve(in.size());
    for (qsizetype i = 0; i < in.size(); ++i) {
        const char c = in.at(i);
        if (c != '\\' || i + 1 >= in.size()) {
            out.append(c);
            continue;
        }
        const char e = in.at(++i);
        switch (e) {
        case 'n':
            out.append('\n');
            break;
        case 't':
            out.append('\t');
            break;
        case 'r':
            out.append('\r');
            break;
        case 'x': {
            bool ok = false;
            const int value = in.mid(i + 1, 2).toInt(&ok, 16);
            if (ok && i + 2 < in.size()) {
                out.append(char(value));
                i += 2;
            } else {
                out.append("\\x");
            }
            break;
        }
        default:
            out.append(e); // \" \\ and anything bpftrace may add later
            break;
        }
    }
    return QString::fromUtf8(out);
}

// ", "-separated at bracket depth 0: "struct x, ctx: 1, AS(user)" or "(kstack,string[16])".
QStringList splitTypes(const QString &types)
{
    QStringList out;
    int depth = 0;
    qsizetype start = 0;
    for (qsizetype i = 0; i < types.size(); ++i) {
        const QChar c = types.at(i);
        if (c == u'(' || c == u'[')
            ++depth;
        else if (c == u')' || c == u']')
            --depth;
        else if (depth == 0 && c == u',' && i + 1 < types.size() && types.at(i + 1) == u' ') {
            out.append(types.mid(start, i - start));
            start = i + 2;
        }
    }
    out.append(types.mid(start));
    return out;
}

AstNode parseNode(const QString &content)
{
    AstNode node;
    QString head = content;
    if (head.endsWith(u']')) {
        const qsizetype at = head.lastIndexOf(u" :: ["_s);
        if (at >= 0) {
            const QStringList types = splitTypes(head.mid(at + 5, head.size() - at - 6));
            node.type = types.value(0);
            node.userMemory = types.contains(u"AS(user)"_s);
            node.context = types.contains(u"ctx: 1"_s);
            head.truncate(at);
        }
    }
    const qsizetype colon = head.indexOf(u": "_s);
    if (colon > 0) {
        node.kind = head.left(colon);
        node.text = head.mid(colon + 2);
    } else if (head.endsWith(u':') && head.size() > 1) {
        node.kind = head.chopped(1);
    } else {
        node.kind = head;
    }
    if (node.kind == u"string")
        node.text = unescape(node.text);
    return node;
}

// "tracepoint:syscalls:sys_enter_write", "uprobe:/lib/libc.so.6:malloc", "BEGIN": a probe's attach
// point, recognised by its content. bpftrace 0.23's printer does not restore the indentation after
// a while loop, so the next probe can appear deeper than the first one.
bool isAttachPoint(const QString &content)
{
    static const QRegularExpression re(u"^(BEGIN|END|begin|end|[A-Za-z_][A-Za-z0-9_]*:\\S*)$"_s);
    return !content.contains(u" :: ["_s) && re.match(content).hasMatch();
}

// "add: int64($a : int64, $b : int64)": a user-defined function at the top level.
QString functionName(const QString &content)
{
    static const QRegularExpression re(u"^([A-Za-z_][A-Za-z0-9_]*): .*\\(.*\\)$"_s);
    const QRegularExpressionMatch m = re.match(content);
    return m.hasMatch() ? m.captured(1) : QString();
}

std::vector<AstNode> build(const QList<Line> &lines, qsizetype &i, qsizetype end, int parentIndent, int depth)
{
    std::vector<AstNode> out;
    while (i < end && lines.at(i).indent > parentIndent) {
        const Line &line = lines.at(i++);
        AstNode node = parseNode(line.content);
        if (depth < MaxDepth)
            node.children = build(lines, i, end, line.indent, depth + 1);
        out.push_back(std::move(node));
    }
    return out;
}

void flattenKeyTypes(const AstNode &key, QStringList &out)
{
    if (key.kind == u"tuple") {
        for (const AstNode &part : key.children)
            flattenKeyTypes(part, out);
    } else if (!key.type.isEmpty() && !out.contains(key.type)) {
        out.append(key.type);
    }
}

struct Collector
{
    BpftraceAst &ast;
    int probe = -1;
    QHash<QString, int> ordinals;
    QHash<QString, AstMap> maps;

    void walk(const AstNode &node)
    {
        if (node.kind == u"call") {
            AstCall call;
            call.name = node.text;
            call.arguments = node.children;
            call.probe = probe;
            call.ordinal = ordinals[node.text]++;
            ast.calls.push_back(std::move(call));
        } else if (node.kind == u"map") {
            AstMap &map = maps[node.text];
            map.name = node.text;
            if (map.valueType.isEmpty())
                map.valueType = node.type;
            for (const AstNode &key : node.children)
                flattenKeyTypes(key, map.keyTypes);
        }
        for (const AstNode &child : node.children)
            walk(child);
    }
};

} // namespace

QString AstNode::source() const
{
    auto joined = [this](qsizetype from) {
        QStringList parts;
        for (size_t i = size_t(from); i < children.size(); ++i)
            parts.append(children[i].source());
        return parts.join(u", "_s);
    };
    if (kind == u"call")
        return text + u'(' + joined(0) + u')';
    if (kind == u"map")
        return children.empty() ? text : text + u'[' + joined(0) + u']';
    if (kind == u"tuple")
        return u'(' + joined(0) + u')';
    if (kind == u"string")
        return u'"' + text + u'"';
    if (kind == u"." && children.size() == 2) {
        const AstNode &base = children[0];
        if (base.kind == u"dereference" && base.children.size() == 1)
            return base.children[0].source() + u"->"_s + children[1].kind;
        return base.source() + u'.' + children[1].kind;
    }
    // An operand that is itself an operation keeps its parentheses: *(uint8 *)(args.buf + $i).
    auto operand = [](const AstNode &node) {
        const QString text = node.source();
        const bool binary = node.children.size() == 2 && node.text.isEmpty() && node.kind != u"." && node.kind != u"[]"
            && node.kind != u"tuple";
        return binary ? u'(' + text + u')' : text;
    };
    if (kind.startsWith(u'(') && children.size() == 1)
        return kind + operand(children[0]);
    if (kind == u"dereference" && children.size() == 1)
        return u'*' + operand(children[0]);
    if (kind == u"[]" && children.size() == 2)
        return operand(children[0]) + u'[' + children[1].source() + u']';
    if (!text.isEmpty())
        return text;
    static const QRegularExpression op(u"^[-+*/%&|^!<>=~]+$"_s);
    if (op.match(kind).hasMatch()) {
        if (children.size() == 2)
            return children[0].source() + u' ' + kind + u' ' + children[1].source();
        if (children.size() == 1)
            return kind + children[0].source();
    }
    if (children.empty())
        return kind;
    return kind + u'(' + joined(0) + u')';
}

std::optional<BpftraceAst> BpftraceAst::parse(const QString &debugOutput)
{
    QStringList raw = debugOutput.split(u'\n');
    for (QString &line : raw) {
        if (line.endsWith(u'\r'))
            line.chop(1);
    }
    qsizetype begin = -1;
    for (qsizetype i = 0; i < raw.size(); ++i) {
        if (raw.at(i).trimmed() == u"AST after: Semantic") {
            begin = i + 1;
            break;
        }
    }
    if (begin < 0)
        return std::nullopt;
    qsizetype end = begin;
    while (end < raw.size() && !raw.at(end).startsWith(u"AST after:"_s))
        ++end;
    // C definitions (struct ...) come first; the tree starts at the last unindented "Program".
    qsizetype program = -1;
    for (qsizetype i = begin; i < end; ++i) {
        if (raw.at(i) == u"Program")
            program = i;
    }
    if (program < 0)
        return std::nullopt;

    QList<Line> lines;
    for (qsizetype i = program + 1; i < end; ++i) {
        const QString &text = raw.at(i);
        if (text.trimmed().isEmpty())
            continue;
        qsizetype indent = 0;
        while (indent < text.size() && text.at(indent) == u' ')
            ++indent;
        if (indent == 0)
            return std::nullopt; // only "Program" is unindented: this is not a tree we know
        lines.append({ int(indent), text.mid(indent) });
    }

    BpftraceAst ast;
    const int topIndent = lines.isEmpty() ? 1 : lines.first().indent;
    qsizetype i = 0;
    while (i < lines.size()) {
        const Line &line = lines.at(i);
        AstProbe probe;
        int headerIndent = line.indent;
        if (isAttachPoint(line.content)) {
            while (i < lines.size() && isAttachPoint(lines.at(i).content)) {
                probe.attachPoints.append(lines.at(i).content);
                headerIndent = std::min(headerIndent, lines.at(i).indent);
                ++i;
            }
        } else if (line.indent == topIndent && (line.content == u"config" || !functionName(line.content).isEmpty())) {
            probe.function = line.content == u"config" ? line.content : functionName(line.content);
            ++i;
        } else {
            return std::nullopt; // a statement outside any probe: the format changed
        }
        // A body ends at the next block header, whatever its indentation.
        qsizetype stop = i;
        while (stop < lines.size() && !isAttachPoint(lines.at(stop).content)
            && !(lines.at(stop).indent == topIndent
                && (lines.at(stop).content == u"config" || !functionName(lines.at(stop).content).isEmpty())))
            ++stop;
        qsizetype pos = i;
        while (pos < stop) {
            // Lines shallower than the header (never seen) still belong to this block.
            const int parent = std::min(headerIndent, lines.at(pos).indent - 1);
            std::vector<AstNode> nodes = build(lines, pos, stop, parent, 0);
            for (AstNode &node : nodes) {
                if (node.kind == u"pred" && !probe.predicate && probe.statements.empty() && node.children.size() == 1)
                    probe.predicate = std::move(node.children.front());
                else
                    probe.statements.push_back(std::move(node));
            }
        }
        i = stop;
        ast.probes.push_back(std::move(probe));
    }

    Collector collector { ast, -1, {}, {} };
    for (size_t p = 0; p < ast.probes.size(); ++p) {
        collector.probe = int(p);
        collector.ordinals.clear();
        if (ast.probes[p].predicate)
            collector.walk(*ast.probes[p].predicate);
        for (const AstNode &statement : ast.probes[p].statements)
            collector.walk(statement);
    }
    for (auto it = collector.maps.cbegin(); it != collector.maps.cend(); ++it)
        ast.maps.push_back(it.value());
    std::sort(ast.maps.begin(), ast.maps.end(), [](const AstMap &a, const AstMap &b) { return a.name < b.name; });
    return ast;
}

std::vector<const AstCall *> BpftraceAst::callsNamed(const QString &name) const
{
    std::vector<const AstCall *> out;
    for (const AstCall &call : calls) {
        if (call.name == name)
            out.push_back(&call);
    }
    return out;
}

const AstMap *BpftraceAst::map(const QString &name) const
{
    for (const AstMap &m : maps) {
        if (m.name == name)
            return &m;
    }
    return nullptr;
}

QStringList BpftraceAst::mapNames() const
{
    QStringList out;
    for (const AstMap &m : maps)
        out.append(m.name);
    return out;
}
